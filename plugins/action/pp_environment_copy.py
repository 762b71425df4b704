# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress for pp_environment_copy while it waits (see plugin_utils/pp_lifecycle_wait.py)."""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.plugin_utils.pp_lifecycle_wait import PpLifecycleAction


class ActionModule(PpLifecycleAction):
    pass
