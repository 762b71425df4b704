# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side live progress for the data package modules while they wait.

A module prints nothing until it exits, so the action plugin runs it in slices: each run waits at most
``d365fo_dataalm_progress_interval`` seconds (default 60) and fails with ``timed_out``; the plugin prints the
execution's status and the elapsed time, then runs the module again with the same ``execution_id``, which
follows the execution instead of starting one (the loop: plugin_utils/sliced_wait.py). Check mode and
``wait: false`` go straight through, and the modules work without this plugin (ansible-test, AWX).
"""

from __future__ import annotations

from ansible.utils.display import Display
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.progress import PROGRESS_VAR, format_elapsed
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.sliced_wait import (
    DEADLINE, FINISHED, SlicedWaitAction, timed_out_slice, wait_in_slices)

display = Display()

DEFAULT_WAIT_TIMEOUT = 7200
DEFAULT_PROGRESS_INTERVAL = 60


def _following_an_execution(result):
    """A slice that ran out while an execution it can name goes on; without the id the next slice could not follow
    it (it would start another one), so such a result ends the wait."""
    return timed_out_slice(result) and bool(result.get("execution_id"))


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


class PackageWaitingAction(SlicedWaitAction):
    token_cache_env = "FO_TOKEN_CACHE"

    def _can_wait(self, args):
        return _positive(args.get("wait_timeout"), args.get("poll_interval"))

    def _wait(self, module, args, task_vars):
        """The module run slice after slice on one execution: the last result, changed when any slice changed."""
        wait_timeout = int(args.get("wait_timeout") or DEFAULT_WAIT_TIMEOUT)
        name = module.rsplit(".", 1)[-1]
        changes = []

        def run_slice(seconds):
            latest = self._execute_module(module_name=module, module_args=dict(args, wait_timeout=seconds),
                                          task_vars=task_vars)
            changes.append(bool(latest.get("changed")))
            if latest.get("execution_id"):
                # the next slice follows this execution; it never starts another one
                args["execution_id"] = latest["execution_id"]
            return latest

        def show(latest, elapsed, ended):
            if ended != FINISHED:  # between slices and at the deadline; the module's own result says how it ended
                display.display("%s: execution %s status %s, elapsed %s" % (
                    name, latest["execution_id"], latest.get("status") or "unknown", format_elapsed(elapsed)))

        waited = wait_in_slices(run_slice, wait_timeout, int(task_vars.get(PROGRESS_VAR) or DEFAULT_PROGRESS_INTERVAL),
                                show, unfinished=_following_an_execution)
        latest = waited.result
        if waited.ended == DEADLINE:
            latest["msg"] = ("timed out after %d s waiting for execution %s (last status %s); it keeps running in "
                             "F&O: re-run the task to follow it"
                             % (wait_timeout, latest["execution_id"], latest.get("status")))
        latest.pop("invocation", None)
        return dict(latest, changed=any(changes))
