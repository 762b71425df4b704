"""Helpers for the lcs_* module tests: world variants, and playbooks whose results come back as data.

The fixtures (``lcs_emulator_process``, ``lcs_emu``: an HTTP-only emulator) are in conftest.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import yaml

from devtools.ansible_runner import VENV_BIN, ansible_env, run_playbook
from devtools.emulator import DEFAULT_WORLD

PROD = "11111111-1111-4111-8111-111111111111"
UAT = "22222222-2222-4222-8222-222222222222"
TEST = "33333333-3333-4333-8333-333333333333"
DEV = "44444444-4444-4444-8444-444444444444"
PASSWORD = "Emu-Passw0rd!"
APP_SECRET = "emu-app-secret"


def world_with(tmp_path, **environment_overrides):
    """A copy of the default world with per-environment overrides, e.g. contoso_uat={"durations": {...}}."""
    world = yaml.safe_load(DEFAULT_WORLD.read_text())
    for env in world["projects"][0]["environments"]:
        env.update(environment_overrides.get(env["name"].replace("-", "_"), {}))
    path = Path(tmp_path) / "world.yml"
    path.write_text(yaml.safe_dump(world, sort_keys=False))
    return path


def write_play(directory, tasks, defaults, vars=None, name="playbook.yml"):
    """A localhost play with the LCS options in module_defaults; every registered result is dumped to JSON."""
    directory = Path(directory)
    out = directory / ("%s.results.json" % Path(name).stem)
    registered = []
    for task in tasks:
        if "register" in task:
            registered.append(task["register"])
            task.setdefault("ignore_errors", True)
    dump = "{{ {%s} | to_json }}" % ", ".join("'%s': %s | default(None)" % (r, r) for r in registered)
    tasks = [*tasks, {
        "name": "Dump results",
        "ansible.builtin.copy": {"content": dump, "dest": str(out), "mode": "0600"},
        # the results can hold what the modules returned; they must never be logged
        "no_log": True,
        "check_mode": False,
    }]
    play = {
        "name": "LCS module test",
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "vars": vars or {},
        "module_defaults": {"group/d365fo.dataalm.lcs": defaults},
        "tasks": tasks,
    }
    path = directory / name
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    return path, out


def play(tmp_path, emu, tasks, check=False, verbosity=0, defaults=None, vars=None, name="playbook.yml", timeout=600):
    """Run tasks against ``emu``; returns (completed process, {registered name: result})."""
    path, out = write_play(tmp_path, tasks, defaults if defaults is not None else emu.lcs_module_args(),
                           vars=vars, name=name)
    if out.exists():
        out.unlink()
    proc = run_playbook(path, check=check, verbosity=verbosity, timeout=timeout)
    results = json.loads(out.read_text()) if out.exists() else {}
    assert out.exists(), "playbook did not finish:\n%s\n%s" % (proc.stdout[-4000:], proc.stderr[-2000:])
    return proc, results


def start_play(tmp_path, emu, tasks, name="playbook.yml", vars=None):
    """Start ansible-playbook in its own process group (so the test can kill the whole controller)."""
    path, out = write_play(tmp_path, tasks, emu.lcs_module_args(), vars=vars, name=name)
    argv = [str(VENV_BIN / "ansible-playbook"), str(path), "-i", "localhost,", "-c", "local"]
    proc = subprocess.Popen(argv, env=ansible_env(), cwd=str(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    return proc, out


def kill_controller(proc):
    """SIGKILL ansible-playbook and the module process it runs, like a dying CI agent."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)


def movement_count(emu, environment="contoso-uat"):
    return emu.counters()["operations_started"].get(environment, 0)


def mutating(emu):
    return sum(emu.counters()["mutating_requests"].values())
