"""Interactive sign-in for the Entra backend: device codes, authorization codes with PKCE, and the life of
refresh tokens (rotation, sliding inactivity window, maximum age, revocation), in virtual time.

As in Entra ID, redeeming a refresh token returns a new one and leaves the old one valid until its own
window closes; every refresh token of one sign-in shares that sign-in's start, which the maximum age
and a revocation are measured against.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import string
import time
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode, urlparse

from .errors import EntraError

DEVICE_CODE_SECONDS = 900
DEVICE_POLL_INTERVAL = 5
AUTH_CODE_SECONDS = 600
DEVICE_GRANTS = ("urn:ietf:params:oauth:grant-type:device_code", "device_code")


@dataclass
class Policy:
    """Refresh-token lifetime rules (admin API ``POST /_emulator/entra/policy``)."""

    inactivity_seconds: int
    max_age_seconds: int | None = None


@dataclass
class DeviceCode:
    device_code: str
    user_code: str
    tenant_id: str
    client_id: str
    form: dict
    v2: bool
    expires: dt.datetime
    interval: int = DEVICE_POLL_INTERVAL
    approved_user: str | None = None
    slow_downs: int = 0
    last_poll: float | None = None


@dataclass
class AuthCode:
    tenant_id: str
    client_id: str
    username: str
    redirect_uri: str
    challenge: str
    form: dict
    expires: dt.datetime


@dataclass
class SignInState:
    policy: Policy
    device_codes: dict = field(default_factory=dict)
    auth_codes: dict = field(default_factory=dict)
    revoked: dict = field(default_factory=dict)  # username (lower case) -> revocation time
    counts: dict = field(default_factory=lambda: {"device_code_approvals": 0, "revocations": 0})


def new_user_code() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for dummy in range(9))


# -- refresh tokens ----------------------------------------------------------------------------------
def refresh_refusal(state: SignInState, record, now: dt.datetime) -> EntraError | None:
    """Why Entra ID would refuse this refresh token now, or None."""
    revoked_at = state.revoked.get(record.username.lower())
    if revoked_at is not None and record.session_start <= revoked_at:
        return EntraError(400, "invalid_grant", 50173,
                          "The provided grant has expired due to it being revoked, a fresh auth token is needed. "
                          "The user might have changed or reset their password.")
    max_age = state.policy.max_age_seconds
    if max_age is not None and now >= record.session_start + dt.timedelta(seconds=max_age):
        return EntraError(400, "invalid_grant", 70043,
                          "The refresh token has expired or is invalid due to sign-in frequency checks by "
                          "conditional access.")
    if now >= record.issued + dt.timedelta(seconds=state.policy.inactivity_seconds):
        inactive = int((now - record.issued).total_seconds())
        return EntraError(400, "invalid_grant", 700082,
                          f"The refresh token has expired due to inactivity. The token was issued on "
                          f"{record.issued:%Y-%m-%dT%H:%M:%S}Z and was inactive for {inactive} seconds.")
    return None


# -- device code -------------------------------------------------------------------------------------
def start_device_code(state: SignInState, tenant, app, form, *, v2: bool, now: dt.datetime, base_url: str) -> dict:
    """The device authorization response (v2 and v1 shapes)."""
    user_code = new_user_code()
    code = DeviceCode(device_code=secrets.token_urlsafe(48), user_code=user_code, tenant_id=tenant.id,
                      client_id=app.client_id, form=dict(form), v2=v2,
                      expires=now + dt.timedelta(seconds=DEVICE_CODE_SECONDS))
    state.device_codes[code.device_code] = code
    verification = f"{base_url}/devicelogin"
    message = (f"To sign in, use a web browser to open the page {verification} and enter the code {user_code} "
               "to authenticate.")
    if v2:
        return {"device_code": code.device_code, "user_code": user_code, "verification_uri": verification,
                "expires_in": DEVICE_CODE_SECONDS, "interval": code.interval, "message": message}
    # the v1 endpoint names the page verification_url and sends numbers as strings
    return {"device_code": code.device_code, "user_code": user_code, "verification_url": verification,
            "expires_in": str(DEVICE_CODE_SECONDS), "interval": str(code.interval), "message": message}


def approve_device_code(state: SignInState, user_code: str, username: str, slow_downs: int = 0) -> DeviceCode:
    """What the person does in the browser: enter the code, sign in (with MFA), consent."""
    for code in state.device_codes.values():
        if code.user_code == user_code.strip().upper():
            code.approved_user = username
            code.slow_downs = slow_downs
            state.counts["device_code_approvals"] += 1
            return code
    raise KeyError(user_code)


def poll_device_code(state: SignInState, form, now: dt.datetime) -> DeviceCode:
    """The approved device code for a token request, or the EntraError the poller must see."""
    code = state.device_codes.get(form.get("device_code") or form.get("code") or "")
    if code is None:
        raise EntraError(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.")
    polled_at, code.last_poll = code.last_poll, time.monotonic()
    if now >= code.expires:
        del state.device_codes[code.device_code]
        raise EntraError(400, "expired_token", 70020, "The provided value for the input parameter 'device_code' "
                                                      "is not valid. This device code has expired.")
    too_fast = polled_at is not None and code.last_poll - polled_at < code.interval / 2.0
    if code.slow_downs > 0 or too_fast:
        code.slow_downs = max(0, code.slow_downs - 1)
        code.interval += 5  # RFC 8628 3.5: the client adds five seconds
        raise EntraError(400, "slow_down", 70016, "Polling too often; slow down.")
    if code.approved_user is None:
        raise EntraError(400, "authorization_pending", 70016,
                         "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
    del state.device_codes[code.device_code]
    return code


# -- authorization code with PKCE ----------------------------------------------------------------------
def check_redirect(app, redirect_uri: str) -> None:
    """Public clients redirect to http://localhost (any port), as 'Mobile and desktop applications'."""
    parsed = urlparse(redirect_uri or "")
    if not (parsed.scheme == "http" and parsed.hostname in ("localhost", "127.0.0.1")):
        raise EntraError(400, "invalid_request", 50011,
                         f"The redirect URI '{redirect_uri}' specified in the request does not match the redirect "
                         f"URIs configured for the application '{app.client_id}'.")


