"""The runbooks never touch the wrong database, keep their run state in it, and report honestly.

Issue 9, items 1-6, 11, 12, 14 and 15 (the inputs of item 2 are in test_runbook_inputs.py). For the
wrong-database and run-state cases the databases are fingerprinted before and after, and the
emulator's counters must show that no movement started.
"""

from __future__ import annotations

import shutil
import stat

import pyodbc
import pytest

from tests.integration.runbook_support import Runbooks, fingerprint, inventory

FAST = 20000  # virtual seconds per real second
WIDE_MAX_AGE = "3650d"  # see test_runbook_playbooks.py: the window is "since this test started"
UAT_ID = "22222222-2222-4222-8222-222222222222"


@pytest.fixture
def runbooks(emulator, tmp_path):
    emulator.set_speed(FAST)
    started = emulator.state()["clock"]["now"]
    return Runbooks(emulator, tmp_path, defaults={"dataalm_max_age": WIDE_MAX_AGE, "dataalm_not_before": started})


def uat_pointing_at_production(runbooks, tmp_path):
    """The repro of item 1: the sandbox host was given production's connection string (and no confirmation)."""
    prod = runbooks.emulator.env("contoso-prod")["odbc_connection_string"]
    return inventory(tmp_path, {"contoso-uat": {"dataalm_sql_connection_string": prod, "dataalm_confirm_database": ""}},
                     drop=["contoso-prod"])


def marker(emulator, environment):
    with pyodbc.connect(emulator.env(environment)["odbc_connection_string"], autocommit=True) as conn:
        return dict(conn.execute("SELECT NAME, VALUE FROM DATAALMSTATE").fetchall())


def test_post_restore_refuses_a_live_production_database_given_to_a_sandbox_host(runbooks, tmp_path):
    before = fingerprint(runbooks.emulator, "contoso-prod")
    wrong = uat_pointing_at_production(runbooks, tmp_path)
    proc, report = runbooks("post_restore.yml", "contoso-uat", inventory_path=wrong)
    assert proc.returncode == 2, proc.stdout[-3000:]
    assert "not a fresh copy" in proc.stdout
    assert "dataalm_sql_connection_string of contoso-uat" in proc.stdout and "dataalm_confirm_database" in proc.stdout
    assert fingerprint(runbooks.emulator, "contoso-prod") == before
    assert runbooks.emulator.counters()["operations_started"] == {}
    assert report["hosts"]["contoso-uat"]["status"] == "failed"


def test_refresh_refuses_an_unproven_target_database_before_snapshot_or_start(runbooks, tmp_path):
    before = fingerprint(runbooks.emulator, "contoso-prod")
    wrong = uat_pointing_at_production(runbooks, tmp_path)
    proc, _report = runbooks("refresh.yml", "contoso-uat", inventory_path=wrong)
    assert proc.returncode == 2, proc.stdout[-3000:]
    assert "Nothing proves that database" in proc.stdout and "dataalm_confirm_database" in proc.stdout
    counters = runbooks.emulator.counters()
    assert counters["operations_started"] == {} and counters["mutating_requests"] == {}
    assert fingerprint(runbooks.emulator, "contoso-prod") == before
    assert not list(runbooks.snapshots.iterdir())


