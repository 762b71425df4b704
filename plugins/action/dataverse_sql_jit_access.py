# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""dataverse_sql_jit_access: a vault-encrypted token cache (plugin_utils/token_cache_vault.py), and a result that
never reaches the output while it carries the password.

The module returns the password inside ``connection_string`` for the next SQL task. Ansible masks only values
of no_log options, which this one is not, so a successful result is censored here as ``no_log: true`` would
censor it (a failure has no secret and stays readable); one line without the secret says what was granted.
"""

from __future__ import annotations

from ansible.utils.display import Display

from ansible_collections.d365fo.dataalm.plugins.plugin_utils.token_cache_vault import TokenCacheAction

display = Display()


class ActionModule(TokenCacheAction):
    token_cache_env = "PP_TOKEN_CACHE"

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if result.get("connection_string"):
            result["_ansible_no_log"] = True
            display.display("dataverse_sql_jit_access: %s access to database %s on %s as %s until %s (%s)" % (
                result.get("access"), result.get("database"), result.get("server"), result.get("user"),
                result.get("expires_at") or "an expiry the service did not state",
                task_vars.get("inventory_hostname", "") if task_vars else ""))
        return result
