"""Entra ID: token endpoints (v1 and v2), OpenID metadata, user realm and instance discovery."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

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
