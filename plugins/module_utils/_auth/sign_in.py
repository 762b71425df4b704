# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The interactive sign-in behind sign_in.yml: device code or browser (authorization code + PKCE).

One sign-in gets a refresh token for the account; Entra ID refresh tokens are not tied to a resource,
so the first plane's token comes from the sign-in and every other plane's from the refresh token,
which also proves the consent for each plane before any run depends on it.
"""

from __future__ import annotations

import json
import os
import time

from .cache import TokenCacheFile
from .errors import AuthError, advice_for, refusal
from .options import lcs_scope, resource_scope
from .providers import build_application

PUBLIC_CLIENT_HINT = ("the device code and browser sign-ins need Authentication > Allow public client flows = Yes "
                      "on the app registration (and the redirect URI http://localhost for the browser)")
DEVICE_FLOW_KEYS = ("device_code", "user_code", "verification_uri", "interval", "expires_at", "message",
                    "_correlation_id")


def plane_scopes(params):
    """(plane, scope) for every plane the account will use, in sign-in order."""
    planes = []
    if params.get("lcs", True):
        planes.append(("lcs", lcs_scope(params["lcs_api_url"])))
    if params.get("power_platform"):
        planes.append(("power_platform", resource_scope(params["power_platform_api_url"])))
    for url in params.get("environment_urls") or []:
        planes.append((url.rstrip("/"), resource_scope(url)))
    return planes


def application(params, cache):
    return build_application(params["client_id"], params["authority_url"], params["tenant_id"], None,
                             params["validate_certs"], params["ca_path"], params["timeout"], cache.msal_cache)


def signed_in_account(app, username):
    accounts = app.get_accounts(username=username) if username else app.get_accounts()
    return accounts[0] if len(accounts) == 1 or (accounts and username) else None


def check_planes(app, account, planes):
    """Acquire a token for every plane silently; each plane's outcome without any token in it."""
    outcomes = []
    for plane, scope in planes:
        result = app.acquire_token_silent_with_error([scope], account=account, force_refresh=True) or {}
        outcome = {"plane": plane, "scope": scope, "signed_in": "access_token" in result}
        if not outcome["signed_in"]:
            code, advice = advice_for(result.get("error_description"), result.get("error"))
            outcome.update(aadsts=code, advice=advice)
        outcomes.append(outcome)
    return outcomes


def start_device_flow(app, scope, flow_file):
    """Ask Entra ID for a device code; the flow (holding the secret device code) goes to a 0600 file."""
    flow = app.initiate_device_flow(scopes=[scope])
    if "user_code" not in flow:
        raise _refused(flow)
    handle = os.open(flow_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w") as stream:
        json.dump({k: flow[k] for k in DEVICE_FLOW_KEYS if k in flow}, stream)
    return {"user_code": flow["user_code"], "verification_uri": flow.get("verification_uri"),
            "message": flow.get("message"), "expires_in": int(flow.get("expires_in") or 900)}


def finish_device_flow(app, flow_file, sleep=time.sleep, clock=time.time):
    """Poll until the person has signed in; authorization_pending and slow_down are waited out."""
    with open(flow_file) as stream:
        flow = json.load(stream)
    os.unlink(flow_file)
    interval = int(flow.get("interval") or 5)
    while True:
        result = app.acquire_token_by_device_flow(flow, exit_condition=lambda flow: True)
        error = result.get("error")
        if "access_token" in result:
            return result
        if error == "slow_down":
            interval += 5  # RFC 8628: every slow_down adds five seconds
        elif error != "authorization_pending":
            raise _refused(result)
        if clock() >= float(flow.get("expires_at") or 0):
            raise AuthError("the device code expired before the sign-in was completed; run sign_in.yml again and "
                            "enter the code within its lifetime")
        sleep(interval)


def browser_sign_in(app, scope, username, timeout, port=None):
    """Authorization code with PKCE: msal opens the browser and listens on http://localhost."""
    result = app.acquire_token_interactive([scope], login_hint=username, timeout=timeout, port=port,
                                           prompt="select_account")
    if "access_token" not in result:
        raise _refused(result)
    return result


def _refused(result):
    if result.get("error") == "expired_token":
        return AuthError("the device code expired before the sign-in was completed; run sign_in.yml again")
    error = refusal(result)
    if error.code in ("7000218", "700025") or result.get("error") in ("invalid_client", "unauthorized_client"):
        return AuthError("%s; %s" % (error, PUBLIC_CLIENT_HINT), code=error.code, error=error.error)
    return error


def open_cache(path):
    """The token cache the sign-in writes (created 0600 in a 0700 directory when missing)."""
    cache = TokenCacheFile(path, create=True)
    if cache.read_only:
        raise AuthError("the token cache %s is read-only; sign in into a writable file, then copy it where the "
                        "runs read it" % cache.path)
    return cache