def issue_auth_code(state: SignInState, tenant, app, args, username: str, now: dt.datetime) -> dict:
    """What goes back to the app's redirect URI after the person signed in: code, state, session_state."""
    check_redirect(app, args.get("redirect_uri"))
    if args.get("code_challenge_method", "S256") != "S256" or not args.get("code_challenge"):
        raise EntraError(400, "invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
    code = secrets.token_urlsafe(48)
    state.auth_codes[code] = AuthCode(tenant_id=tenant.id, client_id=app.client_id, username=username,
                                      redirect_uri=args["redirect_uri"], challenge=args["code_challenge"],
                                      form={"scope": args.get("scope", ""), "nonce": args.get("nonce", "")},
                                      expires=now + dt.timedelta(seconds=AUTH_CODE_SECONDS))
    return {"code": code, "state": args.get("state", ""), "session_state": secrets.token_hex(8)}


def redirect_page(redirect_uri: str, fields: dict, response_mode: str) -> tuple[str, str | None]:
    """(HTML body, Location): ``form_post`` posts the fields from the browser, ``query`` redirects with them."""
    if response_mode == "form_post":
        inputs = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())
        return (f'<!doctype html><body onload="document.forms[0].submit()"><form method="post" '
                f'action="{escape(redirect_uri)}">{inputs}</form></body>'), None
    return "", f"{redirect_uri}?{urlencode(fields)}"


def redeem_auth_code(state: SignInState, form, now: dt.datetime) -> AuthCode:
    code = state.auth_codes.pop(form.get("code") or "", None)
    if code is None or now >= code.expires:
        raise EntraError(400, "invalid_grant", 70008,
                         "The provided authorization code or refresh token has expired due to inactivity.")
    if form.get("redirect_uri") != code.redirect_uri:
        raise EntraError(400, "invalid_grant", 50148, "The code_verifier does not match the redirect URI.")
    verifier = (form.get("code_verifier") or "").encode()
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
    if not hmac.compare_digest(expected, code.challenge):
        raise EntraError(400, "invalid_grant", 501481,
                         "The Code_Verifier does not match the code_challenge supplied in the authorization "
                         "request.")
    return code
