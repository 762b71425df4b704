# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The LCS connection and wait options, defined once for the lcs_* modules and their action plugins.

The modules build their argument spec from these; the action plugins pass the same connection
options on to the follow-up module (one option adapter for modules and controller plugins, as in
community.hashi_vault: https://github.com/ansible-collections/community.hashi_vault/blob/main/plugins/module_utils/_hashi_vault_common.py).
Documented in plugins/doc_fragments/lcs.py and wait.py.
"""

from __future__ import annotations

from .._auth import DEFAULT_AUTHORITY, auth_argument_spec
from .._env import env_fallback

DEFAULT_LCS_API_URL = "https://lcsapi.lcs.dynamics.com"
DEFAULT_AUTHORITY_URL = DEFAULT_AUTHORITY
DEFAULT_WAIT_TIMEOUT = 90000  # 25 hours: a refresh may take up to 24
DEFAULT_POLL_INTERVAL = 60
# the module that follows any LCS database operation by id
OPERATION_INFO = "d365fo.dataalm.lcs_operation_info"


def connection_argument_spec():
    """Sign-in and endpoint options every lcs_* module takes."""
    return dict(
        # client_id, username, password, token_cache, refresh_token ... (doc fragment d365fo.dataalm.auth)
        **auth_argument_spec("LCS"),
        lcs_api_url=dict(type="str", default=DEFAULT_LCS_API_URL, fallback=(env_fallback, ["LCS_API_URL"])),
        project_id=dict(type="int", fallback=(env_fallback, ["LCS_PROJECT_ID"])),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path", fallback=(env_fallback, ["LCS_CA_PATH"])),
        timeout=dict(type="int", default=60),
    )


def project_run_argument_spec():
    """Set by the action plugins of the lcs_* modules: what the hosts of one run share (project_run.py)."""
    return dict(project_run_dir=dict(type="path"))


def wait_argument_spec(wait_default=True):
    """Options of every module that can wait on an operation."""
    return dict(
        wait=dict(type="bool", default=wait_default),
        wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
        poll_interval=dict(type="int", default=DEFAULT_POLL_INTERVAL),
    )


CONNECTION_OPTIONS = tuple(connection_argument_spec())
