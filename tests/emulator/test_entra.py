"""Entra ID token endpoints, driven with real msal and with plain HTTP."""

from __future__ import annotations

import base64
import json

import msal
import pytest
import requests

TENANT = "8f2c1a7e-0d4b-4c2e-9a51-3e6b7c8d9e0f"
PUBLIC = "5b8e2f3a-7c41-4d9e-b2a6-1f0e3d4c5b6a"
CONFIDENTIAL = "6c9f3a4b-8d52-4eaf-c3b7-2a1f4e5d6c7b"
USER, PASSWORD = "dataalm@contoso.example", "Emu-Passw0rd!"


@pytest.fixture
def msal_env(monkeypatch):
    # requests lets REQUESTS_CA_BUNDLE override the verify= msal puts on its session (requests#3829)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _post(emulator, path, **data):
    return emulator.http.post(f"{emulator.base_url}/{path}", data=data, timeout=30)


def test_msal_public_client_password_grant_and_refresh(emulator_http, msal_env):
    base = emulator_http.base_url
    app = msal.PublicClientApplication(PUBLIC, authority=f"{base}/{TENANT}", verify=emulator_http.ca_file,
                                       instance_discovery=False)
    scopes = [f"{base}//.default"]
    first = app.acquire_token_by_username_password(USER, PASSWORD, scopes=scopes)
    assert "access_token" in first, first
    claims = _claims(first["access_token"])
    assert claims["aud"].rstrip("/") == base and claims["upn"] == USER and claims["tid"] == TENANT
    assert claims["exp"] - claims["iat"] == 3600
    account = app.get_accounts(username=USER)[0]
    refreshed = app.acquire_token_silent(scopes, account=account, force_refresh=True)
    assert refreshed and refreshed["access_token"] != first["access_token"]
    assert emulator_http.counters()["tokens_issued"] == {"total": 2, "password": 1, "refresh_token": 1}


def test_msal_confidential_client_password_grant(emulator_http, msal_env):
    base = emulator_http.base_url
    app = msal.ConfidentialClientApplication(CONFIDENTIAL, client_credential="emu-app-secret",
                                             authority=f"{base}/{TENANT}", verify=emulator_http.ca_file,
                                             instance_discovery=False)
    result = app.acquire_token_by_username_password(USER, PASSWORD, scopes=[f"{base}/user_impersonation"])
    assert "access_token" in result, result
    assert _claims(result["access_token"])["appid"] == CONFIDENTIAL


def test_msal_organizations_authority(emulator_http, msal_env):
    base = emulator_http.base_url
    app = msal.PublicClientApplication(PUBLIC, authority=f"{base}/organizations", verify=emulator_http.ca_file,
                                       instance_discovery=False)
    result = app.acquire_token_by_username_password(USER, PASSWORD, scopes=[f"{base}//.default"])
    assert _claims(result["access_token"])["tid"] == TENANT


def test_msal_surfaces_mfa_error(emulator_http, msal_env):
    base = emulator_http.base_url
    app = msal.PublicClientApplication(PUBLIC, authority=f"{base}/{TENANT}", verify=emulator_http.ca_file,
                                       instance_discovery=False)
    result = app.acquire_token_by_username_password("mfa@contoso.example", PASSWORD, scopes=[f"{base}//.default"])
    assert result["error"] == "invalid_grant" and 50076 in result["error_codes"]


def test_v1_password_grant_response_shape(emulator_http):
    response = _post(emulator_http, f"{TENANT}/oauth2/token", grant_type="password", client_id=PUBLIC,
                     username=USER, password=PASSWORD, resource="https://lcsapi.lcs.dynamics.com", scope="openid")
    assert response.status_code == 200
    body = response.json()
    # the v1 endpoint answers numbers as strings
    assert body["token_type"] == "Bearer" and body["expires_in"] == "3600"
    assert body["resource"] == "https://lcsapi.lcs.dynamics.com"
    assert int(body["expires_on"]) == _claims(body["access_token"])["exp"]
    assert {"refresh_token", "id_token", "not_before", "ext_expires_in"} <= set(body)


def test_v1_refresh_with_empty_resource_keeps_the_audience_and_rotates(emulator_http):
    first = _post(emulator_http, "common/oauth2/token", grant_type="password", client_id=PUBLIC, username=USER,
                  password=PASSWORD, resource="https://lcsapi.eu.lcs.dynamics.com").json()
    second = _post(emulator_http, "common/oauth2/token", grant_type="refresh_token", client_id=PUBLIC,
                   refresh_token=first["refresh_token"], resource="")
    assert second.status_code == 200
    assert _claims(second.json()["access_token"])["aud"] == "https://lcsapi.eu.lcs.dynamics.com"
    assert second.json()["refresh_token"] != first["refresh_token"]
    # Entra ID does not revoke a redeemed refresh token (learn.microsoft.com/entra/identity-platform/refresh-tokens)
    again = _post(emulator_http, "common/oauth2/token", grant_type="refresh_token", client_id=PUBLIC,
                  refresh_token=first["refresh_token"], resource="")
    assert again.status_code == 200


