# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fo_app_followup_info with a vault-encrypted token cache (see plugin_utils/token_cache_vault.py)."""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.plugin_utils.token_cache_vault import TokenCacheAction


class ActionModule(TokenCacheAction):
    token_cache_env = "FO_TOKEN_CACHE"
