# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress for pp_environment_restore and pp_environment_copy (the waiting action of lcs_wait.py,
following the operation with pp_operation_info)."""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.module_utils._dates import parse_datetime
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.options import CONNECTION_OPTIONS, OPERATION_INFO
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.lcs_wait import LcsWaitingAction


class PpLifecycleAction(LcsWaitingAction):
    status_environment_option = "target_environment_id"
    wait_default = True
    connection_options = CONNECTION_OPTIONS
    follow_up = OPERATION_INFO
    service = "the Power Platform"
    token_cache_env = "PP_TOKEN_CACHE"

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if result.get("duration_seconds") is None:
            # the follow-up module reports times, not the duration: derive it like the module does
            started, completed = parse_datetime(result.get("started_at")), parse_datetime(result.get("completed_at"))
            if started and completed:
                result["duration_seconds"] = max(0, int((completed - started).total_seconds()))
        return result