def test_v2_refresh_token_only_with_offline_access(emulator_http):
    base = emulator_http.base_url
    without = _post(emulator_http, f"{TENANT}/oauth2/v2.0/token", grant_type="password", client_id=PUBLIC,
                    username=USER, password=PASSWORD, scope=f"{base}//.default").json()
    assert "refresh_token" not in without and without["expires_in"] == 3600
    with_offline = _post(emulator_http, f"{TENANT}/oauth2/v2.0/token", grant_type="password", client_id=PUBLIC,
                         username=USER, password=PASSWORD, scope=f"{base}//.default offline_access").json()
    assert "refresh_token" in with_offline


def test_refresh_token_expires_in_virtual_time(emulator_http):
    first = _post(emulator_http, f"{TENANT}/oauth2/token", grant_type="password", client_id=PUBLIC, username=USER,
                  password=PASSWORD, resource=emulator_http.base_url).json()
    emulator_http.advance(91 * 86400)
    response = _post(emulator_http, f"{TENANT}/oauth2/token", grant_type="refresh_token", client_id=PUBLIC,
                     refresh_token=first["refresh_token"])
    assert response.status_code == 400 and response.json()["error_codes"] == [700082]


@pytest.mark.parametrize(("data", "status", "error", "code"), [
    ({"username": USER, "password": "wrong"}, 400, "invalid_grant", 50126),
    ({"username": "mfa@contoso.example"}, 400, "invalid_grant", 50076),
    ({"username": "federated@contoso.example"}, 400, "invalid_grant", 50126),
    ({"username": "ghost@contoso.example"}, 400, "invalid_grant", 50034),
    ({"client_id": CONFIDENTIAL}, 401, "invalid_client", 7000218),
    ({"client_id": CONFIDENTIAL, "client_secret": "nope"}, 401, "invalid_client", 7000215),
    ({"client_secret": "emu-app-secret"}, 401, "invalid_client", 700025),
    ({"client_id": "00000000-0000-0000-0000-000000000001"}, 400, "unauthorized_client", 700016),
    ({"grant_type": "urn:ietf:params:oauth:grant-type:saml1_1-bearer"}, 400, "unsupported_grant_type", 70003),
    ({"grant_type": "client_credentials", "client_id": CONFIDENTIAL, "client_secret": "emu-app-secret",
      "username": None, "password": None}, 400, "unauthorized_client", 501051),
    ({"grant_type": "client_credentials", "username": None, "password": None}, 401, "invalid_client", 7000218),
])
def test_token_errors(emulator_http, data, status, error, code):
    form = {"grant_type": "password", "client_id": PUBLIC, "username": USER, "password": PASSWORD,
            "scope": f"{emulator_http.base_url}//.default"}
    form.update(data)
    form = {k: v for k, v in form.items() if v is not None}
    response = _post(emulator_http, f"{TENANT}/oauth2/v2.0/token", **form)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}:")
    assert PASSWORD not in response.text


def test_client_credentials_for_another_audience_is_issued(emulator_http):
    response = _post(emulator_http, f"{TENANT}/oauth2/v2.0/token", grant_type="client_credentials",
                     client_id=CONFIDENTIAL, client_secret="emu-app-secret",
                     scope="https://api.bap.microsoft.com/.default")
    assert response.status_code == 200
    claims = _claims(response.json()["access_token"])
    assert claims["aud"] == "https://api.bap.microsoft.com" and "upn" not in claims


def test_unknown_tenant(emulator_http):
    response = _post(emulator_http, "nowhere.example/oauth2/v2.0/token", grant_type="password", client_id=PUBLIC,
                     username=USER, password=PASSWORD, scope=f"{emulator_http.base_url}//.default")
    assert response.status_code == 400 and response.json()["error_codes"] == [90002]
    meta = emulator_http.http.get(f"{emulator_http.base_url}/nowhere.example/v2.0/.well-known/openid-configuration")
    assert meta.status_code == 400


def test_openid_configuration_and_userrealm(emulator_http):
    base = emulator_http.base_url
    meta = emulator_http.http.get(f"{base}/contoso.example/v2.0/.well-known/openid-configuration").json()
    assert meta["token_endpoint"] == f"{base}/contoso.example/oauth2/v2.0/token"
    assert meta["issuer"] == f"{base}/{TENANT}/v2.0"
    v1 = emulator_http.http.get(f"{base}/{TENANT}/.well-known/openid-configuration").json()
    assert v1["token_endpoint"] == f"{base}/{TENANT}/oauth2/token"
    realm = emulator_http.http.get(f"{base}/common/userrealm/{USER}?api-version=1.0").json()
    assert realm["account_type"] == "Managed" and realm["domain_name"] == "contoso.example"


def test_token_lifetime_fault(emulator_http):
    emulator_http.set_faults(token_lifetime=120)
    response = _post(emulator_http, f"{TENANT}/oauth2/v2.0/token", grant_type="password", client_id=PUBLIC,
                     username=USER, password=PASSWORD, scope=f"{emulator_http.base_url}//.default")
    assert response.json()["expires_in"] == 120


def test_https_only_with_the_announced_ca(emulator_http):
    with pytest.raises(requests.exceptions.SSLError):
        plain = requests.Session()
        plain.trust_env = False
        plain.verify = True  # the system store does not know the emulator's CA
        plain.get(f"{emulator_http.admin_url}/health", timeout=10)
