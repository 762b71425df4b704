"""Entra ID: token endpoints (v1 and v2), OpenID metadata, user realm and instance discovery."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, request
from markupsafe import escape

from ...routing import current_emulator
from .backend import EntraError

blueprint = Blueprint("entra", __name__)


def entra():
    return current_emulator().backend("entra")


def _base() -> str:
    return request.host_url.rstrip("/")


def _error(exc: EntraError):
    emu = current_emulator()
    response = jsonify(exc.body(emu.now()))
    response.status_code = exc.status
    return response


def _token(tenant: str, v2: bool):
    emu = current_emulator()
    try:
        with emu.lock:
            body = entra().grant(tenant, request.form, v2=v2, base_url=_base())
    except EntraError as exc:
        return _error(exc)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store, no-cache"
    return response


@blueprint.post("/<tenant>/oauth2/token")
def token_v1(tenant):
    return _token(tenant, v2=False)


@blueprint.post("/<tenant>/oauth2/v2.0/token")
def token_v2(tenant):
    return _token(tenant, v2=True)


def _openid(tenant: str, v2: bool):
    emu = current_emulator()
    base = _base()
    if tenant.lower() in ("common", "organizations", "consumers"):
        issuer_tenant = "{tenantid}"
    else:
        found = emu.world.tenant_by_key(tenant)
        if found is None:
            return _error(EntraError(400, "invalid_tenant", 90002,
                                     f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant "
                                     "ID and are signing into the correct cloud."))
        issuer_tenant = found.id
    suffix = "/v2.0" if v2 else ""
    return jsonify({
        "token_endpoint": f"{base}/{tenant}/oauth2{suffix}/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/{tenant}/discovery{suffix}/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{base}/{issuer_tenant}{suffix}" if v2 else f"{base}/{issuer_tenant}/",
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{base}/{tenant}/openid/userinfo",
        "authorization_endpoint": f"{base}/{tenant}/oauth2{suffix}/authorize",
        "device_authorization_endpoint": f"{base}/{tenant}/oauth2{suffix}/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/{tenant}/oauth2{suffix}/logout",
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "oid", "tid", "preferred_username"],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
    })


@blueprint.get("/<tenant>/v2.0/.well-known/openid-configuration")
def openid_v2(tenant):
    return _openid(tenant, v2=True)


@blueprint.get("/<tenant>/.well-known/openid-configuration")
def openid_v1(tenant):
    return _openid(tenant, v2=False)


@blueprint.get("/common/userrealm/<path:username>")
def userrealm(username):
    emu = current_emulator()
    domain = username.rpartition("@")[2]
    tenant = emu.world.tenant_by_key(domain)
    # Federated accounts are reported as Managed: msal then sends the password to the token endpoint,
    # which answers AADSTS50126 as AAD does for synced accounts without cloud passwords (lcs-api.md §1.7).
    return jsonify({
        "ver": "1.0",
        "account_type": "Managed" if tenant else "Unknown",
        "domain_name": tenant.domain if tenant else domain,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_audience_urn": "urn:federation:MicrosoftOnline",
    })


@blueprint.get("/common/discovery/instance")
def instance_discovery():
    base = _base()
    authorization = request.args.get("authorization_endpoint", f"{base}/common/oauth2/authorize")
    tenant = authorization[len(base):].strip("/").split("/")[0] or "common"
    return jsonify({
        "tenant_discovery_endpoint": f"{base}/{tenant}/v2.0/.well-known/openid-configuration",
        "api-version": "1.1",
        "metadata": [{"preferred_network": request.host, "preferred_cache": request.host,
                      "aliases": [request.host]}],
    })


# -- interactive sign-in: device code, authorization code with PKCE ----------------------------------------
def _device_code(tenant: str, v2: bool):
    emu = current_emulator()
    try:
        with emu.lock:
            body = entra().tokens.start_device_code(tenant, request.form, v2=v2, now=emu.now(), base_url=_base())
    except EntraError as exc:
        return _error(exc)
    return jsonify(body)


@blueprint.post("/<tenant>/oauth2/devicecode")
def device_code_v1(tenant):
    return _device_code(tenant, v2=False)


@blueprint.post("/<tenant>/oauth2/v2.0/devicecode")
def device_code_v2(tenant):
    return _device_code(tenant, v2=True)


SIGN_IN_PAGE = """<!doctype html><title>Sign in</title>
<form method="post"><input name="username" value="{login_hint}"><input name="password" type="password">
<button>Sign in</button></form>"""


@blueprint.route("/<tenant>/oauth2/v2.0/authorize", methods=["GET", "POST"])
@blueprint.route("/<tenant>/oauth2/authorize", methods=["GET", "POST"])
def authorize(tenant):
    """The sign-in page; posting it (as the person, MFA included) redirects with an authorization code."""
    emu = current_emulator()
    if request.method == "GET":
        return SIGN_IN_PAGE.format(login_hint=escape(request.args.get("login_hint", "")))
    try:
        with emu.lock:
            body, location = entra().tokens.authorize(tenant, request.args, request.form.get("username"),
                                                      request.form.get("password"), emu.now())
    except EntraError as exc:
        return _error(exc)
    return redirect(location, code=302) if location else body


@blueprint.get("/devicelogin")
def device_login():
    return "<!doctype html><title>Enter code</title><p>Enter the code shown by the application.</p>"


# -- admin: what the person and the tenant administrator do ------------------------------------------------
@blueprint.get("/_emulator/entra/device-codes")
def pending_device_codes():
    with current_emulator().lock:
        return jsonify({"pending": entra().pending_device_codes()})


@blueprint.post("/_emulator/entra/device-codes/approve")
def approve_device_code():
    body = request.get_json(silent=True) or {}
    try:
        with current_emulator().lock:
            entra().approve_device_code(str(body.get("user_code", "")), str(body.get("username", "")),
                                        int(body.get("slow_downs", 0)))
    except KeyError:
        return jsonify({"error": "no pending device code %s" % body.get("user_code")}), 404
    return jsonify({"approved": body.get("user_code")})


@blueprint.post("/_emulator/entra/revoke")
def revoke_sessions():
    body = request.get_json(silent=True) or {}
    with current_emulator().lock:
        entra().revoke(str(body.get("username", "")))
    return jsonify({"revoked": body.get("username")})


@blueprint.post("/_emulator/entra/policy")
def refresh_token_policy():
    body = request.get_json(silent=True) or {}
    with current_emulator().lock:
        policy = entra().set_policy(body.get("inactivity_seconds"), body.get("max_age_seconds"),
                                    clear_max_age="max_age_seconds" in body and body["max_age_seconds"] is None)
    return jsonify(policy)
