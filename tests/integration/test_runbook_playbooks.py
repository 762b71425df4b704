"""The ready playbooks through the real ansible-playbook, against the emulator and PostgreSQL.

The molecule scenarios (extensions/molecule) cover the end-to-end paths; these tests pin the behaviour
that decides whether a runbook can be trusted: check mode calls nothing mutating, the verification
fails on every broken invariant, and the preflight stops before any start.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyodbc
import pytest

from devtools.ansible_runner import run_playbook
from devtools.services import write_services

REPO = Path(__file__).resolve().parents[2]
INVENTORY = REPO / "extensions" / "molecule" / "shared" / "inventory.yml"
FAST = 20000  # virtual seconds per real second: a two-hour refresh takes well under a second
# The idempotency window must outlast a whole test in virtual time: the inventory's 3 days are only
# 13 real seconds at FAST, less than two runbook runs take on a loaded machine (a new refresh would
# then start and re-clean the broken invariants the test plants). So the window is "since this test
# started" (not_before, in the emulator's clock) and max_age only needs to be wide.
WIDE_MAX_AGE = "3650d"


@pytest.fixture
def runbook(emulator, tmp_path):
    """Run a playbook of playbooks/ for the given targets; returns (process, report of the run)."""
    emulator.set_speed(FAST)
    test_started = emulator.state()["clock"]["now"]
    services = tmp_path / "services.json"
    write_services(emulator, services)
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    runs = []

    def run(playbook, targets, extra_vars=None, check=False):
        name = "run%d" % len(runs)
        runs.append(name)
        proc = run_playbook(
            REPO / "playbooks" / playbook, inventory=INVENTORY, check=check,
            extra_vars=dict({"dataalm_targets": targets, "dataalm_max_age": WIDE_MAX_AGE,
                             "dataalm_not_before": test_started}, **(extra_vars or {})),
            env={"DATAALM_SERVICES": str(services), "DATAALM_SNAPSHOT_DIR": str(snapshots),
                 "ANSIBLE_CALLBACKS_ENABLED": "d365fo.dataalm.report",
                 "DATAALM_REPORT_DIR": str(tmp_path / "reports"), "DATAALM_REPORT_RUN_NAME": name},
        )
        report = tmp_path / "reports" / name / "report.json"
        return proc, json.loads(report.read_text()) if report.exists() else None

    run.emulator = emulator
    run.snapshots = snapshots
    return run


def sql(emulator, environment, statement, params=()):
    with pyodbc.connect(emulator.env(environment)["odbc_connection_string"], autocommit=True) as conn:
        cursor = conn.cursor()
        cursor.execute(statement, *params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def test_check_mode_refresh_calls_nothing_mutating_and_changes_no_row(runbook):
    before = sql(runbook.emulator, "contoso-uat", "SELECT ID, ENABLE FROM USERINFO ORDER BY ID")
    proc, report = runbook("refresh.yml", "contoso-uat", check=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    counters = runbook.emulator.counters()
    assert counters["operations_started"] == {}
    assert counters["mutating_requests"] == {}
    assert sql(runbook.emulator, "contoso-uat", "SELECT ID, ENABLE FROM USERINFO ORDER BY ID") == before
    assert not list(runbook.snapshots.iterdir())
    assert report["hosts"]["contoso-uat"]["status"] == "ok"


def test_refresh_then_every_broken_invariant_fails_the_verification(runbook):
    proc, report = runbook("refresh.yml", "contoso-uat")
    assert proc.returncode == 0, proc.stdout[-3000:]
    host = report["hosts"]["contoso-uat"]
    assert [c["passed"] for c in host["verification"]] == [True] * 4

    # Someone re-enables a production user, resumes a job, types a real address and points SMTP at prod.
    sql(runbook.emulator, "contoso-uat", "UPDATE USERINFO SET ENABLE = 1 WHERE ID = 'carol'")
    # Status 7 (Cancelling) still runs; the roles' own copy of the status list had lost it (issue 10).
    sql(runbook.emulator, "contoso-uat",
        "UPDATE BATCHJOB SET STATUS = 7 WHERE RECID = (SELECT MIN(RECID) FROM BATCHJOB WHERE STATUS = 0)")
    sql(runbook.emulator, "contoso-uat",
        "UPDATE LOGISTICSELECTRONICADDRESS SET LOCATOR = 'real.person@fabrikam.example'"
        " WHERE RECID = (SELECT MIN(RECID) FROM LOGISTICSELECTRONICADDRESS)")
    sql(runbook.emulator, "contoso-uat", "UPDATE SYSEMAILPARAMETERS SET SMTPRELAYSERVERNAME = 'smtp.office365.com'")

    proc, report = runbook("refresh.yml", "contoso-uat")
    assert proc.returncode == 2
    host = report["hosts"]["contoso-uat"]
    failed = {c["name"]: c["detail"] for c in host["verification"] if not c["passed"]}
    assert set(failed) == {"no_enabled_user_outside_keep_list", "no_waiting_batch_job_outside_resume_list",
                           "no_real_email_address", "smtp_relay_is_the_sandbox_s"}
    assert "carol" in failed["no_enabled_user_outside_keep_list"]
    assert "smtp.office365.com" in failed["smtp_relay_is_the_sandbox_s"]
    assert host["failures"][0]["task"].endswith("Fail when an invariant does not hold")
    # The same database copy is not cleaned again: the re-run only verified, and started nothing.
    assert runbook.emulator.counters()["operations_started"] == {"contoso-uat": 1}
    assert "Run the clean-up profile" not in {t["name"].split(" : ")[-1] for t in host["tasks"]
                                              if t["status"] != "skipped"}


def test_preflight_playbook_refuses_a_tier1_target_before_any_call(runbook):
    proc, report = runbook("preflight.yml", "contoso-dev")
    assert proc.returncode == 2
    blocking = [f["id"] for f in report["hosts"]["contoso-dev"]["findings"] if f["severity"] == "blocking"]
    assert blocking == ["target_is_tier1"]
    assert runbook.emulator.counters()["mutating_requests"] == {}


def test_preflight_playbook_checks_a_point_in_time_restore(runbook):
    proc, report = runbook("preflight.yml", "contoso-uat", extra_vars={
        "dataalm_kind": "point_in_time_restore", "dataalm_point_in_time": "2026-03-01T10:00:00"})
    assert proc.returncode == 2
    blocking = [f["id"] for f in report["hosts"]["contoso-uat"]["findings"] if f["severity"] == "blocking"]
    # SQL access is configured, so the target's recurring integrations are checked too: the seed has
    # running ones, and a restore must not orphan their files.
    assert sorted(blocking) == ["point_in_time_naive", "recurring_integrations_not_held"]


def test_export_playbook_is_idempotent(runbook):
    first, _first_report = runbook("export.yml", "contoso-uat", extra_vars={"dataalm_backup_name": "pytest-export"})
    second, report = runbook("export.yml", "contoso-uat", extra_vars={"dataalm_backup_name": "pytest-export"})
    assert first.returncode == 0 and second.returncode == 0, second.stdout[-3000:]
    assert "changed=0" in second.stdout
    assert report["hosts"]["contoso-uat"]["operations"][0]["action"] == "none"
    assert runbook.emulator.counters()["operations_started"] == {"contoso-uat": 1}


HISTORY_ROUTE = "GET /environmentinfo/v1/history/project/<projectId>/environment/<environmentId>/"


def _history_calls(emulator):
    return sum(emulator.counters()["requests"].get(HISTORY_ROUTE, {}).values())


def test_preflight_reads_a_refresh_source_history_only_when_lcs_does_not_state_it_finished(runbook):
    """Issue 18: the per-project history limit binds a fleet, so a settled source costs no read; a busy source
    is still read and warned about."""
    proc, report = runbook("preflight.yml", "contoso-uat")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "source_busy" not in {f["id"] for f in report["hosts"]["contoso-uat"]["findings"]}
    assert _history_calls(runbook.emulator) == 1  # the target's: its quota and running operations decide

    runbook.emulator.set_faults(busy="contoso-prod")
    proc, report = runbook("preflight.yml", "contoso-uat")
    warnings = [f["id"] for f in report["hosts"]["contoso-uat"]["findings"] if f["severity"] == "warning"]
    assert "source_busy" in warnings, report["hosts"]["contoso-uat"]["findings"]
    assert _history_calls(runbook.emulator) == 3  # the target's and the source's
