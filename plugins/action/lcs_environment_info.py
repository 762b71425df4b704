# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""lcs_environment_info with the run's shared project listing and rate gate (plugin_utils/lcs_project_run.py)
and a vault-encrypted token cache (plugin_utils/lcs_wait.py); it never waits, so it runs the module once."""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.plugin_utils.lcs_wait import LcsWaitingAction


class ActionModule(LcsWaitingAction):
    shares_project_run = True
    wait_default = False
