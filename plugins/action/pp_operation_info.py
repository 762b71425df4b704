# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress for pp_operation_info while it waits (see plugin_utils/lcs_wait.py)."""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.options import CONNECTION_OPTIONS, OPERATION_INFO
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.lcs_wait import LcsWaitingAction
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.token_cache_vault import decrypts_token_cache


class ActionModule(LcsWaitingAction):
    status_environment_option = "environment_id"
    wait_default = False
    connection_options = CONNECTION_OPTIONS
    follow_up = OPERATION_INFO
    service = "the Power Platform"
    token_cache_env = "PP_TOKEN_CACHE"

    @decrypts_token_cache  # around every module run below, not only the waiting base's
    def run(self, tmp=None, task_vars=None):
        if not self._task.args.get("operation_id"):
            # nothing to follow in slices: the module lists operations, or refuses wait without an id
            result = super(LcsWaitingAction, self).run(tmp, task_vars)
            module = self._task.resolved_action or self._task.action
            result.update(self._execute_module(module_name=module, module_args=dict(self._task.args),
                                               task_vars=task_vars or {}))
            return result
        result = super().run(tmp, task_vars)
        if not result.get("failed") and result.get("state") == "failed" and self._task.args.get("wait"):
            # it had already failed before the first look: the waiting module reports that as a failure
            module = self._task.resolved_action or self._task.action
            result.update(self._execute_module(module_name=module, module_args=dict(self._task.args),
                                               task_vars=task_vars or {}))
        return result
