"""Entra ID (Azure AD) token logic: grants, AADSTS errors and the emulator's JWT-like access tokens.

Access tokens are real JWS compact strings (HS256 with a per-run secret) whose ``exp``/``iat``/``nbf``
are in VIRTUAL time, so moving the emulator clock expires them. Refresh tokens are opaque and kept
server side. The HTTP layer lives in routes.py beside this file.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass

from ...core import Backend
from ...world import App, Tenant, User, World
from . import signin
from .errors import EntraError

LCS_APP_ID = "913c6de4-2a4a-4a61-a9ce-945d2b2ce2e0"
GRAPH_RESOURCE = "00000002-0000-0000-c000-000000000000"
OIDC_SCOPES = {"openid", "profile", "offline_access", "email"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def normalize_audience(value: str) -> str:
    return value.strip().rstrip("/").lower()


def is_lcs_audience(audience: str, extra: set[str]) -> bool:
    """The LCS API app id, any regional LCS API host, or one of the emulator's own base URLs."""
    from ...world import REGION_HOSTS

    aud = normalize_audience(audience)
    known = {LCS_APP_ID} | {normalize_audience(h) for h in REGION_HOSTS.values()} | extra
    return aud in known


@dataclass
class RefreshTokenRecord:
    tenant_id: str
    client_id: str
    username: str
    resource: str
    scopes: list[str]
    issued: dt.datetime
    session_start: dt.datetime  # the interactive (or password) sign-in every rotation descends from


