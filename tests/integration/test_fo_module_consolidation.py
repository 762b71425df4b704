"""The module options that let a runbook do in one module process what took several (issue 18), through the
real ansible-playbook and psqlODBC: fo_config_snapshot's hold of the recurring integrations, fo_config_restore's
enable_users and fo_database_verify's followups give the results of fo_batch_job, fo_user and fo_followup_info."""

from __future__ import annotations

import json

from emulator import fodb
from tests.integration.fo_support import fingerprint, four_phase, new_db, play, rows, sql_task

RECURRING = ("SELECT RECID FROM BATCHJOB WHERE (RECID IN (SELECT BATCHJOBID FROM INTEGRATIONACTIVITYRUNTIMETABLE) OR "
             "RECID IN (SELECT MONITORINGJOBID FROM INTEGRATIONACTIVITYRUNTIMETABLE)) AND STATUS IN (1, 2, 5, 7, 9)")
PITR = {"movement_kind": "point_in_time_restore", "source_type": "Production", "target_type": "Sandbox"}


def ok(proc):
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]


def _db(pg_server, name, **options):
    conn_str = new_db(pg_server, name, scale=1, **options)
    return conn_str


def test_snapshot_then_hold_of_the_recurring_integrations_in_one_run(pg_server, tmp_path):
    db = "cons_snapshot_hold"
    conn_str = _db(pg_server, db, environment_name="contoso-uat", production_like=False)
    snapshot = tmp_path / "uat.json"
    try:
        active = {r[0] for r in rows(pg_server, db, RECURRING)}
        assert active, "the seed holds running recurring integrations"
        captions = {r[0] for r in rows(pg_server, db, RECURRING.replace("SELECT RECID", "SELECT CAPTION"))}
        args = dict(environment_type="Sandbox", path=str(snapshot), hold_recurring_integrations=True)
        before = fingerprint(pg_server, db)
        proc, res = play(tmp_path, [
            sql_task("fo_config_snapshot", conn_str, register="r_check", check_mode=True, **args),
            sql_task("fo_config_snapshot", conn_str, register="r_run", **args),
            # what fo_batch_job would still hold afterwards: nothing
            sql_task("fo_batch_job", conn_str, register="r_left", check_mode=True, environment_type="Sandbox",
                     state="held", recurring_integrations=True),
        ])
        ok(proc)
        assert res["r_check"]["changed"] and res["r_check"]["held"]["count"] == len(active)
        assert {job["job_id"] for job in res["r_run"]["held"]["jobs"]} == active
        assert res["r_run"]["held"]["count"] == len(active) and res["r_run"]["changed"]
        assert res["r_left"]["count"] == 0 and not rows(pg_server, db, RECURRING)
        held = dict(rows(pg_server, db, "SELECT RECID, STATUS FROM BATCHJOB"))
        assert all(held[recid] == 0 for recid in active)
        assert {k: v for k, v in fingerprint(pg_server, db).items() if k != "BATCHJOB"} == {
            k: v for k, v in before.items() if k != "BATCHJOB"}
        # the snapshot was taken before the hold: it keeps the jobs' own (waiting) status for the restore
        saved = json.loads(snapshot.read_text())["items"]["batch_jobs"]
        assert captions & {job["caption"] for job in saved if int(job["status"]) != 0}
    finally:
        fodb.drop_database(pg_server.admin_dsn, db)


def test_a_rerun_after_the_hold_keeps_the_integrations_own_status_in_the_snapshot(pg_server, tmp_path):
    """A run stopped between the hold and the movement's start, then run again: the second snapshot sees the
    integrations held; it must keep the status the first one recorded, or the restore leaves them held for good."""
    db = "cons_snapshot_rerun"
    conn_str = _db(pg_server, db, environment_name="contoso-uat", production_like=False)
    snapshot = tmp_path / "uat.json"
    try:
        captions = {r[0] for r in rows(pg_server, db, RECURRING.replace("SELECT RECID", "SELECT CAPTION"))}
        args = dict(environment_type="Sandbox", path=str(snapshot), hold_recurring_integrations=True)
        proc, _res = play(tmp_path, [sql_task("fo_config_snapshot", conn_str, **args)])
        ok(proc)
        first = json.loads(snapshot.read_text())["items"]["batch_jobs"]
        proc, res = play(tmp_path, [sql_task("fo_config_snapshot", conn_str, register="r_again", **args)])
        ok(proc)
        again = json.loads(snapshot.read_text())["items"]["batch_jobs"]
        assert res["r_again"]["held"]["count"] == 0 and not res["r_again"]["changed"]
        assert again == first
        assert captions <= {job["caption"] for job in again if int(job["status"]) != 0}
    finally:
        fodb.drop_database(pg_server.admin_dsn, db)


