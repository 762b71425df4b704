# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tokens for ``{environment_url}/.default``: the audience F&O checks is the environment URL itself.

Two identities work (data-management-api.md, 2026; SCHEDCOPY): an Entra application registered in the
environment (System administration > Setup > Microsoft Entra applications) with the client-credentials
grant, or a person's delegated token (after a database movement only the environment administrator can
still sign in) from the shared sign-in cache or a refresh token, through ``_auth``.
"""

from __future__ import annotations

import time

from .._auth import AuthError, StaticToken, advice_for, auth_argument_spec, build_application, build_token_provider
from .._auth import resource_scope

# the password grant stays with LCS: a person signs in once (sign_in.yml) and the cache serves F&O too
NOT_FOR_FO = ("username", "password")


def sign_in_argument_spec():
    """The shared sign-in options of ``_auth`` with FO_* environment variables instead of the LCS/D365FO ones."""
    return auth_argument_spec("FO", exclude=NOT_FOR_FO)


class ClientCredentialsToken:
    """An application token (client id + secret) from msal, renewed before it expires and after a 401."""

    renewable = True

    def __init__(self, params, scope, clock=time.time, renew_margin=300):
        self.scopes = [scope]
        self.clock = clock
        self.renew_margin = renew_margin
        self._token = None
        self._expires_at = 0.0
        self._lifetime = 0.0
        self.acquisitions = 0
        self._app = build_application(params["client_id"], params["authority_url"], params["tenant_id"],
                                      params["client_secret"], params["validate_certs"], params["ca_path"],
                                      params["timeout"])

    def authorization_header(self):
        now = self.clock()
        if self._token is None or now >= self._expires_at - min(self.renew_margin, self._lifetime / 4.0):
            self._acquire()
        return "Bearer " + self._token

    def invalidate(self):
        self._token = None

    def _acquire(self):
        try:
            result = self._app.acquire_token_for_client(scopes=self.scopes)
        except Exception as exc:  # network failures: the next attempt may work
            error = AuthError("token request failed: %s; check authority_url, validate_certs and ca_path"
                              % exc.__class__.__name__)
            error.transient = True
            raise error from None
        if "access_token" not in result:
            description = result.get("error_description") or ""
            code, advice = advice_for(description, result.get("error"))
            first_line = description.splitlines()[0] if description else result.get("error")
            raise AuthError("Entra ID refused the application token (%s): %s. What to change: %s"
                            % (result.get("error"), first_line, advice), code=code, error=result.get("error"))
        self.acquisitions += 1
        self._token = result["access_token"]
        self._lifetime = float(result.get("expires_in") or 3600)
        self._expires_at = self.clock() + self._lifetime


def build_environment_token(params, warn=None):
    """access_token as is; client_secret: the application's own token; otherwise a person's delegated token
    from ``token_cache`` (or the default sign-in cache) or ``refresh_token``, through ``_auth``."""
    scope = resource_scope(params["environment_url"])
    if params.get("access_token"):
        return StaticToken(params["access_token"])
    if params.get("client_secret"):
        return ClientCredentialsToken(params, scope)
    return build_token_provider(params, scope, warn=warn)