class TokenService:
    """Issues and checks tokens for one world. Thread safety: the caller holds the emulator lock."""

    def __init__(self, world: World):
        self.world = world
        self.reset()

    def reset(self) -> None:
        # a new secret invalidates every token issued before a reset
        self._secret = secrets.token_bytes(32)
        self._refresh_tokens: dict[str, RefreshTokenRecord] = {}
        self.issued = {"total": 0}
        self.signin = signin.SignInState(signin.Policy(self.world.refresh_token_lifetime))

    # -- signing ------------------------------------------------------------------------------------
    def _sign(self, claims: dict) -> str:
        header = _b64(json.dumps({"typ": "JWT", "alg": "HS256", "kid": "emulator"}).encode())
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signature = hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(signature)}"

    def decode(self, token: str) -> dict | None:
        """Claims of a token this emulator signed, or None (forged, garbled or from before a reset)."""
        try:
            header, payload, signature = token.split(".")
            expected = hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _unb64(signature)):
                return None
            return json.loads(_unb64(payload))
        except (ValueError, TypeError):
            return None

    # -- lookups ------------------------------------------------------------------------------------
    def resolve_tenant(self, tenant_key: str, username: str | None) -> Tenant:
        if tenant_key.lower() in ("common", "organizations"):
            if username and "@" in username:
                tenant = self.world.tenant_by_key(username.split("@", 1)[1])
                if tenant is not None:
                    return tenant
                raise EntraError(400, "invalid_grant", 50034,
                                 f"The user account {{EmailHidden}} does not exist in the {tenant_key} directory.")
            return self.world.tenants[0]
        tenant = self.world.tenant_by_key(tenant_key)
        if tenant is None:
            raise EntraError(400, "invalid_request", 90002,
                             f"Tenant '{tenant_key}' not found. Check to make sure you have the correct tenant ID "
                             "and are signing into the correct cloud.")
        return tenant

    @staticmethod
    def _app(tenant: Tenant, client_id: str | None) -> App:
        if not client_id:
            raise EntraError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'client_id'.")
        for app in tenant.apps:
            if app.client_id.lower() == client_id.lower():
                return app
        raise EntraError(400, "unauthorized_client", 700016,
                         f"Application with identifier '{client_id}' was not found in the directory "
                         f"'{tenant.domain}'. This can happen if the application has not been installed by the "
                         "administrator of the tenant or consented to by any user in the tenant.")

    @staticmethod
    def _check_client_auth(app: App, client_secret: str | None, *, user_flow: bool) -> None:
        if app.public_client and client_secret:
            raise EntraError(401, "invalid_client", 700025,
                             "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
        if not app.public_client:
            if not client_secret:
                raise EntraError(401, "invalid_client", 7000218,
                                 "The request body must contain the following parameter: 'client_assertion' or "
                                 "'client_secret'.")
            if app.secret is None or not hmac.compare_digest(app.secret, client_secret):
                raise EntraError(401, "invalid_client", 7000215,
                                 f"Invalid client secret provided. Ensure the secret being sent in the request is "
                                 f"the client secret value, not the client secret ID, for a secret added to app "
                                 f"'{app.client_id}'.")
        elif not user_flow:
            raise EntraError(401, "invalid_client", 7000218,
                             "The request body must contain the following parameter: 'client_assertion' or "
                             "'client_secret'.")

    @staticmethod
    def _user(tenant: Tenant, username: str | None) -> User:
        for user in tenant.users:
            if username and user.username.lower() == username.lower():
                return user
        raise EntraError(400, "invalid_grant", 50034,
                         f"The user account {{EmailHidden}} does not exist in the {tenant.domain} directory. To sign "
                         "into this application, the account must be added to the directory.")

    # -- grants -------------------------------------------------------------------------------------
    def password_grant(self, tenant_key, form, *, v2: bool, now, lifetime, base_url):
        username = form.get("username")
        tenant = self.resolve_tenant(tenant_key, username)
        app = self._app(tenant, form.get("client_id"))
        self._check_client_auth(app, form.get("client_secret"), user_flow=True)
        resource, scopes = self._requested(form, v2=v2, base_url=base_url)
        user = self._user(tenant, username)
        if user.federated or not hmac.compare_digest(user.password, form.get("password") or ""):
            # a federated (synced) account cannot use ROPC against the cloud: AAD answers 50126 (I-727)
            raise EntraError(400, "invalid_grant", 50126,
                             "Error validating credentials due to invalid username or password.")
        if user.mfa:
            raise EntraError(400, "invalid_grant", 50076,
                             "Due to a configuration change made by your administrator, or because you moved to a "
                             f"new location, you must use multi-factor authentication to access '{resource}'.")
        return self._issue(tenant, app, user, resource, scopes, form, v2=v2, now=now, lifetime=lifetime,
                           base_url=base_url, grant="password")

    def refresh_grant(self, tenant_key, form, *, v2: bool, now, lifetime, base_url):
        token = form.get("refresh_token") or ""
        record = self._refresh_tokens.get(token)
        if record is None:
            raise EntraError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
        tenant = self.resolve_tenant(record.tenant_id, None)
        app = self._app(tenant, form.get("client_id"))
        if app.client_id != record.client_id:
            raise EntraError(400, "invalid_grant", 70000,
                             "Provided grant is invalid or malformed. The refresh token was issued to a different "
                             "client.")
        self._check_client_auth(app, form.get("client_secret"), user_flow=True)
        refusal = signin.refresh_refusal(self.signin, record, now)
        if refusal is not None:
            raise refusal
        if v2 and form.get("scope"):
            resource, scopes = self._requested(form, v2=True, base_url=base_url)
        elif not v2 and form.get("resource"):
            resource, scopes = self._requested(form, v2=False, base_url=base_url)
        else:
            # d365fo.tools sends resource= empty: AAD keeps the original audience
            resource, scopes = record.resource, record.scopes
        user = self._user(tenant, record.username)
        # rotation: a new refresh token comes back; the redeemed one stays valid in its own window (as in Entra)
        return self._issue(tenant, app, user, resource, scopes, form, v2=v2, now=now, lifetime=lifetime,
                           base_url=base_url, grant="refresh_token", session_start=record.session_start)

    def device_code_grant(self, tenant_key, form, *, v2: bool, now, lifetime, base_url):
        code = signin.poll_device_code(self.signin, form, now)
        # the scope is the device-code request's; client_info (the account key msal files tokens under)
        # is asked for by the polling request, as Entra reads it
        return self._interactive_tokens(code.tenant_id, code.client_id, code.approved_user,
                                        dict(code.form, client_info=form.get("client_info")),
                                        v2=code.v2, now=now, lifetime=lifetime, base_url=base_url,
                                        grant="device_code")

    def auth_code_grant(self, tenant_key, form, *, v2: bool, now, lifetime, base_url):
        code = signin.redeem_auth_code(self.signin, form, now)
        # the id token carries the nonce of the authorization request, which msal checks
        return self._interactive_tokens(code.tenant_id, code.client_id, code.username,
                                        dict(form, nonce=code.form["nonce"]), v2=v2, now=now,
                                        lifetime=lifetime, base_url=base_url, grant="authorization_code")

    def _interactive_tokens(self, tenant_id, client_id, username, form, *, v2, now, lifetime, base_url, grant):
        """Tokens for a person who signed in interactively (MFA and conditional access satisfied)."""
        tenant = self.resolve_tenant(tenant_id, None)
        app = self._app(tenant, client_id)
        user = self._user(tenant, username)
        resource, scopes = self._requested(form, v2=v2, base_url=base_url)
        return self._issue(tenant, app, user, resource, scopes, form, v2=v2, now=now, lifetime=lifetime,
                           base_url=base_url, grant=grant)

    def start_device_code(self, tenant_key, form, *, v2: bool, now, base_url) -> dict:
        tenant = self.resolve_tenant(tenant_key, None)
        app = self._app(tenant, form.get("client_id"))
        # a confidential app (public client flows off) cannot use the device code flow without its secret
        self._check_client_auth(app, form.get("client_secret"), user_flow=True)
        self._requested(form, v2=v2, base_url=base_url)
        return signin.start_device_code(self.signin, tenant, app, form, v2=v2, now=now, base_url=base_url)

    def authorize(self, tenant_key, args, username, password, now) -> tuple[str, str | None]:
        """The sign-in page posted by the person: (HTML body, Location) carrying an authorization code."""
        tenant = self.resolve_tenant(tenant_key, username)
        app = self._app(tenant, args.get("client_id"))
        user = self._user(tenant, username)
        if not hmac.compare_digest(user.password, password or ""):
            raise EntraError(400, "invalid_grant", 50126,
                             "Error validating credentials due to invalid username or password.")
        fields = signin.issue_auth_code(self.signin, tenant, app, args, user.username, now)
        return signin.redirect_page(args["redirect_uri"], fields, args.get("response_mode", "query"))

    def client_credentials_grant(self, tenant_key, form, *, v2: bool, now, lifetime, base_url, lcs_audiences):
        tenant = self.resolve_tenant(tenant_key, None)
        app = self._app(tenant, form.get("client_id"))
        self._check_client_auth(app, form.get("client_secret"), user_flow=False)
        if v2:
            scope = (form.get("scope") or "").split()
            if len(scope) != 1 or not scope[0].endswith("/.default"):
                raise EntraError(400, "invalid_scope", 1002012,
                                 f"The provided value for scope {form.get('scope')} is not valid. Client credential "
                                 "flows must have a scope value with /.default suffixed to the resource identifier.")
        resource, _scopes = self._requested(form, v2=v2, base_url=base_url)
        if is_lcs_audience(resource, lcs_audiences):
            # LCS has delegated permissions only: no app role can ever be assigned (lcs-api.md §1.1)
            raise EntraError(400, "unauthorized_client", 501051,
                             f"Application '{app.client_id}'({app.name}) is not assigned to a role for the "
                             f"application '{resource}'(Dynamics Lifecycle services).")
        return self._issue(tenant, app, None, resource, [], form, v2=v2, now=now, lifetime=lifetime,
                           base_url=base_url, grant="client_credentials")

    # -- helpers ------------------------------------------------------------------------------------
    @staticmethod
    def _requested(form, *, v2: bool, base_url: str) -> tuple[str, list[str]]:
        """(audience, delegated scopes) from v1 ``resource`` or v2 ``scope``."""
        if not v2:
            resource = (form.get("resource") or "").strip() or GRAPH_RESOURCE
            return resource, ["user_impersonation"]
        scopes = [s for s in (form.get("scope") or "").split() if s not in OIDC_SCOPES]
        if not scopes:
            raise EntraError(400, "invalid_scope", 70011,
                             "The provided request must include a 'scope' input parameter.")
        resources = set()
        names = []
        for scope in scopes:
            if "/" not in scope:
                raise EntraError(400, "invalid_scope", 70011, f"The provided value for the input parameter 'scope' "
                                                              f"is not valid. The scope {scope} is not valid.")
            resource, _slash, name = scope.rpartition("/")
            resources.add(normalize_audience(resource))
            names.append(name)
        if len(resources) > 1:
            raise EntraError(400, "invalid_scope", 28000,
                             "Provided value for the input parameter scope is not valid because it contains more "
                             "than one resource.")
        resource = scopes[0].rpartition("/")[0].rstrip("/")
        if names == [".default"]:
            names = ["user_impersonation"]
        return resource, names

    def _issue(self, tenant, app, user, resource, scopes, form, *, v2, now, lifetime, base_url, grant,
               session_start=None) -> dict:
        exp = now + dt.timedelta(seconds=lifetime)
        issuer = f"{base_url}/{tenant.id}/v2.0" if v2 else f"{base_url}/{tenant.id}/"
        claims = {
            "aud": resource, "iss": issuer, "iat": int(now.timestamp()), "nbf": int(now.timestamp()),
            "exp": int(exp.timestamp()), "tid": tenant.id, "appid": app.client_id, "azp": app.client_id,
            "ver": "2.0" if v2 else "1.0", "uti": secrets.token_urlsafe(12),
        }
        if user is not None:
            claims.update({"oid": user.object_id, "sub": user.object_id, "upn": user.username,
                           "unique_name": user.username, "name": user.display_name, "scp": " ".join(scopes)})
        else:
            claims.update({"oid": str(uuid.uuid5(uuid.NAMESPACE_URL, "sp:" + app.client_id)), "roles": []})
        access_token = self._sign(claims)
        self.issued["total"] += 1
        self.issued[grant] = self.issued.get(grant, 0) + 1

        requested = set((form.get("scope") or "").split())
        scope_text = " ".join(f"{resource.rstrip('/')}/{s}" for s in scopes) if v2 else "user_impersonation"
        if v2:
            response = {"token_type": "Bearer", "scope": scope_text, "expires_in": lifetime,
                        "ext_expires_in": lifetime, "access_token": access_token}
        else:
            # the v1 endpoint sends its numbers as strings
            response = {"token_type": "Bearer", "scope": scope_text, "expires_in": str(lifetime),
                        "ext_expires_in": str(lifetime), "expires_on": str(int(exp.timestamp())),
                        "not_before": str(int(now.timestamp())), "resource": resource,
                        "access_token": access_token}
        if user is not None and (not v2 or "offline_access" in requested):
            refresh = secrets.token_urlsafe(48)
            self._refresh_tokens[refresh] = RefreshTokenRecord(
                tenant_id=tenant.id, client_id=app.client_id, username=user.username, resource=resource,
                scopes=scopes, issued=now, session_start=session_start or now)
            response["refresh_token"] = refresh
        if user is not None and "openid" in requested:
            response["id_token"] = self._id_token(tenant, app, user, issuer_base=base_url, v2=v2,
                                                  nonce=form.get("nonce"))
        if user is not None and form.get("client_info") == "1":
            response["client_info"] = _b64(json.dumps({"uid": user.object_id, "utid": tenant.id}).encode())
        return response

    def _id_token(self, tenant, app, user, *, issuer_base, v2, nonce=None) -> str:
        # msal validates id_token times against the REAL clock, so they are real, unlike access tokens
        import time

        real_now = int(time.time())
        claims = {"aud": app.client_id, "iss": f"{issuer_base}/{tenant.id}/v2.0" if v2 else
                  f"{issuer_base}/{tenant.id}/", "iat": real_now, "nbf": real_now, "exp": real_now + 3600,
                  "oid": user.object_id, "sub": user.object_id, "tid": tenant.id,
                  "preferred_username": user.username, "name": user.display_name, "ver": "2.0" if v2 else "1.0"}
        if nonce:
            claims["nonce"] = nonce
        return self._sign(claims)


class EntraBackend(Backend):
    """Entra ID for the emulator: the token service plus the per-run policy (lifetime faults, the
    audiences that are LCS). Each grant type is one method, so a new flow is one entry in ``_GRANTS``."""

    name = "entra"
    _GRANTS = {"password": "password_grant", "refresh_token": "refresh_grant",
               "client_credentials": "client_credentials_grant", "authorization_code": "auth_code_grant",
               **{name: "device_code_grant" for name in signin.DEVICE_GRANTS}}

    def __init__(self, emulator, core):
        super().__init__(emulator, core)
        self.tokens = TokenService(self.world)

    def reset(self, databases: bool) -> None:
        self.tokens.reset()

    def counters(self) -> dict:
        return {"tokens_issued": dict(self.tokens.issued), "sign_in": dict(self.tokens.signin.counts)}

    # -- the person and the administrator (admin API) ------------------------------------------------------
    def approve_device_code(self, user_code: str, username: str, slow_downs: int = 0) -> None:
        signin.approve_device_code(self.tokens.signin, user_code, username, slow_downs)

    def pending_device_codes(self) -> list[str]:
        return [c.user_code for c in self.tokens.signin.device_codes.values() if c.approved_user is None]

    def revoke(self, username: str) -> None:
        """Revoke every sign-in session of the user (as 'Revoke sessions' or a password reset does)."""
        self.tokens.signin.revoked[username.lower()] = self.now()
        self.tokens.signin.counts["revocations"] += 1

    def set_policy(self, inactivity_seconds=None, max_age_seconds=None, clear_max_age=False) -> dict:
        policy = self.tokens.signin.policy
        if inactivity_seconds is not None:
            policy.inactivity_seconds = int(inactivity_seconds)
        if max_age_seconds is not None or clear_max_age:
            policy.max_age_seconds = None if clear_max_age else int(max_age_seconds)
        return {"inactivity_seconds": policy.inactivity_seconds, "max_age_seconds": policy.max_age_seconds}

    def token_lifetime(self) -> int:
        return self.core.token_lifetime_override or self.world.token_lifetime

    def lcs_audiences(self) -> set[str]:
        """The emulator's own base URLs: LCS clients use them as the token audience."""
        return {normalize_audience(url) for url in self.core.base_urls}

    def decode(self, token: str) -> dict | None:
        return self.tokens.decode(token)

    def grant(self, tenant: str, form, *, v2: bool, base_url: str) -> dict:
        """The token endpoint: a token response, or EntraError. Caller holds ``core.lock``."""
        grant = form.get("grant_type")
        kwargs = {"v2": v2, "now": self.now(), "lifetime": self.token_lifetime(), "base_url": base_url}
        if not grant:
            raise EntraError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'grant_type'.")
        if grant not in self._GRANTS:
            raise EntraError(400, "unsupported_grant_type", 70003,
                             f"The app requested an unsupported grant type '{grant}'.")
        if grant == "client_credentials":
            kwargs["lcs_audiences"] = self.lcs_audiences()
        self._check_organisation(form, v2=v2)
        return getattr(self.tokens, self._GRANTS[grant])(tenant, form, **kwargs)

    def _check_organisation(self, form, *, v2: bool) -> None:
        """A token for a Dataverse organisation URL the world does not have: AADSTS500011, as Entra
        answers for a resource that is not in the tenant."""
        requested = (form.get("scope") or "") if v2 else (form.get("resource") or "")
        dataverse = self.emulator.backends.get("dataverse")
        for item in requested.split():
            resource = item.rpartition("/")[0] if v2 else item
            domain = resource.rstrip("/").partition("/dataverse/")[2]
            if domain and dataverse is not None and not dataverse.has_organisation(domain):
                raise EntraError(400, "invalid_resource", 500011,
                                 f"The resource principal named {resource} was not found in the tenant. This can "
                                 "happen if the application has not been installed by the administrator of the "
                                 "tenant or consented to by any user in the tenant. You might have sent your "
                                 "authentication request to the wrong tenant.")


BACKEND = EntraBackend
