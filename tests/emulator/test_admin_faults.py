"""Admin API: state, clock, faults (HTTP and environment), counters and reset."""

from __future__ import annotations

import pytest
import requests

from ._lcs import PROD, UAT, Lcs

DETAIL = "/environmentinfo/v1/detail/project/1234567/"


def test_state_lists_environments_with_databases(emulator_http):
    state = emulator_http.state()
    assert state["clock"]["now"].startswith("2026-03-02T08:00") and state["clock"]["speed"] == 1
    uat = emulator_http.env("contoso-uat")
    assert uat["id"] == UAT and uat["type"] == "Sandbox" and uat["busy"] is False
    assert uat["odbc_connection_string"].startswith("DRIVER={PostgreSQL Unicode};")
    assert f"Database={uat['database']};" in uat["odbc_connection_string"]
    assert uat["connections_allowed"] is True


def test_clock_advance_and_speed(emulator_http):
    before = emulator_http.state()["clock"]["now"]
    after = emulator_http.advance(86400)["now"]
    assert after[:10] == "2026-03-03" and before[:10] == "2026-03-02"
    assert emulator_http.set_speed(60)["speed"] == 60
    bad = emulator_http.http.post(f"{emulator_http.admin_url}/clock", json={"advance_seconds": -5})
    assert bad.status_code == 400


def test_http_error_burst_then_recovery(emulator_http):
    lcs = Lcs(emulator_http)
    emulator_http.set_faults(http_error={"route": "/environmentinfo/*", "status": 503, "count": 2})
    assert [lcs.detail().status_code for _attempt in range(3)] == [503, 503, 200]
    # other routes were never affected
    assert lcs.databases()["IsSuccess"] is True


def test_http_error_ratio(emulator_http):
    lcs = Lcs(emulator_http)
    emulator_http.set_faults(http_error={"route": "/databasemovement/v1/databases/*", "status": 500, "ratio": 0.5})
    codes = [lcs.call("GET", "/databasemovement/v1/databases/project/1234567").status_code for _attempt in range(6)]
    assert codes.count(500) == 3 and codes.count(200) == 3


def test_throttle_storm_has_retry_after(emulator_http):
    lcs = Lcs(emulator_http)
    emulator_http.set_faults(throttle={"route": "/databasemovement/*", "count": 3, "retry_after": 7})
    responses = [lcs.call("GET", "/databasemovement/v1/databases/project/1234567") for _attempt in range(4)]
    assert [r.status_code for r in responses] == [429, 429, 429, 200]
    assert responses[0].headers["retry-after"] == "7" and responses[0].headers["activity-id"]
    assert emulator_http.counters()["throttled"]["total"] == 3


def test_dropped_connection(emulator_http):
    lcs = Lcs(emulator_http)
    emulator_http.set_faults(drop_connection={"route": "/environmentinfo/*", "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        lcs.detail()
    assert lcs.detail().status_code == 200


def test_latency_fault_fires(emulator_http):
    lcs = Lcs(emulator_http)
    emulator_http.set_faults(latency={"route": "/environmentinfo/*", "seconds": 0.2, "count": 1})
    assert lcs.detail().status_code == 200
    assert emulator_http.counters()["faults_fired"] == {"latency": 1}
    assert emulator_http.state()["faults"][0]["remaining"] == 0


def test_admin_routes_are_never_faulted(emulator_http):
    emulator_http.set_faults(http_error={"route": "*", "status": 500})
    assert emulator_http.state()["faults"][0]["kind"] == "http_error"


def test_faults_add_replace_clear_and_validation(emulator_http):
    emulator_http.set_faults(busy="contoso-uat")
    emulator_http.set_faults(quota_exhausted="contoso-test", mode="add")
    assert [f["kind"] for f in emulator_http.state()["faults"]] == ["busy", "quota_exhausted"]
    emulator_http.clear_faults()
    assert emulator_http.state()["faults"] == []
    for bad, path in [({"kind": "meteor"}, "faults[0].kind"),
                      ({"kind": "http_error", "status": 200}, "faults[0].status"),
                      ({"kind": "throttle", "colour": "red"}, "faults[0].colour"),
                      ({"kind": "http_error", "ratio": 2}, "faults[0].ratio")]:
        response = emulator_http.http.post(f"{emulator_http.admin_url}/faults", json={"faults": [bad]})
        assert response.status_code == 400 and response.json()["error"].startswith(path)


def test_counters_and_reset(emulator_http):
    lcs = Lcs(emulator_http)  # one token
    lcs.refresh(PROD, UAT)
    lcs.refresh(PROD, UAT)  # refused: busy, still a mutating request
    counters = emulator_http.counters()
    assert counters["tokens_issued"]["total"] == 1
    assert counters["operations_started"] == {"contoso-uat": 1}
    assert counters["mutating_requests"] == {"contoso-uat": 2}
    route = "POST /databasemovement/v1/refresh/project/<projectId>/source/<sourceEnvironmentId>/target/" \
            "<targetEnvironmentId>"
    assert counters["requests"][route] == {"200": 2}
    assert counters["requests"]["POST /<tenant>/oauth2/v2.0/token"] == {"200": 1}
    emulator_http.reset(databases=False)
    after = emulator_http.counters()
    assert after["operations_started"] == {} and after["tokens_issued"] == {"total": 0}
    assert emulator_http.state()["operations"] == []


def test_date_header_follows_the_virtual_clock(emulator_http):
    from email.utils import parsedate_to_datetime

    emulator_http.advance(86400 * 10)
    response = Lcs(emulator_http).detail()
    assert parsedate_to_datetime(response.headers["Date"]).date().isoformat() == "2026-03-12"


def test_reset_without_databases_reopens_closed_databases(emulator_http):
    emulator_http.set_faults(database_offline="contoso-test")
    Lcs(emulator_http).refresh(PROD, UAT)
    assert emulator_http.env("contoso-uat")["connections_allowed"] is False
    emulator_http.reset(databases=False)
    assert emulator_http.env("contoso-test")["connections_allowed"] is True
    assert emulator_http.env("contoso-uat")["connections_allowed"] is True
