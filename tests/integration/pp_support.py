"""Helpers for the pp_* module tests: playbooks with the Power Platform options in module_defaults, results as data.

The emulator fixtures (``pp_emulator``: the Power Platform world, tests/worlds/powerplatform.yml) are in
tests/conftest.py; the world's ids below are its contract with these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from devtools.ansible_runner import run_playbook
from devtools.emulator import PP_WORLD

GROUP = "group/d365fo.dataalm.powerplatform"
APP_SECRET = "pp-app-secret"
PASSWORD = "Emu-Passw0rd!"
# environments of tests/worlds/powerplatform.yml
CONTOSO_PROD = "a1000000-0000-4000-8000-000000000001"
CONTOSO_UAT = "a1000000-0000-4000-8000-000000000002"
CONTOSO_TEST_INITIAL = "a1000000-0000-4000-8000-000000000003"
FABRIKAM_PROD = "b2000000-0000-4000-8000-000000000001"
FABRIKAM_UAT = "b2000000-0000-4000-8000-000000000002"
FABRIKAM_DEV = "b2000000-0000-4000-8000-000000000003"
TRIAL = "b2000000-0000-4000-8000-000000000005"
FAILED_RESTORE = "e5000000-0000-4000-8000-000000000012"
NO_CONTRIBUTOR_APP = "7a0d4c5e-9f63-4b10-a4c8-3b2f5e6d7c8c"

BACKUP = "d365fo.dataalm.pp_environment_backup"
BACKUP_INFO = "d365fo.dataalm.pp_environment_backup_info"
INFO = "d365fo.dataalm.pp_environment_info"
OPERATION_INFO = "d365fo.dataalm.pp_operation_info"
ADMIN_MODE = "d365fo.dataalm.pp_environment_admin_mode"


def pp_world_with(tmp_path, clock_start=None, **changes):
    """A copy of the Power Platform world; ``changes`` maps an environment id to a function that edits it."""
    world = yaml.safe_load(PP_WORLD.read_text())
    if clock_start is not None:
        world["clock"]["start"] = clock_start
    for env in world["power_platform"]["environments"]:
        if env["id"] in changes:
            changes[env["id"]](env)
    path = Path(tmp_path) / "pp-world.yml"
    path.write_text(yaml.safe_dump(world, sort_keys=False))
    return path


def task(name, module, **args):
    return {"name": name, module: args, "register": name}


def play(tmp_path, defaults, tasks, check=False, diff=False, verbosity=0, vars=None, name="playbook.yml",
         timeout=600, env=None):
    """Run ``tasks`` with ``defaults`` for the powerplatform group; returns (process, {registered: result})."""
    directory = Path(tmp_path)
    out = directory / ("%s.results.json" % Path(name).stem)
    registered = [t["register"] for t in tasks if "register" in t]
    for item in tasks:
        item.setdefault("ignore_errors", True)
    dump = "{{ {%s} | to_json }}" % ", ".join("'%s': %s | default(None)" % (r, r) for r in registered)
    tasks = [*tasks, {"name": "Dump results", "no_log": True, "check_mode": False,
                      "ansible.builtin.copy": {"content": dump, "dest": str(out), "mode": "0600"}}]
    playbook = [{"name": "Power Platform module test", "hosts": "localhost", "connection": "local",
                 "gather_facts": False, "vars": vars or {}, "module_defaults": {GROUP: defaults}, "tasks": tasks}]
    path = directory / name
    path.write_text(yaml.safe_dump(playbook, sort_keys=False))
    if out.exists():
        out.unlink()
    proc = run_playbook(path, check=check, diff=diff, verbosity=verbosity, timeout=timeout, env=env)
    assert out.exists(), "playbook did not finish:\n%s\n%s" % (proc.stdout[-4000:], proc.stderr[-2000:])
    return proc, json.loads(out.read_text())


def requests_made(emu, mutating_only=False):
    """Power Platform and BAP requests the emulator answered (token requests left out)."""
    total = 0
    for route, statuses in emu.counters()["requests"].items():
        method, _space, path = route.partition(" ")
        if not (path.startswith("/environmentmanagement") or path.startswith("/dynamics")
                or path.startswith("/providers") or path.startswith("/licensing")):
            continue
        if mutating_only and method in ("GET", "HEAD"):
            continue
        total += sum(statuses.values())
    return total
