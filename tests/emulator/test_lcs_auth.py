"""LCS authentication and authorisation: 401 for missing/expired/foreign tokens, 403 for non-members."""

from __future__ import annotations

from ._lcs import PROJECT, UAT, Lcs

DETAIL = f"/environmentinfo/v1/detail/project/{PROJECT}/"


def test_valid_token_is_accepted(emulator_http):
    lcs = Lcs(emulator_http)
    assert lcs.ok("GET", DETAIL)["IsSuccess"] is True


def test_missing_or_garbled_token_is_401(emulator_http):
    lcs = Lcs(emulator_http)
    assert lcs.call("GET", DETAIL, headers={"Authorization": ""}).status_code == 401
    assert lcs.call("GET", DETAIL, headers={"Authorization": lcs.token}).status_code == 401  # no Bearer
    forged = lcs.token[:-4] + ("AAAA" if not lcs.token.endswith("AAAA") else "BBBB")
    response = lcs.call("GET", DETAIL, token=forged)
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers


def test_token_expires_in_virtual_time(emulator_http):
    lcs = Lcs(emulator_http)
    emulator_http.advance(3599)
    assert lcs.call("GET", DETAIL).status_code == 200
    emulator_http.advance(2)
    assert lcs.call("GET", DETAIL).status_code == 401
    lcs.renew()
    assert lcs.call("GET", DETAIL).status_code == 200


def test_short_token_lifetime_fault_expires_mid_poll(emulator_http):
    emulator_http.set_faults(token_lifetime=60)
    lcs = Lcs(emulator_http)
    emulator_http.advance(61)
    assert lcs.call("GET", DETAIL).status_code == 401


def test_tokens_do_not_survive_a_reset(emulator_http):
    lcs = Lcs(emulator_http)
    emulator_http.reset(databases=False)
    assert lcs.call("GET", DETAIL).status_code == 401


def test_wrong_audience_is_401(emulator_http):
    http = emulator_http.http
    tenant = emulator_http.lcs_module_args()["tenant_id"]
    for resource in ("https://graph.microsoft.com", "https://lcsapi.eu.lcs.dynamics.com"):
        body = http.post(f"{emulator_http.base_url}/{tenant}/oauth2/token",
                         data={"grant_type": "password", "client_id": emulator_http.lcs_module_args()["client_id"],
                               "username": "dataalm@contoso.example", "password": "Emu-Passw0rd!",
                               "resource": resource}).json()
        lcs = Lcs(emulator_http)
        assert lcs.call("GET", DETAIL, token=body["access_token"]).status_code == 401, resource
    # the project's own regional host (United States = global) is a valid audience
    body = http.post(f"{emulator_http.base_url}/{tenant}/oauth2/token",
                     data={"grant_type": "password", "client_id": emulator_http.lcs_module_args()["client_id"],
                           "username": "dataalm@contoso.example", "password": "Emu-Passw0rd!",
                           "resource": "https://lcsapi.lcs.dynamics.com"}).json()
    assert Lcs(emulator_http).call("GET", DETAIL, token=body["access_token"]).status_code == 200


def test_app_only_token_is_401(emulator_http):
    # even if an app-only token had an LCS-like audience it carries no user: LCS is delegated only
    lcs = Lcs(emulator_http)
    tenant = emulator_http.lcs_module_args()["tenant_id"]
    body = emulator_http.http.post(
        f"{emulator_http.base_url}/{tenant}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": "6c9f3a4b-8d52-4eaf-c3b7-2a1f4e5d6c7b",
              "client_secret": "emu-app-secret", "scope": "https://api.bap.microsoft.com/.default"}).json()
    assert lcs.call("GET", DETAIL, token=body["access_token"]).status_code == 401


def test_non_member_is_403_with_envelope(emulator_http):
    lcs = Lcs(emulator_http, username="outsider@contoso.example")
    response = lcs.call("GET", DETAIL)
    assert response.status_code == 403
    assert response.json()["IsSuccess"] is False
    refresh = lcs.call("POST", f"/databasemovement/v1/refresh/project/{PROJECT}/source/x/target/{UAT}")
    assert refresh.status_code == 403


def test_unknown_project_is_403(emulator_http):
    lcs = Lcs(emulator_http)
    assert lcs.call("GET", "/environmentinfo/v1/detail/project/999/").status_code == 403


def test_x_ms_version_is_not_required(emulator_http):
    lcs = Lcs(emulator_http)
    with_header = lcs.call("GET", DETAIL, headers={"Authorization": f"Bearer {lcs.token}",
                                                   "x-ms-version": "2017-09-15"})
    assert with_header.status_code == 200 and lcs.call("GET", DETAIL).status_code == 200
