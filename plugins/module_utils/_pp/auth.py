# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Service-principal tokens (client credentials) for the Power Platform and BAP APIs.

The shared ``_auth`` package signs in users (token cache, refresh token, password); the Power
Platform is also automated with an app's own identity, which only needs the client-credentials
grant. The msal application is built by ``_auth`` so TLS options and authority handling stay one fact.
"""

from __future__ import annotations

import time

from .._auth import AuthError, build_application, build_token_provider, refusal
from .options import service_principal


class ClientCredentialsToken:
    """Tokens of the app itself, renewed before they expire and after a 401 (same interface as _auth's)."""

    renewable = True
    method = "client_credentials"

    def __init__(self, app, scope, clock=time.time, renew_margin=300):
        self._app = app
        self.scopes = [scope]
        self.clock = clock
        self.renew_margin = renew_margin
        self._token = None
        self._expires_at = 0.0
        self._lifetime = 0.0
        self._force = False
        self.acquisitions = 0

    def authorization_header(self):
        return "Bearer " + self.token()

    def token(self):
        margin = min(self.renew_margin, self._lifetime / 4.0)
        if self._token is None or self._force or self.clock() >= self._expires_at - margin:
            self._acquire()
        return self._token

    def invalidate(self):
        """The service refused the token: the next call gets a new one, not msal's cached copy."""
        self._force = True

    def _acquire(self):
        if self._force or self._token is not None:
            self._forget_cached()
        try:
            result = self._app.acquire_token_for_client(scopes=self.scopes)
        except ValueError as exc:
            raise AuthError("token request was refused by msal: %s; check authority_url and tenant_id" % exc) from None
        except Exception as exc:  # network failures: the next attempt may work
            error = AuthError("token request failed: %s (%s); check authority_url, validate_certs and ca_path"
                              % (exc.__class__.__name__, str(exc)[:200]))
            error.transient = True
            raise error from None
        if "access_token" not in result:
            raise refusal(result)
        self.acquisitions += 1
        self._force = False
        self._token = result["access_token"]
        self._lifetime = float(result.get("expires_in") or 3600)
        self._expires_at = self.clock() + self._lifetime

    def _forget_cached(self):
        # msal hands out its cached token until its own idea of expiry; ours (or the service's) is earlier
        cache = self._app.token_cache
        for entry in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
            cache.remove_at(entry)


def token_provider(params, scope, warn=None):
    """Client credentials when the options name no user; otherwise the shared user flows of _auth."""
    if not service_principal(params):
        return build_token_provider(params, scope, warn=warn)
    app = build_application(params["client_id"], params["authority_url"], params["tenant_id"],
                            params["client_secret"], params["validate_certs"], params["ca_path"], params["timeout"])
    return ClientCredentialsToken(app, scope)
