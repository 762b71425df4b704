"""_http: retries, backoff maths, Retry-After, bounded retry time, idempotency rules, redaction.

All calls go through real sockets to a scripted Werkzeug server (http_support.py, fixtures in conftest.py); only the
sleep is replaced, so a test never waits for a backoff in real time.
"""

from __future__ import annotations

import random

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._http import (
    HttpClient,
    HttpError,
    RetryPolicy,
    TransportError,
    parse_retry_after,
    redact,
)
from http_support import DROP


class FakeSleep:
    def __init__(self):
        self.delays = []

    def __call__(self, seconds):
        self.delays.append(seconds)


class CountingAuth:
    renewable = True

    def __init__(self):
        self.invalidations = 0
        self.token = "tok-1"

    def authorization_header(self):
        return "Bearer " + self.token

    def invalidate(self):
        self.invalidations += 1
        self.token = "tok-%d" % (self.invalidations + 1)


def client_for(srv, **kwargs):
    sleep = kwargs.pop("sleep", FakeSleep())
    retry = kwargs.pop("retry", RetryPolicy(rng=random.Random(7)))
    return HttpClient(srv.base_url, timeout=5, sleep=sleep, retry=retry, **kwargs), sleep


# -- backoff maths -----------------------------------------------------------------------------
def test_full_jitter_backoff_stays_within_exponential_ceiling_and_cap():
    policy = RetryPolicy(base_delay=2, max_delay=60, rng=random.Random(1))
    for attempt in range(12):
        ceiling = min(60, 2 * 2 ** attempt)
        samples = [policy.backoff(attempt) for _repeat in range(200)]
        assert all(0 <= s <= ceiling for s in samples)
        # full jitter spreads over the whole range, not just near the ceiling
        assert min(samples) < ceiling * 0.2 and max(samples) > ceiling * 0.8


def test_retry_after_beats_backoff_and_429_without_header_waits_ten_seconds():
    policy = RetryPolicy(rng=random.Random(1))
    assert policy.delay_for(0, 429, retry_after=37) == 37
    assert policy.delay_for(3, 429, retry_after=None) == 10
    assert policy.delay_for(0, 503, retry_after=None) <= 2


@pytest.mark.parametrize("value, expected", [("120", 120.0), (" 5 ", 5.0), ("0", 0.0), ("", None), (None, None),
                                             ("soon", None)])
def test_parse_retry_after_seconds(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date():
    # RFC 7231 date form: 90 s after a fixed "now"
    assert parse_retry_after("Sun, 06 Nov 1994 08:51:27 GMT", now=784111797) == 90.0
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now=784111797) == 0.0


# -- retries against a real server -----------------------------------------------------------
def test_get_is_retried_on_5xx_then_succeeds(server):
    server.queue("/thing", 503, {"err": 1}, times=2)
    server.queue("/thing", 200, {"ok": True})
    client, sleep = client_for(server)
    assert client.get_json("/thing") == {"ok": True}
    assert len(server.calls("/thing")) == 3
    assert client.calls == 3 and client.retries == 2
    assert len(sleep.delays) == 2


def test_retry_after_header_is_honoured(server):
    server.queue("/thing", 429, {"m": "slow down"}, headers={"Retry-After": "17", "activity-id": "act-1"})
    server.queue("/thing", 200, {"ok": True})
    client, sleep = client_for(server)
    client.get_json("/thing")
    assert sleep.delays == [17.0]


def test_429_storm_gives_up_when_total_retry_budget_is_spent(server):
    server.always("/thing", 429, {"m": "throttled"}, headers={"Retry-After": "50", "activity-id": "act-9"})
    client, sleep = client_for(server, retry=RetryPolicy(max_attempts=100, max_total_delay=120))
    with pytest.raises(HttpError) as info:
        client.get_json("/thing")
    # 50 + 50 fit into 120 s, a third 50 would not
    assert sleep.delays == [50.0, 50.0]
    assert info.value.status == 429
    assert info.value.request_id == "act-9"
    assert info.value.transient
    assert "throttled" in info.value.body


def test_attempts_are_bounded(server):
    server.always("/thing", 500, {"m": "boom"})
    client, _sleeps = client_for(server, retry=RetryPolicy(max_attempts=4, rng=random.Random(3)))
    with pytest.raises(HttpError):
        client.get_json("/thing")
    assert len(server.calls("/thing")) == 4


def test_post_is_not_repeated_on_5xx_because_it_may_have_been_processed(server):
    server.queue("/start", 500, {"m": "boom"})
    server.queue("/start", 200, {"IsSuccess": True})
    client, _sleeps = client_for(server)
    with pytest.raises(HttpError) as info:
        client.post_json("/start")
    assert info.value.status == 500
    assert len(server.calls("/start")) == 1


