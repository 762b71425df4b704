"""Client-credentials tokens with real msal against a real TLS server standing in for Entra ID: msal caches the
app's token, so after the service refuses it (401) the provider must drop msal's copy and fetch a new one."""

from __future__ import annotations

import itertools

from ansible_collections.d365fo.dataalm.plugins.module_utils._auth import build_application
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.auth import ClientCredentialsToken

TENANT = "contoso.example"
SCOPE = "https://api.powerplatform.com/.default"


def entra(server):
    """Discovery and a token endpoint that hands out a new token each time (with the scope, like Entra ID)."""
    server.always("/%s/v2.0/.well-known/openid-configuration" % TENANT, body={
        "token_endpoint": "%s/%s/oauth2/v2.0/token" % (server.base_url, TENANT),
        "authorization_endpoint": "%s/%s/oauth2/v2.0/authorize" % (server.base_url, TENANT),
        "issuer": "%s/%s/v2.0" % (server.base_url, TENANT)})
    for number in itertools.islice(itertools.count(1), 5):
        server.queue("/%s/oauth2/v2.0/token" % TENANT, body={
            "token_type": "Bearer", "expires_in": 3600, "access_token": "token-%d" % number, "scope": SCOPE})


def provider(server):
    app = build_application("7a0d4c5e-9f63-4b10-a4c8-3b2f5e6d7c8a", server.base_url, TENANT, "pp-app-secret",
                            True, server.ca_file, 30)
    return ClientCredentialsToken(app, SCOPE)


def test_a_refused_token_is_replaced_not_served_again_from_msal_cache(tls_server):
    entra(tls_server)
    tokens = provider(tls_server)
    assert tokens.token() == "token-1"
    assert tokens.token() == "token-1"  # still fresh: no second request
    tokens.invalidate()  # what the HTTP client does after a 401
    assert tokens.token() == "token-2"
    assert len(tls_server.calls("/%s/oauth2/v2.0/token" % TENANT)) == 2


def test_a_token_near_its_end_is_renewed_before_it_is_used(tls_server):
    entra(tls_server)
    now = [1000.0]
    tokens = provider(tls_server)
    tokens.clock = lambda: now[0]
    assert tokens.token() == "token-1"
    now[0] += 3600 - 60  # inside the renewal margin
    assert tokens.token() == "token-2"
