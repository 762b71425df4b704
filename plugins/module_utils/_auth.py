# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entra ID tokens through msal, renewed before they expire so a 24-hour wait never sees a 401.

LCS accepts delegated tokens only: resource-owner password (public client, or confidential with a
client secret), a refresh token, or an access token the caller already holds.
"""

from __future__ import annotations

import re
import time
import traceback
import warnings

try:
    import msal
except ImportError:  # pragma: no cover - reported through missing_required_lib
    msal = None
    MSAL_IMPORT_ERROR = traceback.format_exc()
else:
    MSAL_IMPORT_ERROR = None

from ._redact import redact

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
MICROSOFT_AUTHORITY_HOSTS = ("login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn",
                             "login.partner.microsoftonline.cn")

# What each AADSTS code means for someone automating LCS, and what to change.
AADSTS_ADVICE = {
    "50076": "the account requires multi-factor authentication; LCS automation needs an account without MFA "
             "(exclude it from the MFA / conditional access policy) because the password grant cannot do MFA",
    "50079": "the account must register for multi-factor authentication; use an account without MFA for LCS automation",
    "50074": "strong authentication (MFA) is required; use an account without MFA for LCS automation",
    "50158": "an external security challenge (MFA or conditional access) is required; use an account without MFA",
    "53003": "a conditional access policy blocked the sign-in; exclude the automation account or its location",
    "50126": "invalid user name or password; check username/password, and note that federated (on-premises synced) "
             "accounts cannot use the password grant: use a cloud-only account",
    "50034": "the user does not exist in this tenant; check username and tenant_id",
    "50053": "the account is locked after too many failed sign-ins; wait, then check the password",
    "50055": "the password has expired; set a new password for the automation account",
    "50057": "the account is disabled; enable it or use another account",
    "7000218": "the app registration does not allow public client flows; in Entra ID set Authentication > "
               "Allow public client flows = Yes, or pass client_secret for a confidential client",
    "700025": "the app is a public client, so no client secret may be sent; remove client_secret",
    "7000215": "the client secret is invalid; pass the secret value (not its id) and check that it has not expired",
    "7000222": "the client secret has expired; create a new one",
    "700016": "the application (client_id) was not found in this tenant; check client_id and tenant_id",
    "90002": "the tenant was not found; check tenant_id (or use 'organizations') and authority_url",
    "90023": "the tenant or authority is not valid for this request; check tenant_id and authority_url",
    "65001": "consent is missing; grant admin consent for the 'Dynamics Lifecycle services' user_impersonation "
             "permission",
    "500011": "the resource was not found in the tenant; check lcs_api_url (the regional LCS API host) and that the "
              "'Dynamics Lifecycle services' permission is granted",
    "70011": "the scope is invalid; check lcs_api_url (the token scope is '<lcs_api_url>//.default')",
    "700003": "the device or account is not registered in the tenant; check username and tenant_id",
    "50059": "no tenant could be identified; set tenant_id to your tenant id or domain",
}

AADSTS_RE = re.compile(r"AADSTS(\d+)")


class AuthError(Exception):
    """A token could not be obtained; the message says what to change."""

    transient = False

    def __init__(self, message, code=None, error=None):
        self.code = code
        self.error = error
        super().__init__(redact(message))


def advice_for(error_description, error=None):
    """Translate an Entra error into (code, advice)."""
    match = AADSTS_RE.search(error_description or "")
    code = match.group(1) if match else None
    if code in AADSTS_ADVICE:
        return code, AADSTS_ADVICE[code]
    if error == "unsupported_grant_type" or error == "unauthorized_client":
        return code, ("the grant is not allowed for this app; LCS supports delegated user tokens only (password "
                      "grant with a user account), not service principals or client credentials")
    if error == "invalid_grant":
        return code, "the credentials were rejected; check username, password and tenant_id"
    return code, "check client_id, tenant_id, authority_url and the account's credentials"


def lcs_scope(lcs_api_url):
    """The LCS token scope: the API host followed by '//.default' (the double slash is deliberate)."""
    return lcs_api_url.rstrip("/") + "//.default"


class StaticToken:
    """A caller-supplied access token: used as is, cannot be renewed."""

    renewable = False

    def __init__(self, access_token):
        token = access_token.strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        self._token = token
        self.acquisitions = 0

    def authorization_header(self):
        return "Bearer " + self._token

    def invalidate(self):
        """Nothing to renew: a rejected caller token is reported by the HTTP layer as a 401."""


class MsalTokenProvider:
    """Tokens from msal with proactive renewal.

    ``clock`` returns epoch seconds (injectable for tests); a token is renewed when less than
    ``renew_margin`` seconds (at most a quarter of its lifetime) remain, and again whenever the
    service answers 401.
    """

    renewable = True

    def __init__(self, client_id, scope, authority_url=DEFAULT_AUTHORITY, tenant_id="organizations", username=None,
                 password=None, client_secret=None, refresh_token=None, validate_certs=True, ca_path=None,
                 timeout=60, clock=time.time, renew_margin=300):
        if msal is None:
            raise ImportError("the msal library is required")
        if not client_id:
            raise AuthError("client_id is required to obtain an LCS token (or pass access_token)")
        if not refresh_token and not (username and password):
            raise AuthError("username and password are required to obtain an LCS token "
                            "(or pass access_token, or a refresh token)")
        self.scopes = [scope]
        self.username = username
        self._password = password
        self._refresh_token = refresh_token
        self.clock = clock
        self.renew_margin = renew_margin
        self._token = None
        self._expires_at = 0.0
        self._lifetime = 0.0
        self.acquisitions = 0
        authority = "%s/%s" % (authority_url.rstrip("/"), tenant_id or "organizations")
        host = authority_url.split("://", 1)[-1].split("/", 1)[0].lower()
        options = dict(authority=authority, http_client=_session(validate_certs, ca_path, timeout))
        if host not in MICROSOFT_AUTHORITY_HOSTS:
            # msal asks login.microsoftonline.com to validate unknown hosts unless told not to
            options["instance_discovery"] = False
        try:
            if client_secret:
                self._app = msal.ConfidentialClientApplication(client_id, client_credential=client_secret, **options)
            else:
                self._app = msal.PublicClientApplication(client_id, **options)
            if _explicit_port(authority_url):
                # msal looks up the user realm on https://<host>/ without the port and would call port 443;
                # an authority on its own port (a proxy or the emulator) answers ROPC directly instead
                self._app.authority.user_realm_discovery = lambda *args, **kwargs: {}
        except ValueError as exc:
            raise AuthError("cannot use authority %s: %s; check authority_url and tenant_id"
                            % (authority, exc)) from None
        except Exception as exc:  # msal raises requests errors when the authority is unreachable
            raise AuthError("cannot reach the authority %s: %s; check authority_url, validate_certs and ca_path"
                            % (authority, exc)) from None

    def authorization_header(self):
        return "Bearer " + self.token()

    def token(self):
        now = self.clock()
        margin = min(self.renew_margin, self._lifetime / 4.0)
        if self._token is None or now >= self._expires_at - margin:
            self._acquire()
        return self._token

    def invalidate(self):
        self._token = None
        self._expires_at = 0.0

    def _acquire(self):
        result = None
        accounts = self._app.get_accounts(username=self.username) if self.username else self._app.get_accounts()
        if accounts:
            # refresh-token grant from msal's in-memory cache; avoids re-sending the password
            result = self._app.acquire_token_silent_with_error(self.scopes, account=accounts[0], force_refresh=True)
        if not result or "access_token" not in result:
            try:
                if self._refresh_token and not self._password:
                    result = self._app.acquire_token_by_refresh_token(self._refresh_token, scopes=self.scopes)
                else:
                    with warnings.catch_warnings():
                        # msal discourages ROPC in general; it is the documented flow for LCS automation
                        warnings.simplefilter("ignore", DeprecationWarning)
                        result = self._app.acquire_token_by_username_password(self.username, self._password,
                                                                              scopes=self.scopes)
            except ValueError as exc:
                raise AuthError("token request was refused by msal: %s; check authority_url and tenant_id"
                                % exc) from None
            except Exception as exc:  # network failures: the next attempt may work
                error = AuthError("token request failed: %s (%s); check authority_url, validate_certs and ca_path"
                                  % (exc.__class__.__name__, str(exc)[:200]))
                error.transient = True
                raise error from None
        if "access_token" not in result:
            description = result.get("error_description") or ""
            error = result.get("error")
            code, advice = advice_for(description, error)
            first_line = description.splitlines()[0] if description else error
            raise AuthError("Entra ID refused the token request (%s): %s. What to change: %s"
                            % (error, first_line, advice), code=code, error=error)
        self.acquisitions += 1
        self._token = result["access_token"]
        lifetime = float(result.get("expires_in") or 3600)
        self._lifetime = lifetime
        self._expires_at = self.clock() + lifetime


def _explicit_port(url):
    netloc = url.split("://", 1)[-1].split("/", 1)[0]
    return bool(re.search(r":\d+$", netloc))


def _session(validate_certs, ca_path, timeout):
    """A requests session for msal whose TLS choice survives REQUESTS_CA_BUNDLE in the environment.

    requests lets that variable override ``Session.verify``, so an explicit ca_path or
    validate_certs=false is bound into every call instead.
    """
    import functools

    import requests

    session = requests.Session()
    explicit = {"timeout": timeout}
    if not validate_certs:
        explicit["verify"] = False
    elif ca_path:
        explicit["verify"] = ca_path
    session.request = functools.partial(session.request, **explicit)
    return session


def build_token_provider(params, scope, clock=time.time):
    """Pick the credential flow from module parameters."""
    if params.get("access_token"):
        return StaticToken(params["access_token"])
    return MsalTokenProvider(
        client_id=params.get("client_id"),
        scope=scope,
        authority_url=params.get("authority_url") or DEFAULT_AUTHORITY,
        tenant_id=params.get("tenant_id") or "organizations",
        username=params.get("username"),
        password=params.get("password"),
        client_secret=params.get("client_secret"),
        refresh_token=params.get("refresh_token"),
        validate_certs=params.get("validate_certs", True),
        ca_path=params.get("ca_path"),
        timeout=params.get("timeout") or 60,
        clock=clock,
    )
