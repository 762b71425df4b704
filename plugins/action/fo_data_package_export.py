# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress for fo_data_package_export while it waits (see plugin_utils/fo_app_wait.py)."""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.plugin_utils.fo_app_wait import PackageWaitingAction


class ActionModule(PackageWaitingAction):
    pass
