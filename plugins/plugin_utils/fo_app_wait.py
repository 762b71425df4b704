# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side live progress for the data package modules while they wait.

A module prints nothing until it exits, so the action plugin runs it in slices: each run waits at most
``d365fo_dataalm_progress_interval`` seconds (default 60) and fails with ``timed_out``; the plugin prints the
execution's status and the elapsed time, then runs the module again with the same ``execution_id``, which
follows the execution instead of starting one. Check mode and ``wait: false`` go straight through, and the
modules work without this plugin (ansible-test, AWX).
"""

from __future__ import annotations

import os
import time

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.progress import PROGRESS_VAR, format_elapsed
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.token_cache_vault import decrypts_token_cache

display = Display()

DEFAULT_WAIT_TIMEOUT = 7200
DEFAULT_PROGRESS_INTERVAL = 60


def _positive(*values):
    """True unless one of the given (not omitted) values is not a positive number."""
    for value in values:
        if value is None:
            continue
        try:
            if int(value) <= 0:
                return False
        except (TypeError, ValueError):
            return False
    return True


class PackageWaitingAction(ActionBase):
    _supports_check_mode = True
    _supports_async = False
    token_cache_env = "FO_TOKEN_CACHE"

    @decrypts_token_cache  # a vault-encrypted token cache, decrypted around every slice
    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        module = self._task.resolved_action or self._task.action
        if self._play_context.check_mode or not boolean(args.get("wait", True), strict=False) or not _positive(
                args.get("wait_timeout"), args.get("poll_interval")):
            # check mode, no wait, or a wait the module will refuse (it says what to change): one plain run
            result.update(self._execute_module(module_name=module, module_args=args, task_vars=task_vars))
            return result
        wait_timeout = int(args.get("wait_timeout") or DEFAULT_WAIT_TIMEOUT)
        interval = int(task_vars.get(PROGRESS_VAR) or DEFAULT_PROGRESS_INTERVAL)
        started = time.monotonic()
        changed = False
        name = module.rsplit(".", 1)[-1]
        # this worker's parent is the controller; once it is gone nobody reads the result, so no further slice runs
        # (issue 9 item 13, as in lcs_wait)
        controller = os.getppid()
        while True:
            remaining = wait_timeout - (time.monotonic() - started)
            slice_seconds = int(max(1, min(remaining, interval)))
            latest = self._execute_module(module_name=module, module_args=dict(args, wait_timeout=slice_seconds),
                                          task_vars=task_vars)
            changed = changed or bool(latest.get("changed"))
            elapsed = time.monotonic() - started
            if not (latest.get("failed") and latest.get("timed_out")) or not latest.get("execution_id") \
                    or os.getppid() != controller:
                break
            display.display("%s: execution %s status %s, elapsed %s" % (
                name, latest["execution_id"], latest.get("status") or "unknown", format_elapsed(elapsed)))
            if elapsed >= wait_timeout:
                latest["msg"] = ("timed out after %d s waiting for execution %s (last status %s); it keeps running in "
                                 "F&O: re-run the task to follow it"
                                 % (wait_timeout, latest["execution_id"], latest.get("status")))
                break
            # the next slice follows this execution; it never starts another one
            args["execution_id"] = latest["execution_id"]
        latest.pop("invocation", None)
        result.update(latest)
        result["changed"] = changed
        return result
