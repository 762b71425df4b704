# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress for fo_app_cleanup while it sends its batches (see plugin_utils/progress.py), with a vault-encrypted
token cache decrypted around the module (see plugin_utils/token_cache_vault.py)."""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.plugin_utils.progress import ProgressAction
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.token_cache_vault import decrypts_token_cache


class ActionModule(ProgressAction):
    token_cache_env = "FO_TOKEN_CACHE"

    @decrypts_token_cache
    def run(self, tmp=None, task_vars=None):
        return super().run(tmp, task_vars)