def test_run_state_lives_in_the_database_and_survives_a_change_of_controller(runbooks, tmp_path):
    runbooks.snapshots.chmod(0o750)
    relay = {"dataalm_smtp_relay": "smtp-uat.contoso.example"}
    proc, report = runbooks("refresh.yml", "contoso-uat", extra_vars=relay)
    assert proc.returncode == 0, proc.stdout[-3000:]
    # Item 4: the relay is applied, so the verification passes on the first run.
    assert [c["passed"] for c in report["hosts"]["contoso-uat"]["verification"]] == [True] * 4
    # Item 15: an existing directory keeps its owner's mode.
    assert stat.S_IMODE(runbooks.snapshots.stat().st_mode) == 0o750
    state = marker(runbooks.emulator, "contoso-uat")
    assert state["ENVIRONMENTID"] == UAT_ID and state["STATE"] == "verified" and state["GENERATION"]

    # Another controller without the snapshot: the copy is not cleaned again; the verification says it
    # needs the snapshot to tell the sandbox's own users from production's, and nothing changes.
    before = fingerprint(runbooks.emulator, "contoso-uat")
    elsewhere = tmp_path / "other-controller"
    elsewhere.mkdir()
    proc, report = runbooks("post_restore.yml", "contoso-uat", extra_vars=relay, snapshots=elsewhere)
    assert proc.returncode == 2 and "dataalm_snapshot_dir" in proc.stdout, proc.stdout[-3000:]
    assert fingerprint(runbooks.emulator, "contoso-uat") == before
    ran = {t["name"].split(" : ")[-1] for t in report["hosts"]["contoso-uat"]["tasks"] if t["status"] != "skipped"}
    assert "Run the clean-up profile" not in ran

    # With the snapshot on the shared location, the other controller resumes: it only verifies.
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(runbooks.snapshots / "contoso-uat.json", shared / "contoso-uat.json")
    proc, report = runbooks("post_restore.yml", "contoso-uat", extra_vars=relay, snapshots=shared)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert fingerprint(runbooks.emulator, "contoso-uat") == before

    # Forcing a new clean-up without the snapshot stops with what to do, before any change.
    proc, _report = runbooks("post_restore.yml", "contoso-uat", extra_vars=dict(relay, dataalm_force_cleanup=True),
                             snapshots=elsewhere)
    assert proc.returncode == 2
    assert "No configuration snapshot" in proc.stdout and "dataalm_restore_items: []" in proc.stdout
    assert fingerprint(runbooks.emulator, "contoso-uat") == before
    assert runbooks.emulator.counters()["operations_started"] == {"contoso-uat": 1}


def test_first_check_mode_refresh_previews_without_a_snapshot_directory(runbooks, tmp_path):
    absent = tmp_path / "not-yet"
    proc, report = runbooks("refresh.yml", "contoso-uat", check=True, snapshots=absent)
    assert proc.returncode == 0, proc.stdout[-3000:]  # item 5
    assert not absent.exists()
    assert runbooks.emulator.counters()["mutating_requests"] == {}
    # Item 11: the report says it is a preview and what would happen.
    assert report["mode"] == "preview"
    assert report["hosts"]["contoso-uat"]["operations"][0]["action"] == "would start", report["hosts"]["contoso-uat"]


def test_change_approval_and_real_run_agree_on_recurring_integrations(runbooks):
    proc, report = runbooks("preflight.yml", "contoso-uat")
    assert proc.returncode == 0, proc.stdout[-3000:]  # item 6: refresh.yml holds them itself
    findings = {f["id"]: f["severity"] for f in report["hosts"]["contoso-uat"]["findings"]}
    assert findings.get("recurring_integrations_not_held") != "blocking"


def test_lcs_access_token_of_the_inventory_is_used(runbooks):
    runbooks.emulator.set_speed(1)  # the token must outlive the run
    token = runbooks.emulator.token()
    proc, _report = runbooks("preflight.yml", "contoso-uat",
                             extra_vars={"lcs_access_token": token, "lcs_password": "wrong password"})
    assert proc.returncode == 0, proc.stdout[-3000:]  # item 12: the token, not the (wrong) password


def test_an_unreachable_database_after_a_movement_says_so_at_once(runbooks, tmp_path):
    closed = runbooks.emulator.env("contoso-uat")["odbc_connection_string"].replace("Port=", "Port=1;Old=")
    path = inventory(tmp_path, {"contoso-uat": {"dataalm_sql_connection_string": closed}})
    proc, _report = runbooks("post_restore.yml", "contoso-uat", inventory_path=path, timeout=240)  # item 14
    assert proc.returncode == 2
    assert "just-in-time (JIT) firewall rule" in proc.stdout and "playbooks/post_restore.yml" in proc.stdout


def test_lcs_token_cache_of_the_inventory_is_used(runbooks, tmp_path):
    cache = tmp_path / "no-such-cache.json"
    proc, _report = runbooks("preflight.yml", "contoso-uat",
                             extra_vars={"lcs_token_cache": str(cache), "lcs_password": ""})
    assert proc.returncode != 0
    assert str(cache) in proc.stdout and "sign_in.yml" in proc.stdout, proc.stdout[-3000:]
