# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Token providers: a caller's access token as is, or msal tokens renewed before they expire."""

from __future__ import annotations

import base64
import contextlib
import functools
import json
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

from .errors import AuthError, refusal, sign_in_again

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
MICROSOFT_AUTHORITY_HOSTS = ("login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn",
                             "login.partner.microsoftonline.cn")
# msal treats an access token with less than five minutes left as expired; so do we
MSAL_EXPIRY_MARGIN = 300
PASSWORD_GRANT_WARNING = ("signed in with the password grant (resource-owner password); it cannot do multi-factor "
                          "authentication and Microsoft discourages it: sign in once with sign_in.yml and use "
                          "token_cache instead (docs/authentication.md)")


def token_claims(token):
    """The claims of a JWT without checking its signature (only to explain a rejection), or None."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, TypeError):
        return None
    return claims if isinstance(claims, dict) else None


class StaticToken:
    """A caller-supplied access token: used as is, cannot be renewed.

    On a 401 the token is examined: one that is not a token at all, or whose own expiry has passed,
    fails with that explanation instead of the service's generic 401 advice.
    """

    renewable = True  # so that a 401 reaches invalidate(); nothing is actually renewed
    method = "access_token"

    def __init__(self, access_token, clock=time.time):
        token = access_token.strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        self._token = token
        self.clock = clock
        self.acquisitions = 0

    def authorization_header(self):
        return "Bearer " + self._token

    def invalidate(self):
        claims = token_claims(self._token)
        if claims is None:
            reason = "it is not a JSON web token"
        elif isinstance(claims.get("exp"), (int, float)) and claims["exp"] <= self.clock():
            reason = "it expired at %s UTC" % time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(claims["exp"]))
        else:
            return  # a well-formed, unexpired token: the service's own 401 explanation applies
        raise AuthError("the access token is invalid or expired (%s). What to change: pass a fresh access_token, or "
                        "leave access_token unset and use token_cache (sign_in.yml) so tokens renew themselves"
                        % reason)


class MsalTokenProvider:
    """Tokens from msal, from a token cache first, with proactive renewal.

    ``cache`` is a TokenCacheFile (shared, locked) or None (msal's in-memory cache). ``password`` or
    ``refresh_token`` are the fallbacks when the cache has nothing usable; without them a cache that
    cannot provide a token fails with the sign-in-again advice. ``clock`` returns epoch seconds
    (injectable for tests); a token is renewed when less than ``renew_margin`` seconds (at most a
    quarter of its lifetime) remain, and again whenever the service answers 401.
    """

    renewable = True

    def __init__(self, client_id, scope, authority_url=DEFAULT_AUTHORITY, tenant_id="organizations", username=None,
                 password=None, client_secret=None, refresh_token=None, cache=None, validate_certs=True,
                 ca_path=None, timeout=60, clock=time.time, renew_margin=300, warn=None):
        if msal is None:
            raise ImportError("the msal library is required")
        if not client_id:
            raise AuthError("client_id is required to obtain a token (or pass access_token)")
        self.scopes = [scope] if isinstance(scope, str) else list(scope)
        self.username = username
        self._password = password
        self._refresh_token = refresh_token
        self.cache = cache
        self.clock = clock
        self.renew_margin = renew_margin
        self._warn = warn or (lambda text: None)
        self._warned = set()
        self._token = None
        self._expires_at = 0.0
        self._stored_at = 0  # when the token in use was obtained (epoch seconds, real time, as msal's cached_at)
        self._lifetime = 0.0
        self.acquisitions = 0
        self.grants = {}
        self._app = build_application(client_id, authority_url, tenant_id, client_secret, validate_certs, ca_path,
                                      timeout, cache.msal_cache if cache is not None else None)

    @property
    def method(self):
        if self._password:
            return "password"
        return "refresh_token" if self._refresh_token else "token_cache"

    def authorization_header(self):
        return "Bearer " + self.token()

    def token(self):
        now = self.clock()
        margin = min(self.renew_margin, self._lifetime / 4.0)
        if self._token is None or now >= self._expires_at - margin:
            self._acquire()
        return self._token

    def invalidate(self):
        self._expires_at = 0.0  # keep the token: a cache holding the same one must not be trusted again

    def _acquire(self):
        replaced = self._token
        lock = self.cache.acquisition_lock() if self.cache is not None else contextlib.nullcontext()
        with lock:
            result = self._from_cache(replaced)
            if result is None or "access_token" not in result:
                result = self._from_credentials(result)
        self._accept(result)

    def _account(self):
        accounts = self._app.get_accounts(username=self.username) if self.username else self._app.get_accounts()
        if len(accounts) > 1 and not self.username:
            raise AuthError("the token cache holds sign-ins for %s; set username to the one these runs use"
                            % ", ".join(sorted(a.get("username") or "?" for a in accounts)))
        return accounts[0] if accounts else None

    def _from_cache(self, replaced):
        """A cached access token still good, else one bought with the cached refresh token (or None)."""
        account = self._account()
        if account is None:
            return None
        self.username = self.username or account.get("username")
        cached = self._cached_access_token(account, replaced, int(self._stored_at) if replaced else 0)
        if cached is not None:
            return cached
        self._count("refresh_token")
        result = self._app.acquire_token_silent_with_error(self.scopes, account=account, force_refresh=True)
        if result and "access_token" not in result and not (self._password or self._refresh_token):
            raise refusal(result, self.username, self._cache_path(), cached=True)
        return result

    def _cached_access_token(self, account, replaced, stored_since):
        """The newest unexpired access token of this account for this resource, saved by any process.

        msal files a token under the scopes Entra ID granted (``<resource>/user_impersonation``), never
        under the ``/.default`` that was asked for, so its own lookup by scope would always miss and every
        process would redeem the refresh token; tokens are matched by resource instead. Replacing a token
        (rejected with 401, or about to expire), only one stored since it was obtained will do: that is
        another process's renewal, while an older one (several can be filed for one resource) is at least
        as stale as the one replaced, and the service would refuse it too.
        """
        resource = _resource_of(self.scopes[0])
        query = {"client_id": self._app.client_id, "home_account_id": account.get("home_account_id"),
                 "environment": self._app.authority.instance}
        now = time.time()  # msal writes expiry in real time
        entries = self._app.token_cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN, query=query)
        for entry in sorted(entries, key=lambda entry: int(entry.get("cached_at") or 0), reverse=True):
            granted = (entry.get("target") or "").split()
            if not granted or any(_resource_of(scope) != resource for scope in granted):
                continue
            stored_at = int(entry.get("cached_at") or 0)
            expires_in = int(entry.get("expires_on") or 0) - now
            if entry.get("secret") != replaced and stored_at >= stored_since and expires_in > MSAL_EXPIRY_MARGIN:
                return {"access_token": entry["secret"], "expires_in": int(expires_in), "token_source": "cache",
                        "stored_at": stored_at}
        return None

    def _from_credentials(self, cached_failure):
        try:
            if self._refresh_token and not self._password:
                self._count("refresh_token")
                result = self._app.acquire_token_by_refresh_token(self._refresh_token, scopes=self.scopes)
                if "access_token" not in result:
                    raise refusal(result, self.username, cached=True)
                return result
            if self._password:
                return self._password_grant()
        except ValueError as exc:
            raise AuthError("token request was refused by msal: %s; check authority_url and tenant_id"
                            % exc) from None
        except AuthError:
            raise
        except Exception as exc:  # network failures: the next attempt may work
            error = AuthError("token request failed: %s (%s); check authority_url, validate_certs and ca_path"
                              % (exc.__class__.__name__, str(exc)[:200]))
            error.transient = True
            raise error from None
        raise self._nothing_cached()

    def _password_grant(self):
        self.warn(PASSWORD_GRANT_WARNING)
        self._count("password")
        with warnings.catch_warnings():
            # msal discourages ROPC in general; it stays for tenants that still use it
            warnings.simplefilter("ignore", DeprecationWarning)
            return self._app.acquire_token_by_username_password(self.username, self._password, scopes=self.scopes)

    def _nothing_cached(self):
        path = self._cache_path()
        if self.cache is not None and not self.cache.exists:
            return sign_in_again(self.username, "there is no token cache at %s" % path)
        known = self.cache.accounts() if self.cache is not None else []
        if known:
            reason = "the token cache holds no sign-in for this account (it holds %s)" % ", ".join(sorted(known))
        else:
            reason = "the token cache holds no sign-in"
        return sign_in_again(self.username, reason, path)

    def _accept(self, result):
        if "access_token" not in result:
            raise refusal(result, self.username)
        self.acquisitions += 1
        self._token = result["access_token"]
        self._stored_at = result.get("stored_at") or time.time()
        lifetime = float(result.get("expires_in") or 3600)
        self._lifetime = lifetime
        self._expires_at = self.clock() + lifetime
        notice = self.cache.unsaved_notice() if self.cache is not None else None
        if notice:
            self.warn(notice)

    def warn(self, text):
        # once per process: a 24-hour wait renews its token many times
        if text not in self._warned:
            self._warned.add(text)
            self._warn(text)

    def _count(self, grant):
        self.grants[grant] = self.grants.get(grant, 0) + 1

    def _cache_path(self):
        return self.cache.path if self.cache is not None else None


def _resource_of(scope):
    """'https://host//.default' and 'https://host/user_impersonation' both belong to 'https://host'."""
    return scope.rpartition("/")[0].rstrip("/").lower()


def build_application(client_id, authority_url, tenant_id, client_secret, validate_certs, ca_path, timeout,
                      token_cache=None):
    """A public (or, with a secret, confidential) msal application for ``authority_url``/``tenant_id``."""
    authority = "%s/%s" % (authority_url.rstrip("/"), tenant_id or "organizations")
    host = authority_url.split("://", 1)[-1].split("/", 1)[0].lower()
    options = dict(authority=authority, http_client=_session(validate_certs, ca_path, timeout))
    if token_cache is not None:
        options["token_cache"] = token_cache
    if host not in MICROSOFT_AUTHORITY_HOSTS:
        # msal asks login.microsoftonline.com to validate unknown hosts unless told not to
        options["instance_discovery"] = False
    try:
        if client_secret:
            app = msal.ConfidentialClientApplication(client_id, client_credential=client_secret, **options)
        else:
            app = msal.PublicClientApplication(client_id, **options)
        if _explicit_port(authority_url):
            # msal looks up the user realm on https://<host>/ without the port and would call port 443;
            # an authority on its own port (a proxy or the emulator) answers ROPC directly instead
            app.authority.user_realm_discovery = lambda *args, **kwargs: {}
    except ValueError as exc:
        raise AuthError("cannot use authority %s: %s; check authority_url and tenant_id" % (authority, exc)) from None
    except Exception as exc:  # msal raises requests errors when the authority is unreachable
        raise AuthError("cannot reach the authority %s: %s; check authority_url, validate_certs and ca_path"
                        % (authority, exc)) from None
    return app


def _explicit_port(url):
    netloc = url.split("://", 1)[-1].split("/", 1)[0]
    return bool(re.search(r":\d+$", netloc))


def _session(validate_certs, ca_path, timeout):
    """A requests session for msal whose TLS choice survives REQUESTS_CA_BUNDLE in the environment.

    requests lets that variable override ``Session.verify``, so an explicit ca_path or
    validate_certs=false is bound into every call instead.
    """
    import requests

    session = requests.Session()
    explicit = {"timeout": timeout}
    if not validate_certs:
        explicit["verify"] = False
    elif ca_path:
        explicit["verify"] = ca_path
    session.request = functools.partial(session.request, **explicit)
    return session
