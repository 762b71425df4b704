# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress for lcs_database_backup_download: bytes, rate, time left, and each resume at once.

It follows the collection's progress mechanism (plugin_utils/progress.py): the module runs once,
in a helper thread, with ``D365FO_DATAALM_PROGRESS_FILE`` naming a file in a private directory,
and this plugin prints from that file at default verbosity, a progress line every
``d365fo_dataalm_progress_interval`` seconds (default 30). Unlike a row count, a download also has
events the user should see as they happen (a dropped connection, a fresh link), so the file is read
every half second and new events are printed straight away. Progress needs the module to run on
the controller (``connection: local``, as every module of the collection does); elsewhere, and in
check mode, the module simply runs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.d365fo.dataalm.plugins.module_utils._download_progress import human_bytes
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.progress import (
    DEFAULT_INTERVAL, PROGRESS_FILE_ENV, PROGRESS_VAR, format_elapsed, read_state)
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.token_cache_vault import decrypts_token_cache

display = Display()

POLL_SECONDS = 0.5
# what the module reads of a backup result; the rest (a download_url above all) never reaches it
BACKUP_KEYS = ("id", "name", "file_name", "created_at")


def progress_line(state, elapsed):
    """``uat.bacpac: 1.2 GiB of 4.0 GiB (30%), 85.3 MiB/s, 0:00:34 left, elapsed 0:00:15``."""
    done, total, rate = state.get("bytes") or 0, state.get("total"), state.get("rate")
    parts = [human_bytes(done) + (" of %s (%d%%)" % (human_bytes(total), 100 * done // total) if total else "")]
    if rate:
        parts.append("%s/s" % human_bytes(rate))
        if total:
            parts.append("%s left" % format_elapsed((total - done) / rate))
    parts.append("elapsed %s" % format_elapsed(elapsed))
    return "%s: %s" % (state.get("label") or "download", ", ".join(parts))


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = True  # an async task (async/poll) runs as with the normal action, without live lines
    token_cache_env = "LCS_TOKEN_CACHE"

    @decrypts_token_cache  # a vault-encrypted token cache, decrypted around the module run
    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        if isinstance(args.get("backup"), dict):
            args["backup"] = {k: v for k, v in args["backup"].items() if k in BACKUP_KEYS}
        module = self._task.resolved_action or self._task.action
        followed = (not self._task.async_val and not self._play_context.check_mode
                    and getattr(self._connection, "transport", None) == "local")
        if not followed:
            wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
            result.update(self._execute_module(module_name=module, module_args=args, task_vars=task_vars,
                                               wrap_async=wrap_async))
        else:
            interval = max(1, int(task_vars.get(PROGRESS_VAR) or DEFAULT_INTERVAL))
            directory = tempfile.mkdtemp(prefix="dataalm-download-")  # private (0700) to this user
            try:
                result.update(self._run_followed(module, args, task_vars, os.path.join(directory, "state.json"),
                                                 interval))
            finally:
                shutil.rmtree(directory, ignore_errors=True)
        if not self._task.async_val:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # as the normal action does
        return result

    def _run_followed(self, module, args, task_vars, path, interval):
        environment = self._task.environment or []
        self._task.environment = (environment if isinstance(environment, list) else [environment]) + [
            {PROGRESS_FILE_ENV: path}]
        outcome = {}

        def execute():
            try:
                outcome["result"] = self._execute_module(module_name=module, module_args=args, task_vars=task_vars)
            except Exception as exc:  # pylint: disable=broad-exception-caught
                outcome["error"] = exc  # re-raised on the worker's own thread below

        worker = threading.Thread(target=execute, name="dataalm-lcs_database_backup_download", daemon=True)
        worker.start()
        self._show_progress(worker, path, interval)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    @staticmethod
    def _show_progress(worker, path, interval):
        started = last_line = time.monotonic()
        shown = 0
        while True:
            worker.join(POLL_SECONDS)
            state = read_state(path) or {}
            events = state.get("events") or []
            for event in events[shown:]:
                display.display("%s: %s" % (state.get("label") or "download", event))
            shown = len(events)
            if not worker.is_alive():
                return
            now = time.monotonic()
            if now - last_line >= interval and state.get("bytes") is not None:
                display.display(progress_line(state, now - started))
                last_line = now
