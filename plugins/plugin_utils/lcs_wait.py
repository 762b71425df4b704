# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side live progress for the waiting lcs_* modules.

A module can print nothing until it exits, so a 24-hour wait would be silent. The action plugins
run the module once with ``wait: false`` (start or join), then wait in slices by running
``lcs_operation_info`` with a short ``wait_timeout`` and print a status line after each slice, the
way ansible.builtin.reboot reports progress (the loop itself: plugin_utils/sliced_wait.py). Check mode
and ``wait: false`` go straight through. The modules keep working without these plugins (for example
under ``ansible-test`` or AWX).
"""

from __future__ import annotations

import time

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.options import (
    CONNECTION_OPTIONS, DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT, OPERATION_INFO)
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.operation import TERMINAL_STATES
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.lcs_project_run import RUN_DIR_OPTION, with_project_run
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.progress import PROGRESS_VAR, format_elapsed
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.sliced_wait import wait_in_slices
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.token_cache_vault import decrypts_token_cache

display = Display()

DEFAULT_PROGRESS_INTERVAL = 300
# keys of the start result that the waiting slices must not overwrite
START_KEYS = ("action", "msg")
OPERATION_KEYS = ("operation_id", "status", "state", "started_at", "completed_at", "duration_seconds")


class LcsWaitingAction(ActionBase):
    """Base for lcs_database_refresh, lcs_database_export and lcs_operation_info."""

    _supports_check_mode = True
    _supports_async = False
    # the option naming the environment whose status endpoint follows the operation
    status_environment_option = "environment_id"
    wait_default = True
    # run the module once more after a successful wait (lcs_database_export returns the new backup then)
    finish_with_module = False
    # the provider's options passed on to the follow-up module, the follow-up module, the service's name
    # (other providers' action plugins, e.g. the Power Platform's, set these)
    connection_options = CONNECTION_OPTIONS
    follow_up = OPERATION_INFO
    service = "LCS"
    # the lcs_* plugins set it: their modules take project_run_dir (plugin_utils/lcs_project_run.py)
    shares_project_run = False

    @property
    def run_options(self):
        """The shared run's option, passed on to the follow-up module too."""
        return (RUN_DIR_OPTION,) if self.shares_project_run else ()

    # the plane's variable the modules' token_cache falls back to
    token_cache_env = "LCS_TOKEN_CACHE"

    @decrypts_token_cache
    def run(self, tmp=None, task_vars=None):
        # a vault-encrypted token cache is decrypted around the module runs and re-encrypted after them
        return self._run(tmp, task_vars)

    def _run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        # the hosts of this run share the project's listing, informative reads and rate limits
        args = with_project_run(self._task, dict(self._task.args)) if self.shares_project_run else dict(self._task.args)
        module = self._task.resolved_action or self._task.action
        wait = boolean(args.get("wait", self.wait_default), strict=False)
        if self._play_context.check_mode or not wait:
            result.update(self._execute_module(module_name=module, module_args=args, task_vars=task_vars))
            return result

        started_at = time.monotonic()
        wait_timeout = int(args.get("wait_timeout") or DEFAULT_WAIT_TIMEOUT)
        first = self._execute_module(module_name=module, module_args=dict(args, wait=False), task_vars=task_vars)
        name = module.rsplit(".", 1)[-1]
        if first.get("failed") or not first.get("operation_id") or first.get("state") in TERMINAL_STATES:
            result.update(first)
            return result
        display.display("%s: operation %s %s, status %s" % (
            name, first["operation_id"], first.get("action") or "found", first.get("status")))
        latest = self._follow(args, task_vars, name, first["operation_id"], started_at, wait_timeout)
        if self.finish_with_module and latest.get("state") == "succeeded" and not latest.get("failed"):
            # one more module run on the finished operation adds what only the module knows (the backup)
            final = self._execute_module(module_name=module, task_vars=task_vars,
                                         module_args=dict(args, operation_id=first["operation_id"], wait=False))
            if not final.get("failed"):
                latest = dict(latest, **{k: v for k, v in final.items() if k not in ("changed",) + START_KEYS})
        return self._merge(result, first, latest, wait_timeout, self.service)

    def _follow(self, args, task_vars, name, operation_id, started_at, wait_timeout):
        """Wait in slices of the follow-up module, printing a progress line after each; the last result."""
        poll_interval = int(args.get("poll_interval") or DEFAULT_POLL_INTERVAL)
        progress_interval = int(task_vars.get(PROGRESS_VAR) or DEFAULT_PROGRESS_INTERVAL)
        follow = {k: args[k] for k in self.connection_options + self.run_options if k in args}
        follow.update(environment_id=args.get(self.status_environment_option), operation_id=operation_id,
                      poll_interval=poll_interval, wait=True)

        def run_slice(seconds):
            return self._execute_module(module_name=self.follow_up, module_args=dict(follow, wait_timeout=seconds),
                                        task_vars=task_vars)

        def show(latest, elapsed, _ended):
            # after every slice, the last one too: the user sees the status the wait ended on
            display.display("%s: operation %s status %s, elapsed %s" % (
                name, operation_id, latest.get("status") or "unknown", format_elapsed(elapsed)))

        # a slice at least one poll long, or the module would look only once per slice
        return wait_in_slices(run_slice, wait_timeout, max(progress_interval, poll_interval), show,
                              started=started_at).result

    @staticmethod
    def _merge(result, first, latest, wait_timeout, service="LCS"):
        merged = dict(first)
        for key, value in latest.items():
            if key in START_KEYS or key == "invocation":
                continue
            if value is None and key in OPERATION_KEYS:
                continue  # a slice in which no poll succeeded knows less than the start did
            merged[key] = value
        merged.pop("done", None)
        merged.pop("type", None)
        merged["changed"] = first.get("changed", False)
        if latest.get("timed_out"):
            merged["msg"] = ("timed out after %d s waiting for operation %s (last status %s); the operation keeps "
                             "running in %s: re-run the task (it joins the running operation) or pass operation_id"
                             % (wait_timeout, first["operation_id"], latest.get("status"), service))
        elif latest.get("failed"):
            merged["msg"] = latest.get("msg")
        result.update(merged)
        return result
