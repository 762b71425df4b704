# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tokens for ``{environment_url}/.default``: the audience F&O checks is the environment URL itself.

Two identities work (data-management-api.md, 2026; SCHEDCOPY): an Entra application registered in the
environment (System administration > Setup > Microsoft Entra applications) with the client-credentials
grant, or a person's delegated token (after a database movement only the environment administrator can
still sign in), renewed from a refresh token.
"""

from __future__ import annotations

import time

from .._auth import (DEFAULT_AUTHORITY, MICROSOFT_AUTHORITY_HOSTS, AuthError, MsalTokenProvider, StaticToken,
                     _session, advice_for, msal)


def environment_scope(environment_url):
    return environment_url.rstrip("/") + "/.default"


class ClientCredentialsToken:
    """An application token (client id + secret) from msal, renewed before it expires and after a 401."""

    renewable = True

    def __init__(self, client_id, client_secret, scope, tenant_id, authority_url=DEFAULT_AUTHORITY,
                 validate_certs=True, ca_path=None, timeout=60, clock=time.time, renew_margin=300):
        if msal is None:
            raise ImportError("the msal library is required")
        self.scopes = [scope]
        self.clock = clock
        self.renew_margin = renew_margin
        self._token = None
        self._expires_at = 0.0
        self._lifetime = 0.0
        self.acquisitions = 0
        authority = "%s/%s" % (authority_url.rstrip("/"), tenant_id)
        host = authority_url.split("://", 1)[-1].split("/", 1)[0].lower()
        options = dict(authority=authority, http_client=_session(validate_certs, ca_path, timeout))
        if host not in MICROSOFT_AUTHORITY_HOSTS:
            options["instance_discovery"] = False  # msal would ask login.microsoftonline.com to vouch for it
        try:
            self._app = msal.ConfidentialClientApplication(client_id, client_credential=client_secret, **options)
        except ValueError as exc:
            raise AuthError("cannot use authority %s: %s; check authority_url and tenant_id"
                            % (authority, exc)) from None
        except Exception as exc:  # msal raises requests errors when the authority is unreachable
            raise AuthError("cannot reach the authority %s: %s; check authority_url, validate_certs and ca_path"
                            % (authority, exc)) from None

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


def build_environment_token(params):
    """The token provider for the F&O options: access_token, client credentials, or a delegated refresh token."""
    scope = environment_scope(params["environment_url"])
    if params.get("access_token"):
        return StaticToken(params["access_token"])
    common = dict(authority_url=params.get("authority_url") or DEFAULT_AUTHORITY,
                  validate_certs=params.get("validate_certs", True), ca_path=params.get("ca_path"),
                  timeout=params.get("timeout") or 60)
    if params.get("client_secret"):
        return ClientCredentialsToken(params["client_id"], params["client_secret"], scope, params["tenant_id"],
                                      **common)
    return MsalTokenProvider(client_id=params["client_id"], scope=scope,
                             tenant_id=params.get("tenant_id") or "organizations",
                             refresh_token=params.get("refresh_token"), **common)
