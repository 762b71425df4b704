# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of dataalm_sign_in: show the device code, and handle a vault-encrypted cache.

A module prints nothing until it exits, so the device code flow runs the module twice: ``step=start``
gets the code (the secret device code stays in a private file), the code and URL are displayed at
default verbosity, then ``step=finish`` waits for the person and writes the cache.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.token_cache_vault import cache_option, plain_token_cache

display = Display()
MODULE = "d365fo.dataalm.dataalm_sign_in"


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        cache = cache_option(args)
        with plain_token_cache(self._loader, cache, boolean(args.get("vault_encrypt", False))) as usable:
            args["token_cache"] = usable
            outcome = self._sign_in(args, task_vars)
        if outcome.get("token_cache"):
            outcome["token_cache"] = cache  # the file the runs use, not the decrypted working copy
        result.update(outcome)
        return result

    def _sign_in(self, args, task_vars):
        if args.get("flow", "device_code") != "device_code" or self._play_context.check_mode:
            return self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
        workdir = tempfile.mkdtemp(prefix="d365fo_sign_in.")
        try:
            flow_file = os.path.join(workdir, "device_flow.json")
            first = self._execute_module(module_name=MODULE, task_vars=task_vars,
                                         module_args=dict(args, step="start", flow_file=flow_file))
            if first.get("failed") or not first.get("pending"):
                return first
            display.display("dataalm_sign_in: %s" % first.get("message"))
            display.display("dataalm_sign_in: waiting up to %d s for the sign-in (code %s at %s)"
                            % (first.get("expires_in") or 900, first.get("user_code"), first.get("verification_uri")))
            return self._execute_module(module_name=MODULE, task_vars=task_vars,
                                        module_args=dict(args, step="finish", flow_file=flow_file))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
