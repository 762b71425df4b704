# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress of long module steps (SQL clean-up, OData paging) on the controller.

The action plugin runs the module in a thread and, while it runs, prints a line every
``d365fo_dataalm_progress_interval`` seconds (default 30) at default verbosity from the state the
module writes through module_utils/_progress.py::

    fo_database_cleanup: disable_users 12,000 of 48,210 rows, elapsed 0:01:10

The module learns where to write from the environment variable ``D365FO_DATAALM_PROGRESS_FILE``, a
private file in a directory of the controller's own. Only modules that run on the controller
(``connection: local``, as every module of this collection does) are followed; elsewhere, and for
``async`` tasks, the module simply runs as with the normal action. To give a module live progress, add
``plugins/action/<module>.py`` with ``class ActionModule(ProgressAction): pass`` and call
``_progress.from_environment().update(...)`` in the module's long loop.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()

PROGRESS_FILE_ENV = "D365FO_DATAALM_PROGRESS_FILE"  # module_utils/_progress.py reads the same name
PROGRESS_VAR = "d365fo_dataalm_progress_interval"
DEFAULT_INTERVAL = 30


def format_elapsed(seconds):
    seconds = int(max(0, seconds))
    return "%d:%02d:%02d" % (seconds // 3600, seconds % 3600 // 60, seconds % 60)


def read_state(path):
    """The module's latest state, or None before its first write (or when the file is unreadable)."""
    try:
        with open(path) as handle:
            state = json.load(handle)
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def progress_line(name, state, elapsed):
    """One human line: step, rows done of rows known, status, elapsed; never a JSON dump."""
    if not state:
        return "%s: running, elapsed %s" % (name, format_elapsed(elapsed))
    unit = state.get("unit") or "rows"
    done, total = state.get("done"), state.get("total")
    if done is not None and total is not None:
        amount = "%s of %s %s" % (format(int(done), ","), format(int(total), ","), unit)
    elif done is not None:
        amount = "%s %s" % (format(int(done), ","), unit)
    else:
        amount = ""
    if state.get("fraction") is not None:
        percent = 100 * float(state["fraction"])
        amount += (" (%.1f%%)" if percent < 10 else " (%d%%)") % (percent if percent < 10 else int(percent))
    status = state.get("status") or "running"
    parts = [str(state.get("step") or ""), amount.strip(), "" if status == "running" else status]
    return "%s: %s, elapsed %s" % (name, " ".join(p for p in parts if p), format_elapsed(elapsed))


class ProgressAction(ActionBase):
    """Runs the task's module and prints its progress while it runs."""

    _supports_check_mode = True
    _supports_async = True  # an async task (async/poll) runs as with the normal action, without live lines

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        module = self._task.resolved_action or self._task.action
        if self._task.async_val or getattr(self._connection, "transport", None) != "local":
            wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
            result.update(self._execute_module(module_name=module, task_vars=task_vars, wrap_async=wrap_async))
        else:
            interval = max(1, int(task_vars.get(PROGRESS_VAR) or DEFAULT_INTERVAL))
            directory = tempfile.mkdtemp(prefix="dataalm-progress-")  # private (0700) to this user
            try:
                result.update(self._run_followed(module, task_vars, os.path.join(directory, "state.json"), interval))
            finally:
                shutil.rmtree(directory, ignore_errors=True)
        if not self._task.async_val:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # as the normal action does
        return result

    def _run_followed(self, module, task_vars, path, interval):
        name = module.rsplit(".", 1)[-1]
        environment = self._task.environment or []
        self._task.environment = (environment if isinstance(environment, list) else [environment]) + [
            {PROGRESS_FILE_ENV: path}]
        outcome = {}

        def execute():
            try:
                outcome["result"] = self._execute_module(module_name=module, task_vars=task_vars)
            except Exception as exc:  # pylint: disable=broad-exception-caught
                outcome["error"] = exc  # re-raised on the worker's own thread below

        started = time.monotonic()
        worker = threading.Thread(target=execute, name="dataalm-%s" % name, daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(interval)
            if worker.is_alive():
                display.display(progress_line(name, read_state(path), time.monotonic() - started))
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]