def test_snapshot_refuses_a_hold_on_production_before_any_change(pg_server, tmp_path):
    db = "cons_snapshot_prod"
    conn_str = _db(pg_server, db)
    snapshot = tmp_path / "prod.json"
    try:
        before = fingerprint(pg_server, db)
        proc, res = play(tmp_path, [sql_task("fo_config_snapshot", conn_str, register="r_prod", ignore_errors=True,
                                             environment_type="Production", path=str(snapshot),
                                             hold_recurring_integrations=True)])
        ok(proc)
        assert res["r_prod"]["failed"] and "allow_production" in res["r_prod"]["msg"]
        assert fingerprint(pg_server, db) == before and not snapshot.exists()
    finally:
        fodb.drop_database(pg_server.admin_dsn, db)


def test_restore_enables_the_sandbox_users_by_id_and_sign_in_as_fo_user_does(pg_server, tmp_path):
    db = "cons_restore_users"
    conn_str = _db(pg_server, db, environment_name="contoso-uat", production_like=False)
    snapshot = tmp_path / "uat.json"
    try:
        proc, _res = play(tmp_path, [sql_task("fo_config_snapshot", conn_str, path=str(snapshot), items=["smtp"]),
                                     sql_task("fo_user", conn_str, environment_type="Sandbox", state="disabled",
                                              all_except=[])], name="prepare.yml")
        ok(proc)
        assert rows(pg_server, db, "SELECT ID FROM USERINFO WHERE ENABLE = 1") == [("Admin",)]
        wanted = ["Admin", "bob", "*@contoso.example"]
        tasks = four_phase("fo_config_restore", conn_str, environment_type="Sandbox", path=str(snapshot),
                           items=["smtp"], enable_users=wanted)
        proc, res = play(tmp_path, tasks, name="restore.yml")
        ok(proc)
        everyone = rows(pg_server, db, "SELECT ID, NETWORKALIAS FROM USERINFO")
        expected = {uid for uid, alias in everyone if uid in ("Admin", "bob") or alias.endswith("@contoso.example")}
        assert {r[0] for r in rows(pg_server, db, "SELECT ID FROM USERINFO WHERE ENABLE = 1")} == expected
        assert {u["id"] for u in res["r_run1"]["users"]} == expected - {"Admin"}
        assert {u["id"] for u in res["r_check1"]["users"]} == expected - {"Admin"}
        assert res["r_run2"]["users"] == []
    finally:
        fodb.drop_database(pg_server.admin_dsn, db)


def test_verify_evaluates_the_same_follow_ups_as_fo_followup_info(pg_server, tmp_path):
    db = "cons_verify_followups"
    conn_str = _db(pg_server, db, features=("commerce", "azure_attachments"))
    try:
        proc, res = play(tmp_path, [
            sql_task("fo_followup_info", conn_str, register="r_info", **PITR),
            sql_task("fo_database_verify", conn_str, register="r_verify", fail_on_violation=False, followups=PITR),
            sql_task("fo_database_verify", conn_str, register="r_plain", fail_on_violation=False),
        ])
        ok(proc)
        assert res["r_verify"]["followups"] == res["r_info"]["followups"]
        assert res["r_verify"]["followups_summary"] == res["r_info"]["summary"]
        assert res["r_verify"]["followups_detection"] == res["r_info"]["detection"]
        assert "commerce_reprovision" in [item["id"] for item in res["r_verify"]["followups"]]
        assert res["r_verify"]["verification"] == res["r_plain"]["verification"]
        assert "followups" not in res["r_plain"]
        assert res["r_verify"]["changed"] is False
    finally:
        fodb.drop_database(pg_server.admin_dsn, db)
