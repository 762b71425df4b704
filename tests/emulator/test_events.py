"""The event log (``GET /_emulator/events``): mutating events in the order they happened, per environment."""

from __future__ import annotations

from ._lcs import PROD, UAT, Lcs


def _events(emulator, **params) -> list[dict]:
    response = emulator.http.get(f"{emulator.admin_url}/events", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["events"]


def test_a_refresh_logs_start_close_copy_and_end_in_order(emulator):
    lcs = Lcs(emulator)
    activity = lcs.refresh(PROD, UAT)["OperationActivityId"]
    emulator.advance(60 + 7200)
    lcs.renew()  # the token expired in those two virtual hours
    assert lcs.status(UAT, activity)["OperationStatus"] == "Completed"

    events = _events(emulator, environment="contoso-uat")
    assert [(e["service"], e["kind"]) for e in events] == [
        ("lcs", "operation_started"),
        ("databases", "connections_refused"),
        ("databases", "database_copied"),
        ("lcs", "operation_ended"),
    ]
    assert events[0]["operation_id"] == events[3]["operation_id"] == activity
    assert events[0]["source"] == events[2]["source"] == "contoso-prod"
    assert events[3]["status"] == "Completed"
    sequences = [e["sequence"] for e in events]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    times = [e["time"] for e in events]
    assert times == sorted(times)
    # nothing happened to the source
    assert _events(emulator, environment="contoso-prod") == []


def test_filters_since_and_reset(emulator):
    emulator.set_faults(database_offline="contoso-uat")
    emulator.clear_faults()
    everything = _events(emulator)
    assert [(e["environment"], e["kind"]) for e in everything] == [
        ("contoso-uat", "connections_refused"), ("contoso-uat", "connections_allowed")]
    assert _events(emulator, since=everything[0]["sequence"]) == everything[1:]
    assert _events(emulator, service="lcs") == []
    bad = emulator.http.get(f"{emulator.admin_url}/events", params={"since": "x"}, timeout=30)
    assert bad.status_code == 400 and "since" in bad.json()["error"]
    emulator.reset(databases=False)
    assert _events(emulator) == []


def test_refused_starts_log_nothing(emulator_http):
    lcs = Lcs(emulator_http)
    body = lcs.refresh(UAT, UAT)
    assert body["IsSuccess"] is False
    assert _events(emulator_http) == []
