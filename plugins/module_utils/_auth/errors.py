# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an Entra ID refusal means for someone automating F&O, and what to do next."""

from __future__ import annotations

import re

from .._redact import redact

SIGN_IN_PLAYBOOK = "sign_in.yml"

# What each AADSTS code means for someone automating LCS, and what to change.
AADSTS_ADVICE = {
    "50076": "the account requires multi-factor authentication, which the password grant cannot do; sign in "
             "interactively once with sign_in.yml and let the runs use its token cache",
    "50079": "the account must register for multi-factor authentication; register it, then sign in with sign_in.yml",
    "50074": "strong authentication (MFA) is required; sign in interactively once with sign_in.yml",
    "50158": "an external security challenge (MFA or conditional access) is required; sign in with sign_in.yml",
    "53003": "a conditional access policy blocked the sign-in; exclude the automation account or its location",
    "50126": "invalid user name or password; check username/password, and note that federated (on-premises synced) "
             "accounts cannot use the password grant: use a cloud-only account or sign in with sign_in.yml",
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
    "65001": "consent is missing; grant admin consent for the app's delegated permissions (docs/authentication.md "
             "lists them)",
    "500011": "the resource was not found in the tenant; check lcs_api_url (the regional LCS API host) and that the "
              "'Dynamics Lifecycle services' permission is granted",
    "70011": "the scope is invalid; check lcs_api_url (the token scope is '<lcs_api_url>//.default')",
    "700003": "the device or account is not registered in the tenant; check username and tenant_id",
    "50059": "no tenant could be identified; set tenant_id to your tenant id or domain",
}

# Refusals of a cached sign-in that only a new interactive sign-in can cure.
SIGN_IN_AGAIN = {
    "50076": "the tenant now requires multi-factor authentication for this sign-in",
    "50079": "the account must register for multi-factor authentication",
    "53003": "a conditional access policy blocked the cached sign-in",
    "70043": "the refresh token expired or was invalidated by a sign-in frequency (conditional access) policy",
    "700082": "the refresh token expired because it was not used for too long",
    "50173": "the grant was revoked, for example because the password was changed or sessions were revoked",
    "9002313": "the cached refresh token was malformed or is no longer known to Entra ID",
}

AADSTS_RE = re.compile(r"AADSTS(\d+)")


class AuthError(Exception):
    """A token could not be obtained; the message says what to change."""

    transient = False

    def __init__(self, message, code=None, error=None):
        self.code = code
        self.error = error
        super().__init__(redact(message))


class SignInRequired(AuthError):
    """Only a new interactive sign-in (sign_in.yml) can provide a token for this account."""


def aadsts_code(error_description):
    match = AADSTS_RE.search(error_description or "")
    return match.group(1) if match else None


def advice_for(error_description, error=None):
    """Translate an Entra error into (code, advice)."""
    code = aadsts_code(error_description)
    if code in AADSTS_ADVICE:
        return code, AADSTS_ADVICE[code]
    if error in ("unsupported_grant_type", "unauthorized_client"):
        return code, ("the grant is not allowed for this app; LCS supports delegated user tokens only (an interactive "
                      "sign-in, or the password grant with a user account), not service principals or client "
                      "credentials; interactive sign-in needs Allow public client flows = Yes")
    if error == "invalid_grant":
        return code, "the credentials were rejected; check username, password and tenant_id"
    return code, "check client_id, tenant_id, authority_url and the account's credentials"


def sign_in_again(account, reason, cache_path=None, code=None, error=None):
    """The error for a cached sign-in that is gone: which account, why, and the command that fixes it."""
    who = account or "the account these runs use"
    where = " (token cache %s)" % cache_path if cache_path else ""
    suffix = " (AADSTS%s)" % code if code else ""
    user_var = " -e dataalm_username=%s" % account if account else ""
    return SignInRequired(
        "sign-in needed for %s: %s%s. Run `%s` again for %s%s: ansible-playbook d365fo.dataalm.sign_in%s"
        % (who, reason, suffix, SIGN_IN_PLAYBOOK, who, where, user_var), code=code, error=error)


def refusal(result, account=None, cache_path=None, cached=False):
    """The AuthError for an msal error result; ``cached`` when the refused grant came from the token cache."""
    description = result.get("error_description") or ""
    error = result.get("error")
    code = aadsts_code(description)
    if cached and (code in SIGN_IN_AGAIN or error == "invalid_grant"):
        reason = SIGN_IN_AGAIN.get(code) or "Entra ID no longer accepts the cached sign-in"
        return sign_in_again(account, reason, cache_path, code=code, error=error)
    code, advice = advice_for(description, error)
    first_line = description.splitlines()[0] if description else error
    return AuthError("Entra ID refused the token request (%s): %s. What to change: %s"
                     % (error, first_line, advice), code=code, error=error)
