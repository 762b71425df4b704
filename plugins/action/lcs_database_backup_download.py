# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress for lcs_database_backup_download (bytes, rate, time left, resumes).

The module runs once, in a helper thread, while this plugin reads the progress file the module
keeps (see module_utils/_download_progress.py) and prints a line at default verbosity every
``d365fo_dataalm_progress_interval`` seconds (default 30), and each resume or fresh link as it
happens. Progress needs the module to run on the controller (``connection: local``, as every
module of the collection does); elsewhere, and in check mode, the module simply runs.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.d365fo.dataalm.plugins.module_utils._download_progress import (
    PROGRESS_FILE_ENV, progress_line, read_progress)

display = Display()

DEFAULT_PROGRESS_INTERVAL = 30
PROGRESS_VAR = "d365fo_dataalm_progress_interval"
POLL_SECONDS = 0.5
# what the module reads of a backup result; the rest (a download_url above all) never reaches it
BACKUP_KEYS = ("id", "name", "file_name", "created_at")


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        if isinstance(args.get("backup"), dict):
            args["backup"] = {k: v for k, v in args["backup"].items() if k in BACKUP_KEYS}
        module = self._task.resolved_action or self._task.action
        if self._play_context.check_mode or not self._runs_on_controller():
            result.update(self._execute_module(module_name=module, module_args=args, task_vars=task_vars))
            return result
        interval = float(task_vars.get(PROGRESS_VAR) or DEFAULT_PROGRESS_INTERVAL)
        descriptor, progress_path = tempfile.mkstemp(prefix="dataalm-download-", suffix=".json")
        os.close(descriptor)
        outcome = {}

        def execute():
            try:
                outcome["result"] = self._execute_module(module_name=module, module_args=args, task_vars=task_vars)
            except BaseException as exc:  # handed to the main thread, which raises it
                outcome["error"] = exc

        # the module process inherits the worker's environment (local connection)
        os.environ[PROGRESS_FILE_ENV] = progress_path
        try:
            worker = threading.Thread(target=execute, name="lcs_database_backup_download", daemon=True)
            worker.start()
            self._show_progress(worker, progress_path, interval)
        finally:
            os.environ.pop(PROGRESS_FILE_ENV, None)
            for path in (progress_path, progress_path + ".tmp"):
                if os.path.exists(path):
                    os.unlink(path)
        if "error" in outcome:
            raise outcome["error"]
        result.update(outcome["result"])
        return result

    def _runs_on_controller(self):
        name = getattr(self._connection, "_load_name", "") or getattr(self._connection, "transport", "")
        return str(name).rsplit(".", 1)[-1] == "local"

    @staticmethod
    def _show_progress(worker, progress_path, interval):
        started = last_line = time.monotonic()
        shown = 0
        while True:
            worker.join(POLL_SECONDS)
            data = read_progress(progress_path) or {}
            label = data.get("label") or "download"
            events = data.get("events") or []
            for event in events[shown:]:
                display.display("%s: %s" % (label, event))
            shown = len(events)
            if not worker.is_alive():
                return
            now = time.monotonic()
            if now - last_line >= interval and data.get("bytes") is not None:
                display.display(progress_line(data, now - started))
                last_line = now
