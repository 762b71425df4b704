# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entra ID sign-in for every plane (LCS, Power Platform, F&O environment URLs), through msal.

A person signs in once, interactively (``playbooks/sign_in.yml``: device code or browser with PKCE),
into a shared token cache; every run after that acquires tokens silently from the cache and renews
them before they expire, so a 24-hour wait never sees a 401 and no run ever needs a password.

API for modules (every module that signs in uses it the same way)::

    from ansible_collections.d365fo.dataalm.plugins.module_utils._auth import (
        MSAL_IMPORT_ERROR, AuthError, auth_argument_spec, auth_problem, build_token_provider, resource_scope)

    # 1. options: documented by ``extends_documentation_fragment: [d365fo.dataalm.auth]``
    argument_spec = dict(auth_argument_spec(), validate_certs=..., ca_path=..., timeout=..., **own_options)
    # 2. before any call (so a missing sign-in starts nothing): fail with the message if there is one
    problem = auth_problem(module.params)
    # 3. a provider per resource; hand it to _http.HttpClient(auth=provider): it sends
    #    ``provider.authorization_header()`` and calls ``provider.invalidate()`` on a 401, then retries once
    provider = build_token_provider(module.params, resource_scope(environment_url), warn=module.warn)
    # 4. AuthError (and its subclass SignInRequired) carry a message that says what to do next and
    #    ``code`` (the AADSTS number, or None): fail with ``str(exc)`` and ``aadsts=exc.code``.

The options select the flow (``auth_method``): ``access_token`` (used as is) > ``refresh_token`` >
``username``+``password`` (the password grant, with a warning) > the token cache alone. An explicit
``token_cache`` is used by every flow, so one cache serves many runs and many processes; without
credentials the default cache ``~/.ansible/d365fo_dataalm/token_cache.json`` is used. The cache is
0600, shared safely between processes (see cache.py) and may be read-only. Scopes: ``lcs_scope(url)``
for LCS, ``resource_scope(url)`` for the Power Platform API, F&O and Dataverse URLs.
"""

from __future__ import annotations

from .cache import DEFAULT_TOKEN_CACHE, MSAL_EXTENSIONS_IMPORT_ERROR, TokenCacheFile, cache_path
from .errors import AADSTS_ADVICE, SIGN_IN_AGAIN, AuthError, SignInRequired, advice_for, refusal, sign_in_again
from .options import (auth_argument_spec, auth_method, auth_problem, build_token_provider, lcs_scope, resource_scope,
                      token_cache_for)
from .providers import (DEFAULT_AUTHORITY, MSAL_IMPORT_ERROR, PASSWORD_GRANT_WARNING, MsalTokenProvider, StaticToken,
                        build_application, token_claims)

__all__ = [
    "AADSTS_ADVICE", "DEFAULT_AUTHORITY", "DEFAULT_TOKEN_CACHE", "MSAL_EXTENSIONS_IMPORT_ERROR", "MSAL_IMPORT_ERROR",
    "PASSWORD_GRANT_WARNING", "SIGN_IN_AGAIN", "AuthError", "MsalTokenProvider", "SignInRequired", "StaticToken",
    "TokenCacheFile", "advice_for", "auth_argument_spec", "auth_method", "auth_problem", "build_application",
    "build_token_provider", "cache_path", "lcs_scope", "refusal", "resource_scope", "sign_in_again",
    "token_cache_for", "token_claims",
]
