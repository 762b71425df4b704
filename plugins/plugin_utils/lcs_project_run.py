# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller-side directory the hosts of one playbook run share for one LCS project.

LCS limits environment metadata and history per project (6 calls per minute each, lcs-api.md §4.1),
so a fleet of targets has to read the project once and pace its calls together. Ansible runs each host
in its own fork, so the shared state lives in files: one private directory (0700) per controller run,
LCS host, project and signed-in identity (a task signing in as someone else must not be answered with
what another identity read: it may not see the project at all; the rate gate is then per identity too),
keyed by the run id (the controller's pid and start time; the action plugin's parent is the
controller). The LCS action plugins pass it to their modules as ``project_run_dir``;
what is kept there, under which lock, is module_utils/_lcs/project_run.py. Directories of controllers
that have ended are removed when a new run starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile

from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.d365fo.dataalm.plugins.module_utils._auth.options import identity_options
from ansible_collections.d365fo.dataalm.plugins.module_utils._dates import parse_utc
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.client import environment_facts, same_guid
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.history import history_facts, unread_history_facts
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.options import project_run_argument_spec
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.project_run import open_project_run

RUN_DIR_OPTION = next(iter(project_run_argument_spec()))
_PREFIX = "run-"


def controller_run_id(pid=None, proc="/proc"):
    """``<pid>-<start>`` of the controller (the action plugin's parent); the start tells a reused pid apart."""
    pid = os.getppid() if pid is None else pid
    try:
        with open(os.path.join(proc, str(pid), "stat"), "rb") as handle:
            # field 22 (starttime) counts after the command name, which is in parentheses
            start = handle.read().decode("utf-8", "replace").rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        start = "0"
    return "%d-%s" % (pid, start)


def project_run_dir(project_id, lcs_api_url, base=None, run_id=None, identity=""):
    """The run's directory for one project and sign-in identity (created 0700 on first use)."""
    base = base or os.path.join(tempfile.gettempdir(), "d365fo-dataalm-%d" % os.getuid())
    run_id = run_id or controller_run_id()
    key = "%s|%s|%s" % (lcs_api_url.rstrip("/").lower(), project_id, identity)
    project = hashlib.sha256(key.encode()).hexdigest()[:16]
    path = os.path.join(base, "%s%s-%s" % (_PREFIX, run_id, project))
    if not os.path.isdir(path):
        os.makedirs(base, mode=0o700, exist_ok=True)
        _remove_ended_runs(base, run_id)
        os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def with_project_run(task, args, run_id=None, base=None):
    """``args`` plus the shared directory, for a task of a known project.

    A task that repeats itself until a condition holds (``until``) polls for change, so it gets no
    shared reads."""
    if args.get(RUN_DIR_OPTION) or getattr(task, "until", None):
        return args
    project_id = args.get("project_id") or os.environ.get("LCS_PROJECT_ID")
    if not project_id:
        return args
    url = args.get("lcs_api_url") or os.environ.get("LCS_API_URL") or "https://lcsapi.lcs.dynamics.com"
    run_dir = project_run_dir(project_id, url, base=base, run_id=run_id, identity=sign_in_identity(args))
    return dict(args, **{RUN_DIR_OPTION: run_dir})


def sign_in_identity(args):
    """Who the task signs in as, from the options that name an identity (never a secret), each falling
    back to its LCS_* variable as the module's own options do."""
    return "|".join(str(args.get(name) or os.environ.get("LCS_%s" % name.upper()) or "") for name in identity_options())


def shared_environment_facts(args):
    """lcs_environment_info's answer for one environment id from this run's shared reads, without a module
    process; None when something is not read yet (the module then reads, and shares what it read)."""
    run = open_project_run(args.get(RUN_DIR_OPTION))
    if run is None or not args.get("environment_id") or args.get("environment_name"):
        return None
    rows = run.shared("environments")
    matching = [row for row in rows or [] if same_guid(row.get("EnvironmentId"), args["environment_id"])]
    if len(matching) != 1:
        return None  # not listed yet, or not in the project: the module says what to change
    facts = environment_facts(matching[0])
    if boolean(args.get("include_history", False), strict=False):
        history = unread_history_facts(facts, boolean(args.get("skip_history_when_finished", False), strict=False))
        if history is None:
            entry = run.shared("history", facts["environment_id"])
            if not entry or not entry.get("read_at"):
                return None
            # as of the shared read, measured in LCS's clock like the module's own
            history = history_facts(entry["rows"], parse_utc(entry["read_at"]))
        facts.update(history)
    return {"changed": False, "environments": [facts]}


@contextlib.contextmanager
def one_reader(args):
    """Around the module run that reads one environment id for the run's hosts (ProjectRun.one_reader); nothing
    to hold without a shared run or for a lookup by name."""
    run = open_project_run(args.get(RUN_DIR_OPTION))
    if run is None or not args.get("environment_id") or args.get("environment_name"):
        yield
        return
    with run.one_reader(args["environment_id"]):
        yield


def _remove_ended_runs(base, current):
    for name in os.listdir(base):
        if not name.startswith(_PREFIX):
            continue
        run_id = name[len(_PREFIX):].rsplit("-", 1)[0]
        if run_id != current and not _running(run_id):
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)


def _running(run_id):
    pid = run_id.split("-", 1)[0]
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, someone else's
    return controller_run_id(int(pid)) == run_id
