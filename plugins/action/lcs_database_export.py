# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress for lcs_database_export while it waits (see plugin_utils/lcs_wait.py)."""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.plugin_utils.lcs_wait import LcsWaitingAction


class ActionModule(LcsWaitingAction):
    shares_project_run = True
    status_environment_option = "environment_id"
    wait_default = True
    finish_with_module = True
