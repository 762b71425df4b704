# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress for lcs_restore_watch: the module runs in slices of the wait, and a line is printed after
each (no restore yet / its status), the way plugin_utils/lcs_wait.py does for started operations (the loop:
plugin_utils/sliced_wait.py)."""

from __future__ import annotations

from ansible.utils.display import Display
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.options import (DEFAULT_POLL_INTERVAL,
                                                                                  DEFAULT_WAIT_TIMEOUT)
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.lcs_wait import DEFAULT_PROGRESS_INTERVAL
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.progress import PROGRESS_VAR, format_elapsed
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.sliced_wait import SlicedWaitAction, wait_in_slices

display = Display()


class ActionModule(SlicedWaitAction):
    token_cache_env = "LCS_TOKEN_CACHE"

    def _wait(self, module, args, task_vars):
        """The module run slice after slice until it finds the restore and the restore ends: the last result."""
        wait_timeout = int(args.get("wait_timeout") or DEFAULT_WAIT_TIMEOUT)

        def run_slice(seconds):
            return self._execute_module(module_name=module, task_vars=task_vars,
                                        module_args=dict(args, wait_timeout=seconds))

        def show(latest, elapsed, ended):
            if ended is None:  # only between slices: the result says how the watch ended
                display.display("lcs_restore_watch: %s, elapsed %s" % (
                    "restore %s status %s" % (latest.get("operation_id"), latest.get("status")) if latest.get("found")
                    else "no restore started in LCS yet on %s" % args.get("environment_id"), format_elapsed(elapsed)))

        # a slice at least one poll long, or the module would look only once per slice
        slice_seconds = max(int(task_vars.get(PROGRESS_VAR) or DEFAULT_PROGRESS_INTERVAL),
                            int(args.get("poll_interval") or DEFAULT_POLL_INTERVAL))
        latest = wait_in_slices(run_slice, wait_timeout, slice_seconds, show).result
        if latest.get("timed_out") and not latest.get("found"):
            latest["msg"] = ("no point-in-time restore of environment %s started in LCS since %s within %d s: start it "
                             "in the LCS portal as the instruction says, then run the same playbook again (it finds "
                             "the restore and does not restore Dataverse a second time)"
                             % (args.get("environment_id"), args.get("started_after"), wait_timeout))
        return latest
