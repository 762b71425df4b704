"""_auth: real msal against a scripted HTTPS token endpoint; renewal with an injected clock; AADSTS advice."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._auth import (
    AADSTS_ADVICE,
    AuthError,
    MsalTokenProvider,
    StaticToken,
    advice_for,
    build_token_provider,
    lcs_scope,
)

TENANT = "contoso.example"
CLIENT_ID = "5b8e2f3a-7c41-4d9e-b2a6-1f0e3d4c5b6a"
USER = "dataalm@contoso.example"


def _b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def token_body(n, expires_in=3600):
    id_token = "%s.%s.sig" % (_b64({"alg": "none"}), _b64({
        "aud": CLIENT_ID, "iss": "https://issuer/%s/v2.0" % TENANT, "oid": "u1", "tid": "t1",
        "preferred_username": USER, "sub": "s", "iat": 1, "exp": 4102444800}))
    return {"token_type": "Bearer", "access_token": "at-%d" % n, "expires_in": expires_in,
            "refresh_token": "rt-%d" % n, "scope": "https://lcs//.default", "id_token": id_token,
            "client_info": _b64({"uid": "u1", "utid": "t1"})}


def script_entra(srv):
    base = srv.base_url
    srv.always("/%s/v2.0/.well-known/openid-configuration" % TENANT, 200, {
        "authorization_endpoint": "%s/%s/oauth2/v2.0/authorize" % (base, TENANT),
        "token_endpoint": "%s/%s/oauth2/v2.0/token" % (base, TENANT),
        "issuer": "%s/%s/v2.0" % (base, TENANT),
        "device_authorization_endpoint": "%s/%s/oauth2/v2.0/devicecode" % (base, TENANT),
    })
    srv.always("/common/userrealm/%s" % USER, 200, {"account_type": "Managed", "domain_name": TENANT,
                                                    "ver": "1.0"})
    return "/%s/oauth2/v2.0/token" % TENANT


def token_posts(srv, path):
    return [parse_qs(c["body"]) for c in srv.calls(path, "POST")]


class Clock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


def provider(srv, clock=None, **kwargs):
    options = dict(client_id=CLIENT_ID, scope=lcs_scope("https://lcsapi.lcs.dynamics.com"), authority_url=srv.base_url,
                   tenant_id=TENANT, username=USER, password="Emu-Passw0rd!", ca_path=srv.ca_file,
                   clock=clock or Clock())
    options.update(kwargs)
    return MsalTokenProvider(**options)


def test_scope_has_the_double_slash_lcs_expects():
    assert lcs_scope("https://lcsapi.eu.lcs.dynamics.com/") == "https://lcsapi.eu.lcs.dynamics.com//.default"


def test_password_grant_public_client(tls_server):
    path = script_entra(tls_server)
    tls_server.queue(path, 200, token_body(1))
    auth = provider(tls_server)
    assert auth.authorization_header() == "Bearer at-1"
    [form] = token_posts(tls_server, path)
    assert form["grant_type"] == ["password"]
    assert "https://lcsapi.lcs.dynamics.com//.default" in form["scope"][0].split()
    assert "client_secret" not in form
    # cached: a second call within the lifetime asks nobody
    assert auth.token() == "at-1" and len(token_posts(tls_server, path)) == 1


def test_password_grant_confidential_client_sends_secret(tls_server):
    path = script_entra(tls_server)
    tls_server.queue(path, 200, token_body(1))
    auth = provider(tls_server, client_secret="emu-app-secret")
    auth.token()
    [form] = token_posts(tls_server, path)
    assert form["client_secret"] == ["emu-app-secret"] and form["grant_type"] == ["password"]


def test_token_is_renewed_before_expiry_with_the_refresh_token(tls_server):
    path = script_entra(tls_server)
    tls_server.queue(path, 200, token_body(1))
    tls_server.queue(path, 200, token_body(2))
    clock = Clock()
    auth = provider(tls_server, clock=clock)
    assert auth.token() == "at-1"
    clock.now += 3600 - 301  # still more than the 5-minute margin left
    assert auth.token() == "at-1"
    clock.now += 2  # inside the margin: renew now, not after a 401
    assert auth.token() == "at-2"
    forms = token_posts(tls_server, path)
    assert [f["grant_type"][0] for f in forms] == ["password", "refresh_token"]
    assert forms[1]["refresh_token"] == ["rt-1"]


def test_a_24_hour_wait_on_1_hour_tokens_renews_about_every_55_minutes(tls_server):
    path = script_entra(tls_server)
    tls_server.always(path, 200, token_body(9))
    clock = Clock()
    auth = provider(tls_server, clock=clock)
    for _repeat in range(24 * 60):  # one poll per virtual minute for 24 hours
        auth.token()
        clock.now += 60
    assert 24 <= auth.acquisitions <= 28


def test_invalidate_forces_renewal(tls_server):
    path = script_entra(tls_server)
    tls_server.queue(path, 200, token_body(1))
    tls_server.queue(path, 200, token_body(2))
    auth = provider(tls_server)
    assert auth.token() == "at-1"
    auth.invalidate()
    assert auth.token() == "at-2"


def test_a_rejected_token_is_replaced_by_a_renewal_never_by_an_older_cached_one(tls_server, tmp_path):
    """Issue 11's vault-cache 401: the cache held an older token for LCS (filed under another key), and after a
    401 the provider offered it, the service refused it too, and the call failed (a 401 is retried once)."""
    import time

    from ansible_collections.d365fo.dataalm.plugins.module_utils._auth import TokenCacheFile

    path = script_entra(tls_server)
    granted = "https://lcsapi.lcs.dynamics.com/user_impersonation"
    tls_server.queue(path, 200, dict(token_body(1), scope=granted))
    tls_server.queue(path, 200, dict(token_body(2), scope=granted))
    cache_file = tmp_path / "cache.json"
    auth = provider(tls_server, cache=TokenCacheFile(str(cache_file), create=True))
    assert auth.token() == "at-1"
    data = json.loads(cache_file.read_text())
    (current,) = data["AccessToken"].values()
    now = int(time.time())
    # an older token for the same resource under another target: a sign-in's, say (msal keys tokens by target)
    older = dict(current, secret="at-older", target=granted + " https://lcsapi.lcs.dynamics.com/other",
                 cached_at=str(now - 600), expires_on=str(now + 3000), extended_expires_on=str(now + 3000))
    data["AccessToken"]["older-key"] = older
    cache_file.write_text(json.dumps(data))
    auth.invalidate()  # LCS answered 401 to at-1
    assert auth.token() == "at-2"
    assert [f["grant_type"][0] for f in token_posts(tls_server, path)] == ["password", "refresh_token"]
    fresh = provider(tls_server, password=None, cache=TokenCacheFile(str(cache_file)))
    assert fresh.token() == "at-2"  # a new process takes the newest cached token first


@pytest.mark.parametrize("code, error, words", [
    (50076, "invalid_grant", "sign_in.yml"),
    (7000218, "invalid_client", "Allow public client flows"),
    (50126, "invalid_grant", "cloud-only"),
    (700016, "unauthorized_client", "client_id"),
    (90002, "invalid_request", "tenant_id"),
    (65001, "invalid_grant", "admin consent"),
])
def test_aadsts_errors_become_advice(tls_server, code, error, words):
    path = script_entra(tls_server)
    tls_server.queue(path, 400, {"error": error, "error_description": "AADSTS%d: something. Trace ID: x" % code,
                                 "error_codes": [code]})
    auth = provider(tls_server)
    with pytest.raises(AuthError) as info:
        auth.token()
    assert info.value.code == str(code)
    assert words in str(info.value)
    assert "Emu-Passw0rd!" not in str(info.value)


def test_unreachable_authority_is_transient(tls_server):
    script_entra(tls_server)
    auth = provider(tls_server)
    tls_server.stop()
    with pytest.raises(AuthError) as info:
        auth.token()
    assert info.value.transient


def test_unknown_codes_still_give_direction():
    code, advice = advice_for("AADSTS99999: new thing", "invalid_request")
    assert code == "99999" and "client_id" in advice
    assert all(text for text in AADSTS_ADVICE.values())


def test_static_token_strips_bearer_and_explains_a_rejected_garbage_token():
    token = StaticToken("Bearer abc.def")
    assert token.authorization_header() == "Bearer abc.def"
    with pytest.raises(AuthError, match="the access token is invalid or expired"):
        token.invalidate()


def test_builder_prefers_a_given_access_token():
    assert isinstance(build_token_provider({"access_token": "x"}, "s"), StaticToken)


def test_missing_credentials_say_to_sign_in(tls_server):
    script_entra(tls_server)
    auth = provider(tls_server, password=None)
    with pytest.raises(AuthError, match="Run `sign_in.yml` again for " + USER):
        auth.token()
