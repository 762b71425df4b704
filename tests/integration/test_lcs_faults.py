"""Fault matrix: each case asserted on the module result AND on the emulator's counters."""

from __future__ import annotations

from tests.integration.lcs_support import (
    PROD,
    UAT,
    movement_count,
    mutating,
    play,
    world_with,
)


def refresh(register="r", **extra):
    args = dict(source_environment_id=PROD, target_environment_id=UAT, poll_interval=2)
    args.update(extra)
    return {"d365fo.dataalm.lcs_database_refresh": args, "register": register}


def requests_to(counters, fragment, status=None):
    total = 0
    for route, statuses in counters["requests"].items():
        if fragment in route:
            total += sum(v for k, v in statuses.items() if status is None or k == str(status))
    return total


def test_token_expires_every_virtual_hour_during_a_24_hour_refresh(tmp_path, start_emulator):
    world = world_with(tmp_path, contoso_uat={"durations": {"refresh": 86400}})
    emu = start_emulator(world, databases=False, speed=3600)
    proc, r = play(tmp_path, emu, [refresh(poll_interval=1)])
    result = r["r"]
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert result["state"] == "succeeded" and result["duration_seconds"] >= 86400
    counters = emu.counters()
    # tokens live one virtual hour: the module renewed many times and every 401 was recovered
    assert counters["tokens_issued"]["total"] >= 10
    assert requests_to(counters, "fetchstatus", 200) >= 10
    assert counters["operations_started"] == {"contoso-uat": 1}


def test_429_storm_is_retried_with_retry_after(tmp_path, lcs_emu):
    lcs_emu.set_speed(3600)
    lcs_emu.set_faults(throttle=[{"route": "/databasemovement/v1/fetchstatus/*", "count": 6, "retry_after": 1},
                                 {"route": "/environmentinfo/*", "count": 3, "retry_after": 1}])
    proc, r = play(tmp_path, lcs_emu, [refresh()])
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert r["r"]["state"] == "succeeded" and r["r"]["action"] == "started"
    counters = lcs_emu.counters()
    assert counters["throttled"]["total"] == 9
    assert counters["faults_fired"]["throttle"] == 9
    assert movement_count(lcs_emu) == 1


def test_endless_429_storm_ends_at_wait_timeout_with_operation_id(tmp_path, lcs_emu):
    lcs_emu.set_faults(throttle={"route": "/databasemovement/v1/fetchstatus/*", "retry_after": 1})
    _proc, r = play(tmp_path, lcs_emu, [refresh(wait_timeout=15)])
    result = r["r"]
    assert result["failed"] and "timed out" in result["msg"]
    assert result["operation_id"] and result["status"] in ("NotStarted", "InProgress", None)
    assert lcs_emu.counters()["throttled"]["total"] >= 5
    assert movement_count(lcs_emu) == 1


def test_5xx_bursts_are_survived(tmp_path, lcs_emu):
    lcs_emu.set_speed(3600)
    lcs_emu.set_faults(http_error=[{"route": "/databasemovement/v1/fetchstatus/*", "ratio": 0.5, "status": 503},
                                   {"route": "/environmentinfo/*", "count": 2, "status": 500}])
    proc, r = play(tmp_path, lcs_emu, [refresh()])
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert r["r"]["state"] == "succeeded", r["r"]
    counters = lcs_emu.counters()
    assert requests_to(counters, "fetchstatus", 503) >= 1 and requests_to(counters, "environmentinfo", 500) == 2
    assert movement_count(lcs_emu) == 1


def test_dropped_connections_during_the_wait_are_survived(tmp_path, lcs_emu):
    lcs_emu.set_speed(3600)
    lcs_emu.set_faults(drop_connection={"route": "/databasemovement/v1/fetchstatus/*", "count": 3})
    proc, r = play(tmp_path, lcs_emu, [refresh()])
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert r["r"]["state"] == "succeeded"
    assert lcs_emu.counters()["faults_fired"]["drop_connection"] == 3
    assert movement_count(lcs_emu) == 1


def test_dropped_start_is_never_repeated_blindly(tmp_path, lcs_emu):
    lcs_emu.set_faults(drop_connection={"route": "/databasemovement/v1/refresh/*", "count": 1})
    _proc, r = play(tmp_path, lcs_emu, [refresh()])
    assert r["r"]["failed"]
    assert "POST" in r["r"]["msg"]
    # the request was dropped before LCS processed it; the module looked at history and did not retry
    assert lcs_emu.counters()["faults_fired"]["drop_connection"] == 1
    assert movement_count(lcs_emu) == 0


def test_failure_with_rollback_fails_with_status_and_lcs_text(tmp_path, lcs_emu):
    lcs_emu.set_speed(3600)
    lcs_emu.set_faults(operation_failure={"environment": "contoso-uat", "operation": "refresh",
                                          "rollback": "completed"})
    proc, r = play(tmp_path, lcs_emu, [refresh()])
    result = r["r"]
    assert result["failed"] and proc.returncode == 0  # ignore_errors in the test play
    assert result["state"] in ("failed", "rolled_back")
    assert result["status"] in ("Failed", "RollbackInProgress", "RollbackCompleted")
    assert result["operation_id"] and "ended with status" in result["msg"]
    assert result["action"] == "started"
    assert lcs_emu.counters()["faults_fired"]["operation_failure"] == 1


def test_busy_target_is_refused_before_any_start(tmp_path, lcs_emu):
    lcs_emu.set_faults(busy="contoso-uat")
    _proc, r = play(tmp_path, lcs_emu, [refresh()])
    assert r["r"]["failed"] and "busy" in r["r"]["msg"] and "re-run" in r["r"]["msg"]
    assert mutating(lcs_emu) == 0


def test_exhausted_quota_says_when_the_next_start_is_allowed(tmp_path, lcs_emu):
    lcs_emu.set_faults(quota_exhausted="contoso-uat")
    _proc, r = play(tmp_path, lcs_emu, [refresh()])
    result = r["r"]
    assert result["failed"] and "3 refresh/export starts" in result["msg"]
    assert "next start is allowed at" in result["msg"]
    assert result["next_allowed_at"]
    assert movement_count(lcs_emu) == 0


def test_wait_timeout_fails_with_operation_id_and_a_rerun_joins(tmp_path, lcs_emu):
    _proc, r = play(tmp_path, lcs_emu, [refresh(wait_timeout=6)])
    first = r["r"]
    assert first["failed"] and first["timed_out"] and first["operation_id"]
    assert first["status"] in ("NotStarted", "InProgress")
    # about two virtual hours left: ~12 real seconds, so the re-run finds it still running even on a busy machine
    lcs_emu.set_speed(600)
    _proc, r = play(tmp_path, lcs_emu, [refresh()], name="rerun.yml")
    assert r["r"]["action"] == "joined" and r["r"]["operation_id"] == first["operation_id"]
    assert r["r"]["state"] == "succeeded"
    assert movement_count(lcs_emu) == 1