def test_post_is_repeated_on_429_because_throttled_calls_are_not_processed(server):
    server.queue("/start", 429, {"m": "later"}, headers={"Retry-After": "1"})
    server.queue("/start", 200, {"IsSuccess": True})
    client, sleep = client_for(server)
    assert client.post_json("/start") == {"IsSuccess": True}
    assert len(server.calls("/start")) == 2 and sleep.delays == [1.0]


def test_401_renews_the_token_once_and_repeats(server):
    server.queue("/thing", 401, {"m": "expired"})
    server.queue("/thing", 200, {"ok": True})
    auth = CountingAuth()
    client, sleep = client_for(server, auth=auth)
    assert client.get_json("/thing") == {"ok": True}
    assert auth.invalidations == 1 and sleep.delays == []
    seen = [c["headers"]["Authorization"] for c in server.calls("/thing")]
    assert seen == ["Bearer tok-1", "Bearer tok-2"]


def test_token_expiring_again_during_a_retry_is_renewed_again(server):
    # short-lived tokens: the backoff after a 503 can outlast the freshly renewed token
    for status in (401, 503, 401):
        server.queue("/thing", status, {"m": status})
    server.queue("/thing", 200, {"ok": True})
    auth = CountingAuth()
    client, _sleeps = client_for(server, auth=auth)
    assert client.get_json("/thing") == {"ok": True}
    assert auth.invalidations == 2


def test_persistent_401_is_not_retried_forever(server):
    server.always("/thing", 401, {"m": "no"})
    auth = CountingAuth()
    client, _sleeps = client_for(server, auth=auth)
    with pytest.raises(HttpError) as info:
        client.get_json("/thing")
    assert info.value.status == 401 and not info.value.transient
    assert len(server.calls("/thing")) == 2


def test_404_is_not_retried(server):
    client, _sleeps = client_for(server)
    with pytest.raises(HttpError) as info:
        client.get_json("/missing")
    assert info.value.status == 404
    assert len(server.calls("/missing")) == 1


def test_dropped_connection_on_get_is_retried(server):
    server.queue("/thing", DROP)
    server.queue("/thing", 200, {"ok": True})
    client, _sleeps = client_for(server)
    assert client.get_json("/thing") == {"ok": True}
    assert len(server.calls("/thing")) == 2


def test_dropped_connection_on_post_is_not_repeated(server):
    server.queue("/start", DROP)
    server.queue("/start", 200, {"IsSuccess": True})
    client, _sleeps = client_for(server)
    with pytest.raises(TransportError) as info:
        client.post_json("/start")
    assert info.value.status is None and info.value.transient
    assert len(server.calls("/start")) == 1


def test_refused_connection_is_a_transport_error_with_advice():
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    client = HttpClient("http://127.0.0.1:%d" % port, timeout=2, sleep=FakeSleep(),
                        retry=RetryPolicy(max_attempts=3, rng=random.Random(1)))
    with pytest.raises(TransportError) as info:
        client.get_json("/x")
    assert client.calls == 3
    assert "ConnectionError" in str(info.value)


def test_request_ids_are_recorded(server):
    server.queue("/thing", 200, {"ok": 1}, headers={"x-ms-request-id": "rid-42"})
    client, _sleeps = client_for(server)
    client.get_json("/thing")
    assert client.last_request_id == "rid-42"
    sent = server.calls("/thing")[0]["headers"]
    assert sent.get("Client-Request-Id")


def test_non_json_body_is_an_error_with_excerpt(server):
    server.queue("/thing", 200, "<html>login page</html>")
    client, _sleeps = client_for(server)
    with pytest.raises(HttpError) as info:
        client.get_json("/thing")
    assert "login page" in info.value.body


def test_error_bodies_and_urls_are_redacted(server):
    server.queue("/thing", 400, {"access_token": "eyJabc.def.ghi", "FileLocation": "https://b/x?sv=1&sig=SECRETSIG"})
    client, _sleeps = client_for(server)
    with pytest.raises(HttpError) as info:
        client.get_json("/thing", params={"password": "hunter2"})
    text = str(info.value) + repr(info.value.to_dict())
    for secret in ("eyJabc", "SECRETSIG", "hunter2"):
        assert secret not in text


@pytest.mark.parametrize("raw, secret", [
    ("https://x.blob.core.windows.net/c/b.bacpac?sv=2015-12-11&sr=b&sig=abc%2Bdef&se=2026", "abc%2Bdef"),
    ("grant_type=password&username=u&password=P@ss w0rd!", "P@ss"),
    ('{"client_secret": "s3cr3t", "x": 1}', "s3cr3t"),
    ("Authorization: Bearer eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2ln", "eyJ0eXAi"),
    ("refresh_token=0.AAAA-bbb&client_id=1", "0.AAAA"),
])
def test_redact(raw, secret):
    assert secret not in redact(raw)
