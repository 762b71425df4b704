# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""lcs_environment_info with the run's shared project listing and rate gate (plugin_utils/lcs_project_run.py)
and a vault-encrypted token cache (plugin_utils/lcs_wait.py); it never waits, so it runs the module once.

An environment this run has already read (listing, and history when asked) is answered on the
controller without a module process: a fleet's hosts all read the same source environment. While one
host's module reads an environment the run has not read yet, the other hosts asking for it wait for that
read and are answered from it (one module process for the fleet, not one per host).
"""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.plugin_utils.lcs_project_run import one_reader, shared_environment_facts
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.lcs_wait import LcsWaitingAction


class ActionModule(LcsWaitingAction):
    shares_project_run = True
    wait_default = False

    def _execute_module(self, module_name=None, module_args=None, task_vars=None, **kwargs):
        args = module_args or {}
        answer = shared_environment_facts(args)
        if answer is not None:
            return answer
        with one_reader(args):
            answer = shared_environment_facts(args)  # read by the host that held the reader's lock meanwhile
            if answer is not None:
                return answer
            return super()._execute_module(module_name=module_name, module_args=module_args, task_vars=task_vars,
                                           **kwargs)
