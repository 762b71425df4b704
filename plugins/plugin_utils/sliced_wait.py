# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's wait on a long operation, one module run per slice.

A module prints nothing until it exits, so a wait of hours inside one module run would be silent. The
waiting action plugins (lcs_wait.py, pp_lifecycle_wait.py, fo_app_wait.py, lcs_restore_watch) therefore run
a module that waits at most one slice and fails with ``timed_out`` when the operation has not ended by
then; ``wait_in_slices`` runs slice after slice, hands every result to the plugin's progress callback, and
stops at the first result that is not such an unfinished slice, at the task's deadline, or as soon as the
controller that asked for the wait is gone. Each slice is a fresh module run, so the next playbook run can
resume a wait the same way (the module finds the running operation again). ``SlicedWaitAction`` is the
``run`` of a plugin whose module both starts and follows the wait (data packages, lcs_restore_watch).
"""

from __future__ import annotations

import os
import time
from collections import namedtuple

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.token_cache_vault import decrypts_token_cache

# why a wait ended: the operation ended (or the module failed for another reason), the task's wait_timeout
# passed, or the controller died
FINISHED = "finished"
DEADLINE = "deadline"
CONTROLLER_GONE = "controller gone"

SlicedWait = namedtuple("SlicedWait", "result elapsed ended")


def timed_out_slice(result):
    """True for a slice that ran out of time while the operation still runs (the module's ``timed_out``)."""
    return bool(result.get("failed") and result.get("timed_out"))


def controller_watch():
    """A callable that is True while the controller that started this worker still runs.

    Ansible forks a worker per task; its parent is the ansible-playbook process. When that dies (killed by
    an OOM killer or a CI agent's timeout) the worker is re-parented, and nobody would read the result:
    no further slice may start (issue 9 item 13), or the wait would go on for hours behind the user's back.
    """
    controller = os.getppid()
    return lambda: os.getppid() == controller


def wait_in_slices(run_slice, wait_timeout, slice_seconds, on_slice, unfinished=timed_out_slice,
                   started=None, clock=time.monotonic, controller_alive=None):
    """Run ``run_slice(seconds)`` until the operation ends; a ``SlicedWait(result, elapsed, ended)``.

    ``run_slice`` runs the module for at most ``seconds`` and returns its result; ``unfinished(result)``
    says the slice ran out while the operation goes on. After every slice, while the controller lives,
    ``on_slice(result, elapsed, ended)`` is called: ``ended`` is None when another slice follows, else
    FINISHED or DEADLINE, so a plugin can print after every slice or only between them. ``started`` (a
    ``clock`` reading) lets the deadline count time spent before the first slice, e.g. starting the
    operation. ``ended`` is CONTROLLER_GONE, without a call of ``on_slice``, once the controller is gone.
    """
    started = clock() if started is None else started
    alive = controller_alive or controller_watch()
    while True:
        remaining = wait_timeout - (clock() - started)
        # never longer than the time left, never less than one second (a module refuses a zero wait)
        latest = run_slice(int(max(1, min(remaining, slice_seconds))))
        elapsed = clock() - started
        if not alive():
            return SlicedWait(latest, elapsed, CONTROLLER_GONE)
        if not unfinished(latest):
            ended = FINISHED
        elif wait_timeout - elapsed <= 0:
            ended = DEADLINE
        else:
            ended = None
        on_slice(latest, elapsed, ended)
        if ended:
            return SlicedWait(latest, elapsed, ended)


class SlicedWaitAction(ActionBase):
    """The action plugin of a module that waits in slices of its own runs (fo_app_wait.py, lcs_restore_watch).

    Check mode, ``wait: false`` and a wait the module will refuse run the module once, as the normal action
    would; otherwise ``_wait(module, args, task_vars)`` waits and returns the result. (lcs_wait.py starts the
    operation with one module and follows it with another, so it has its own ``run`` around the same loop.)
    """

    _supports_check_mode = True
    _supports_async = False  # the slices are separate module runs; an async task could not be followed
    token_cache_env = "LCS_TOKEN_CACHE"  # the plane's variable the modules' token_cache falls back to

    @decrypts_token_cache  # a vault-encrypted token cache, decrypted around every slice
    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        module = self._task.resolved_action or self._task.action
        if self._play_context.check_mode or not boolean(args.get("wait", True), strict=False) \
                or not self._can_wait(args):
            result.update(self._execute_module(module_name=module, module_args=args, task_vars=task_vars))
            return result
        result.update(self._wait(module, args, task_vars))
        return result

    def _can_wait(self, args):
        """False for a wait the module will refuse: one plain run lets it say what to change."""
        return True

    def _wait(self, module, args, task_vars):
        raise NotImplementedError
