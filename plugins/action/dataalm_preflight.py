# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""dataalm_preflight on the controller, without a module process (see plugin_utils/controller_module.py)."""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.modules import dataalm_preflight
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.controller_module import ControllerModuleAction


class ActionModule(ControllerModuleAction):
    module = dataalm_preflight
