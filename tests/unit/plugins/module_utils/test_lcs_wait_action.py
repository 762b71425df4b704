"""plugin_utils/lcs_wait: how the action plugins merge the start result with the waiting slices.

The live behaviour (progress lines, slices, kill and re-run) is exercised through real ansible-playbook
runs in tests/integration/test_lcs_*.py; these cover the merge rules the sanity tests cannot see.
"""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.plugin_utils.lcs_wait import LcsWaitingAction, format_elapsed

START = {"action": "started", "changed": True, "msg": "started a new database refresh", "operation_id": "op-1",
         "status": "NotStarted", "state": "pending", "started_at": "2026-03-02T08:00:00Z", "api_calls": 5,
         "invocation": {"module_args": {"password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}}}


def test_elapsed_format():
    assert format_elapsed(0) == "0:00:00"
    assert format_elapsed(86399.9) == "23:59:59"
    assert format_elapsed(90061) == "25:01:01"


def test_success_keeps_the_start_action_and_takes_the_final_status():
    final = {"changed": False, "done": True, "type": "SFSourceDbToSandbox", "operation_id": "op-1",
             "status": "Completed", "state": "succeeded", "started_at": "2026-03-02T08:00:00Z",
             "completed_at": "2026-03-02T10:01:00Z", "duration_seconds": 7260, "api_calls": 3,
             "invocation": {"module_args": {"operation_id": "op-1"}}}
    merged = LcsWaitingAction._merge({}, START, final, 90000)
    assert merged["action"] == "started" and merged["changed"] is True
    assert merged["msg"] == "started a new database refresh"
    assert merged["status"] == "Completed" and merged["duration_seconds"] == 7260
    assert "done" not in merged and "type" not in merged
    assert merged["invocation"] == START["invocation"]


def test_timeout_without_any_successful_poll_keeps_the_known_operation():
    final = {"failed": True, "timed_out": True, "msg": "timed out ...", "operation_id": None, "status": None,
             "state": None, "started_at": None, "completed_at": None, "duration_seconds": None}
    merged = LcsWaitingAction._merge({}, START, final, 600)
    assert merged["failed"] and merged["timed_out"]
    assert merged["operation_id"] == "op-1" and merged["status"] == "NotStarted"
    assert "timed out after 600 s" in merged["msg"] and "op-1" in merged["msg"]


def test_failed_operation_carries_the_module_message():
    final = {"failed": True, "msg": "operation op-1 ended with status Failed (failed): disk full",
             "operation_id": "op-1", "status": "Failed", "state": "failed", "error_message": "disk full"}
    merged = LcsWaitingAction._merge({}, START, final, 600)
    assert merged["failed"] and merged["msg"].endswith("disk full")
    assert merged["state"] == "failed" and merged["action"] == "started"
