"""Contract of the Entra backend's interactive sign-in: device codes (v1 and v2) and refresh-token policy."""

from __future__ import annotations

from tests.emulator.test_entra import PUBLIC, TENANT, _post

DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
MFA = "mfa@contoso.example"


def _admin(emu, path, body):
    response = emu.http.post(f"{emu.base_url}/_emulator/entra/{path}", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def test_device_code_v2_pending_slow_down_approved(emulator_http):
    scope = f"{emulator_http.base_url}//.default offline_access"
    flow = _post(emulator_http, f"{TENANT}/oauth2/v2.0/devicecode", client_id=PUBLIC, scope=scope).json()
    assert flow["verification_uri"].endswith("/devicelogin") and flow["interval"] == 5
    poll = dict(grant_type=DEVICE, client_id=PUBLIC, device_code=flow["device_code"])
    assert _post(emulator_http, f"{TENANT}/oauth2/v2.0/token", **poll).json()["error"] == "authorization_pending"
    # a second poll at once is too fast
    assert _post(emulator_http, f"{TENANT}/oauth2/v2.0/token", **poll).json()["error"] == "slow_down"
    assert _admin(emulator_http, "device-codes/approve", {"user_code": flow["user_code"], "username": MFA})
    answer = _post(emulator_http, f"{TENANT}/oauth2/v2.0/token", **poll)
    assert answer.status_code == 400 and answer.json()["error"] == "slow_down"  # still within the interval


def test_device_code_v1_shape_and_expiry(emulator_http):
    flow = _post(emulator_http, f"{TENANT}/oauth2/devicecode", client_id=PUBLIC,
                 resource=emulator_http.base_url).json()
    assert "verification_url" in flow and flow["expires_in"] == "900"
    emulator_http.advance(901)
    answer = _post(emulator_http, f"{TENANT}/oauth2/token", grant_type="device_code", client_id=PUBLIC,
                   code=flow["device_code"], resource=emulator_http.base_url).json()
    assert answer["error"] == "expired_token" and answer["error_codes"] == [70020]


def test_refresh_tokens_slide_expire_and_are_revoked(emulator_http):
    _admin(emulator_http, "policy", {"inactivity_seconds": 3600, "max_age_seconds": 7200})
    first = _post(emulator_http, f"{TENANT}/oauth2/token", grant_type="password", client_id=PUBLIC,
                  username="dataalm@contoso.example", password="Emu-Passw0rd!",
                  resource=emulator_http.base_url).json()
    emulator_http.advance(3000)
    second = _post(emulator_http, f"{TENANT}/oauth2/token", grant_type="refresh_token", client_id=PUBLIC,
                   refresh_token=first["refresh_token"]).json()
    emulator_http.advance(3000)  # the first is now inactive for 6000 s, the second for 3000 s
    old = _post(emulator_http, f"{TENANT}/oauth2/token", grant_type="refresh_token", client_id=PUBLIC,
                refresh_token=first["refresh_token"]).json()
    assert old["error_codes"] == [700082]
    third = _post(emulator_http, f"{TENANT}/oauth2/token", grant_type="refresh_token", client_id=PUBLIC,
                  refresh_token=second["refresh_token"]).json()
    emulator_http.advance(1300)  # 7300 s after the sign-in: past the maximum age
    aged = _post(emulator_http, f"{TENANT}/oauth2/token", grant_type="refresh_token", client_id=PUBLIC,
                 refresh_token=third["refresh_token"]).json()
    assert aged["error_codes"] == [70043]
    fresh = _post(emulator_http, f"{TENANT}/oauth2/token", grant_type="password", client_id=PUBLIC,
                  username="dataalm@contoso.example", password="Emu-Passw0rd!",
                  resource=emulator_http.base_url).json()
    _admin(emulator_http, "revoke", {"username": "dataalm@contoso.example"})
    revoked = _post(emulator_http, f"{TENANT}/oauth2/token", grant_type="refresh_token", client_id=PUBLIC,
                    refresh_token=fresh["refresh_token"]).json()
    assert revoked["error_codes"] == [50173]


def test_device_code_tokens_carry_the_client_info_the_poll_asks_for(emulator_http):
    """msal files tokens under client_info's uid.utid; without it a device-code sign-in was filed under another
    account than every renewal, leaving its stale access token in the cache (issue 11's vault-cache 401)."""
    scope = f"{emulator_http.base_url}//.default offline_access openid profile"
    flow = _post(emulator_http, f"{TENANT}/oauth2/v2.0/devicecode", client_id=PUBLIC, scope=scope).json()
    _admin(emulator_http, "device-codes/approve", {"user_code": flow["user_code"], "username": MFA})
    signed_in = _post(emulator_http, f"{TENANT}/oauth2/v2.0/token", grant_type=DEVICE, client_id=PUBLIC,
                      device_code=flow["device_code"], client_info="1").json()
    renewed = _post(emulator_http, f"{TENANT}/oauth2/v2.0/token", grant_type="refresh_token", client_id=PUBLIC,
                    refresh_token=signed_in["refresh_token"], scope=scope, client_info="1").json()
    assert signed_in.get("client_info") and signed_in["client_info"] == renewed["client_info"]
