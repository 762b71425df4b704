"""fo_* modules through the real ansible-playbook, psqlODBC and a PostgreSQL database seeded by emulator.fodb."""

from __future__ import annotations

import os
import stat
import threading
import time

import psycopg
import pytest

from emulator import fodb
from emulator.fodb.seed import INITIAL_PARTITION
from tests.integration.fo_support import (
    fingerprint,
    four_phase,
    new_db,
    play,
    rows,
    scalar,
    sql_task,
    table_digest,
)

SERVICE_SUFFIXES = ("@dynamics.com", "@contosoax7.onmicrosoft.com", "@capintegration01.onmicrosoft.com",
                    "@devtesttie.ccsctp.net", "@daxmdsrunner.com")


def ok(proc):
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]


@pytest.fixture
def fresh(pg_server, request):
    """A seeded database plus an untouched copy of it (the reference for row-by-row checks)."""
    name = "fo_" + request.node.name.lower().replace("[", "_").replace("]", "")[:40]
    conn_str = new_db(pg_server, name, scale=1)
    fodb.copy_database(pg_server.admin_dsn, name, name + "_ref")
    yield name, conn_str
    fodb.drop_database(pg_server.admin_dsn, name)
    fodb.drop_database(pg_server.admin_dsn, name + "_ref")


def test_cleanup_profiles_idempotent_and_verified_row_by_row(pg_server, fresh, tmp_path):
    db, conn_str = fresh
    args = dict(environment_type="Sandbox", profile="standard", keep_users=["bob", "erin@*"],
                steps=["business_events", "dual_write", "recurring_integrations", "key_vault", "batch_history",
                       "finished_batch_jobs", "dmf_staging_logs"])
    proc, res = play(tmp_path, four_phase("fo_database_cleanup", conn_str, **args))
    ok(proc)
    assert pg_server.password not in proc.stdout
    steps = {s["name"]: s for s in res["r_run1"]["steps"]}
    assert steps["email_addresses"]["rows"] == 1000
    # Check mode counts every step against the data as it is; two steps depend on an earlier one
    # (held jobs, tasks of deleted jobs), all others must predict the run exactly.
    dependent = {"recurring_integrations", "finished_batch_jobs"}
    predicted = {s["name"]: s["rows"] for s in res["r_check1"]["steps"] if s["name"] not in dependent}
    assert predicted == {n: s["rows"] for n, s in steps.items() if n not in dependent}
    assert all(not s["changed"] and s["rows"] == 0 for s in res["r_run2"]["steps"])
    assert res["r_run1"]["executed_statements"]

    ref = db + "_ref"
    # users: Admin, service accounts, accounts without alias and keep_users stay; everyone else disabled
    before = {r[0]: r for r in rows(pg_server, ref, "SELECT ID, ENABLE, NETWORKALIAS, PARTITION FROM USERINFO")}
    after = {r[0]: r for r in rows(pg_server, db, "SELECT ID, ENABLE, NETWORKALIAS, PARTITION FROM USERINFO")}
    assert before.keys() == after.keys()
    for uid, (_uid, enable, alias, _partition) in before.items():
        kept = (uid in ("Admin", "bob") or alias.lower().endswith(SERVICE_SUFFIXES) or alias == ""
                or alias.startswith("erin@"))
        assert after[uid][1] == (enable if kept else 0), uid
        assert after[uid][3] == INITIAL_PARTITION
    # e-mail addresses blanked by '@', whatever their TYPE; phones and URLs untouched
    before = dict(rows(pg_server, ref, "SELECT RECID, LOCATOR FROM LOGISTICSELECTRONICADDRESS"))
    after = dict(rows(pg_server, db, "SELECT RECID, LOCATOR FROM LOGISTICSELECTRONICADDRESS"))
    assert before.keys() == after.keys()
    for recid, locator in before.items():
        assert after[recid] == ("" if "@" in locator else locator), recid
    # batch jobs: finished ones deleted, every other job held if it would run
    before = dict(rows(pg_server, ref, "SELECT RECID, STATUS FROM BATCHJOB"))
    after = dict(rows(pg_server, db, "SELECT RECID, STATUS FROM BATCHJOB"))
    assert set(after) == {r for r, s in before.items() if s not in (3, 4, 8)}
    for recid, status in after.items():
        assert status == (0 if before[recid] in (1, 2, 5, 7, 9) else before[recid])
    assert scalar(pg_server, db, "SELECT COUNT(*) FROM BATCH WHERE BATCHJOBID NOT IN (SELECT RECID FROM BATCHJOB)") == 0
    smtp = "SELECT SMTPRELAYSERVERNAME, SMTPUSERNAME, MAILERNONINTERACTIVE FROM SYSEMAILPARAMETERS"
    assert rows(pg_server, db, smtp) == [("", "", "SMTP")]
    assert sorted(r[0] for r in rows(pg_server, db, "SELECT DISTINCT STATUS FROM SYSOUTGOINGEMAILTABLE")) == [1, 3]
    for table in ("SYSEMAILSMTPPASSWORD", "PRINTMGMTSETTINGS", "PRINTMGMTDOCINSTANCE", "SYSSERVERCONFIG",
                  "SYSSERVERSESSIONS", "SYSCLIENTSESSIONS", "SYSCORPNETPRINTERS", "BATCHSERVERCONFIG",
                  "BATCHSERVERGROUP", "BUSINESSEVENTSENDPOINT", "BUSINESSEVENTSCONFIGURATION",
                  "DUALWRITEPROJECTCONFIGURATION", "DUALWRITEPROJECTFIELDCONFIGURATION", "BUSINESSEVENTSDEFINITION",
                  "BATCHJOBHISTORY", "BATCHHISTORY", "DMFSTAGINGLOG"):
        assert scalar(pg_server, db, f"SELECT COUNT(*) FROM {table}") == 0, table
    assert scalar(pg_server, db, "SELECT VALUE FROM SQLSYSTEMVARIABLES WHERE PARM = 'CONFIGURATIONMODE'") == "0"
    assert scalar(pg_server, db, "SELECT COUNT(*) FROM INTEGRATIONCLIENTMAPTABLE WHERE ISENABLED = 1") == 0
    assert rows(pg_server, db, "SELECT CLIENTID, APPLICATIONKEY FROM POWERBICONFIG") == [("", "")]
    assert scalar(pg_server, db, "SELECT COUNT(*) FROM RETAILHARDWAREPROFILE "
                  "WHERE SECUREMERCHANTPROPERTIES IS NOT NULL") == 0
    # Tier-1 only data untouched on a sandbox
    assert table_digest(pg_server, db, "DOCUVALUE") == table_digest(pg_server, ref, "DOCUVALUE")
    assert table_digest(pg_server, db, "SYSGLOBALCONFIGURATION") == table_digest(pg_server, ref,
                                                                                 "SYSGLOBALCONFIGURATION")


def test_cleanup_mask_mode(pg_server, fresh, tmp_path):
    db, conn_str = fresh
    tasks = four_phase("fo_database_cleanup", conn_str, environment_type="Sandbox", steps=["email_addresses"],
                       email_mode="mask", email_mask_domain="sink.example")
    proc, _results = play(tmp_path, tasks)
    ok(proc)
    before = dict(rows(pg_server, db + "_ref", "SELECT RECID, LOCATOR FROM LOGISTICSELECTRONICADDRESS"))
    after = dict(rows(pg_server, db, "SELECT RECID, LOCATOR FROM LOGISTICSELECTRONICADDRESS"))
    for recid, locator in before.items():
        assert after[recid] == (f"sandbox+{recid}@sink.example" if "@" in locator else locator)


def test_tier1_profile_on_devtestdev(pg_server, fresh, tmp_path):
    db, conn_str = fresh
    tasks = four_phase("fo_database_cleanup", conn_str, environment_type="DevTestDev", profile="tier1")
    proc, _results = play(tmp_path, tasks)
    ok(proc)
    assert scalar(pg_server, db, "SELECT COUNT(*) FROM DOCUVALUE WHERE STORAGEPROVIDERID <> 0") == 0
    assert scalar(pg_server, db, "SELECT COUNT(*) FROM DOCUVALUE WHERE ACCESSINFORMATION <> ''") == 0
    assert dict(rows(pg_server, db, "SELECT NAME, VALUE FROM SYSGLOBALCONFIGURATION")) == {
        "BACKENDDB": "SQLSERVER", "TEMPTABLEINAXDB": "0"}


def test_bad_input_fails_clearly_and_changes_nothing(pg_server, fresh, tmp_path):
    db, conn_str = fresh
    before = fingerprint(pg_server, db)
    wrong_password = conn_str.replace(f"Pwd={pg_server.password};", "Pwd=Not-The-Password-42;")
    unreachable = conn_str.replace(f"Port={pg_server.port};", "Port=1;")
    cases = {
        "unknown_step": sql_task("fo_database_cleanup", conn_str, environment_type="Sandbox",
                                 steps=["smtp", "drop_all_tables"]),
        "production": sql_task("fo_database_cleanup", conn_str, environment_type="Production", profile="standard"),
        "no_env_type": sql_task("fo_user", conn_str, state="disabled", ids=["alice"]),
        "tier1_on_sandbox": sql_task("fo_database_cleanup", conn_str, environment_type="Sandbox", profile="tier1"),
        "bad_driver": sql_task("fo_database_cleanup", "DRIVER={No Such Driver 99};Server=x;",
                               environment_type="Sandbox", steps=["smtp"]),
        "garbage_string": sql_task("fo_sql", "this is not an ODBC connection string", environment_type="Sandbox",
                                   statements=["DELETE FROM USERINFO"]),
        "unreachable": sql_task("fo_batch_job", unreachable, environment_type="Sandbox", state="held",
                                connect_timeout=5),
        "wrong_password": sql_task("fo_database_cleanup", wrong_password, environment_type="Sandbox",
                                   profile="standard"),
        "mask_injection": sql_task("fo_database_cleanup", conn_str, environment_type="Sandbox",
                                   steps=["email_addresses"], email_mode="mask",
                                   email_mask_domain="x'); DELETE FROM USERINFO; --"),
        "sql_bad_params": sql_task("fo_sql", conn_str, environment_type="Sandbox",
                                   statements=["UPDATE USERINFO SET ENABLE = 0 WHERE ID = ?", "SELECT 1"],
                                   params=["alice"]),
    }
    tasks = []
    for name, task in cases.items():
        task.update(register="r_" + name, ignore_errors=True)
        tasks.append(task)
    injections = {
        "user_pattern": sql_task("fo_user", conn_str, environment_type="Sandbox", state="disabled",
                                 sign_in_pattern="x' OR '1'='1"),
        "user_percent": sql_task("fo_user", conn_str, environment_type="Sandbox", state="disabled",
                                 sign_in_pattern="%"),
        "job_caption": sql_task("fo_batch_job", conn_str, environment_type="Sandbox", state="held",
                                caption_pattern="x'; DELETE FROM BATCHJOB; --"),
        "keep_injection": sql_task("fo_user", conn_str, environment_type="Sandbox", state="enabled",
                                   ids=["nobody') OR ('1'='1"]),
    }
    for name, task in injections.items():
        task["register"] = "r_" + name
        tasks.append(task)
    proc, res = play(tmp_path, tasks)
    ok(proc)
    expected = {
        "unknown_step": "unknown step(s) drop_all_tables",
        "production": "allow_production",
        "no_env_type": "environment_type is required",
        "tier1_on_sandbox": "Tier-1",
        "bad_driver": "No Such Driver 99' is not installed",
        "garbage_string": "cannot connect to the database",
        "unreachable": "cannot connect to the database",
        "wrong_password": "cannot connect to the database",
        "mask_injection": "email_mask_domain",
        "sql_bad_params": "list of lists",
    }
    for name, text in expected.items():
        result = res["r_" + name]
        assert result["failed"], name
        assert text in result["msg"], (name, result["msg"])
        assert not result.get("changed"), name
    for name in injections:
        assert not res["r_" + name].get("failed"), res["r_" + name]
        assert not res["r_" + name]["changed"], name
    assert "Not-The-Password-42" not in proc.stdout + proc.stderr
    assert pg_server.password not in proc.stdout + proc.stderr
    assert fingerprint(pg_server, db) == before


def test_production_needs_override(pg_server, fresh, tmp_path):
    db, conn_str = fresh
    before = fingerprint(pg_server, db)
    proc, res = play(tmp_path, [
        sql_task("fo_database_cleanup", conn_str, register="r_preview", check_mode=True,
                 environment_type="Production", allow_production=True, profile="standard"),
    ])
    ok(proc)
    assert res["r_preview"]["changed"]
    assert fingerprint(pg_server, db) == before


def test_fo_user(pg_server, fresh, tmp_path):
    db, conn_str = fresh
    tasks = four_phase("fo_user", conn_str, environment_type="Sandbox", state="disabled", all_except=["bob"])
    tasks.append(sql_task("fo_user", conn_str, register="r_admin", environment_type="Sandbox", state="disabled",
                          ids=["Admin"]))
    proc, res = play(tmp_path, tasks, name="disable.yml")
    ok(proc)
    assert {r[0] for r in rows(pg_server, db, "SELECT ID FROM USERINFO WHERE ENABLE = 1")} == {"Admin", "bob"}
    changed_ids = {u["id"] for u in res["r_run1"]["users"]}
    others = "SELECT ID FROM USERINFO WHERE ENABLE = 1 AND ID NOT IN ('Admin', 'bob')"
    assert changed_ids == {r[0] for r in rows(pg_server, db + "_ref", others)}
    assert not res["r_admin"]["changed"]

    proc, res = play(tmp_path, four_phase("fo_user", conn_str, environment_type="Sandbox", state="enabled",
                                          sign_in_pattern="*@contoso.example"), name="enable.yml")
    ok(proc)
    enabled = {r[0] for r in rows(pg_server, db, "SELECT NETWORKALIAS FROM USERINFO WHERE ENABLE = 1")}
    everyone = {r[0] for r in rows(pg_server, db, "SELECT NETWORKALIAS FROM USERINFO")}
    assert enabled == {a for a in everyone if a.endswith("@contoso.example")}


def test_fo_batch_job(pg_server, fresh, tmp_path):
    db, conn_str = fresh
    proc, res = play(tmp_path, four_phase("fo_batch_job", conn_str, environment_type="Sandbox", state="held",
                                          caption_pattern="Recurring integration:*", company="usmf"))
    ok(proc)
    assert res["r_run1"]["count"] == 3
    assert {j["caption"] for j in res["r_run1"]["jobs"]} == {
        "Recurring integration: Customers import", "Recurring integration: Customers import monitor",
        "Recurring integration: Sales orders export"}
    before = dict(rows(pg_server, db + "_ref", "SELECT RECID, STATUS FROM BATCHJOB"))
    after = dict(rows(pg_server, db, "SELECT RECID, STATUS FROM BATCHJOB"))
    held = {j["job_id"] for j in res["r_run1"]["jobs"]}
    for recid, status in before.items():
        assert after[recid] == (0 if recid in held else status)

    # resume exactly those by id, then by class with a small batch size
    proc, res = play(tmp_path, four_phase("fo_batch_job", conn_str, environment_type="Sandbox", state="waiting",
                                          job_ids=sorted(held)), name="resume.yml")
    ok(proc)
    assert all(after_status == 1 for recid, after_status in rows(pg_server, db, "SELECT RECID, STATUS FROM BATCHJOB")
               if recid in held)
    proc, res = play(tmp_path, four_phase("fo_batch_job", conn_str, environment_type="Sandbox", state="held",
                                          batch_size=7, max_reported=5), name="all.yml")
    ok(proc)
    assert len(res["r_run1"]["jobs"]) == 5
    assert res["r_run1"]["count"] == scalar(pg_server, db + "_ref",
                                            "SELECT COUNT(*) FROM BATCHJOB WHERE STATUS IN (1, 2, 5, 7, 9)")
    assert scalar(pg_server, db, "SELECT COUNT(*) FROM BATCHJOB WHERE STATUS IN (1, 2, 5, 7, 9)") == 0


def test_config_snapshot_survives_a_refresh(pg_server, tmp_path):
    prod, uat = "fo_cfg_prod", "fo_cfg_uat"
    new_db(pg_server, prod, scale=1, environment_name="contoso-prod")
    uat_conn = new_db(pg_server, uat, scale=1, environment_name="contoso-uat", production_like=False)
    snapshot = tmp_path / "uat-config.json"
    try:
        proc, res = play(tmp_path, four_phase("fo_config_snapshot", uat_conn, path=str(snapshot)), name="snap.yml")
        ok(proc)
        assert stat.S_IMODE(os.stat(snapshot).st_mode) == 0o600
        assert res["r_run1"]["snapshot"]["smtp"] == {"rows": 1}
        enabled_before = {r[0] for r in rows(pg_server, uat, "SELECT ID FROM USERINFO WHERE ENABLE = 1")}
        waiting = "SELECT CAPTION, COMPANY, STATUS FROM BATCHJOB WHERE STATUS IN (1, 9)"
        waiting_before = set(rows(pg_server, uat, waiting))

        # the refresh: production's database replaces the sandbox's, then LCS's own post-copy steps
        fodb.copy_database(pg_server.admin_dsn, prod, uat)
        fodb.apply_lcs_refresh(pg_server.admin_dsn, uat)
        assert scalar(pg_server, uat, "SELECT MAILERNONINTERACTIVE FROM SYSEMAILPARAMETERS") == "Exchange"

        tasks = four_phase("fo_config_restore", uat_conn, environment_type="Sandbox", path=str(snapshot))
        proc, res = play(tmp_path, tasks, diff=True, name="restore.yml")
        ok(proc)
        restored = {r["name"]: r for r in res["r_run1"]["restored"]}
        assert all(restored[item]["changed"] for item in ("smtp", "enabled_users", "batch_jobs"))
        assert rows(pg_server, uat, "SELECT SMTPRELAYSERVERNAME, MAILERNONINTERACTIVE FROM SYSEMAILPARAMETERS") == [
            ("smtp-contoso-uat.contoso.example", "SMTP")]
        assert {r[0] for r in rows(pg_server, uat, "SELECT ID FROM USERINFO WHERE ENABLE = 1")} == enabled_before
        waiting_after = set(rows(pg_server, uat, waiting))
        assert waiting_after == waiting_before
        diff = res["r_check1"]["diff"]
        assert diff["before"]["smtp"][0]["SMTPRELAYSERVERNAME"] == ""
        assert diff["after"]["smtp"][0]["SMTPRELAYSERVERNAME"] == "smtp-contoso-uat.contoso.example"
        assert {u["id"] for u in diff["after"]["enabled_users"]} == enabled_before - {"Admin"}
    finally:
        fodb.drop_database(pg_server.admin_dsn, prod)
        fodb.drop_database(pg_server.admin_dsn, uat)


def test_fo_sql(pg_server, fresh, tmp_path):
    db, conn_str = fresh
    update = "UPDATE SYSEMAILPARAMETERS SET SMTPRELAYSERVERNAME = ? WHERE SMTPRELAYSERVERNAME <> ?"
    tasks = four_phase("fo_sql", conn_str, environment_type="Sandbox", statements=[update],
                       params=["relay.sandbox.example", "relay.sandbox.example"])
    script = ("SELECT ID FROM USERINFO ORDER BY ID\nGO\n"
              "UPDATE USERINFO SET NAME = 'Ops' WHERE ID = 'alice' AND NAME <> 'Ops'\ngo\n")
    tasks += [
        sql_task("fo_sql", conn_str, register="r_script", environment_type="Sandbox", script=script, max_rows=3),
        sql_task("fo_sql", conn_str, register="r_atomic", environment_type="Sandbox", ignore_errors=True,
                 statements=["UPDATE USERINFO SET NAME = 'Should roll back' WHERE ID = 'bob'",
                             "SELECT * FROM NO_SUCH_TABLE"]),
        sql_task("fo_sql", conn_str, register="r_each", environment_type="Sandbox", ignore_errors=True,
                 transaction=False,
                 statements=["UPDATE USERINFO SET NAME = 'Committed' WHERE ID = 'carol'",
                             "SELECT * FROM NO_SUCH_TABLE"]),
    ]
    proc, res = play(tmp_path, tasks)
    ok(proc)
    assert res["r_run1"]["rowcount"] == 1
    assert scalar(pg_server, db, "SELECT SMTPRELAYSERVERNAME FROM SYSEMAILPARAMETERS") == "relay.sandbox.example"
    first = res["r_script"]["results"][0]
    assert first["columns"] == ["id"] or first["columns"] == ["ID"]
    assert len(first["rows"]) == 3 and first["truncated"]
    assert res["r_script"]["results"][1]["rowcount"] == 1
    assert res["r_atomic"]["failed"] and "NO_SUCH_TABLE".lower() in res["r_atomic"]["msg"].lower()
    assert scalar(pg_server, db, "SELECT NAME FROM USERINFO WHERE ID = 'bob'") != "Should roll back"
    assert res["r_each"]["failed"]
    assert scalar(pg_server, db, "SELECT NAME FROM USERINFO WHERE ID = 'carol'") == "Committed"


@pytest.mark.slow
def test_connection_killed_mid_step_then_rerun_gives_identical_data(pg_server, tmp_path):
    """pg_terminate_backend on the module's session during a large batched step, then a re-run."""
    disturbed, undisturbed = "fo_fault_a", "fo_fault_b"
    conn_a = new_db(pg_server, disturbed, scale=0, addresses=300_000)
    fodb.copy_database(pg_server.admin_dsn, disturbed, undisturbed)
    conn_b = fodb.odbc_connection_string(pg_server.admin_dsn, undisturbed)
    args = dict(environment_type="Sandbox", steps=["email_addresses"], batch_size=500)
    killed = []

    def killer():
        deadline = time.monotonic() + 120
        with psycopg.connect(pg_server.admin_dsn, autocommit=True) as admin:
            while time.monotonic() < deadline and not killed:
                hit = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                    "AND query LIKE 'UPDATE LOGISTICSELECTRONICADDRESS%%' AND pid <> pg_backend_pid()",
                    (disturbed,)).fetchall()
                if any(r[0] for r in hit):
                    killed.append(True)
                time.sleep(0.005)

    try:
        thread = threading.Thread(target=killer)
        thread.start()
        first_task = sql_task("fo_database_cleanup", conn_a, register="r_first", ignore_errors=True, **args)
        first, _results = play(tmp_path, [first_task], name="first.yml")
        thread.join()
        assert killed, "the module's session was never caught mid-update"
        ok(first)
        rerun_task = sql_task("fo_database_cleanup", conn_a, register="r_again", **args)
        rerun, _results = play(tmp_path, [rerun_task], name="again.yml")
        ok(rerun)
        clean_task = sql_task("fo_database_cleanup", conn_b, register="r_clean", **args)
        clean, _results = play(tmp_path, [clean_task], name="clean.yml")
        ok(clean)
        assert table_digest(pg_server, disturbed, "LOGISTICSELECTRONICADDRESS") == table_digest(
            pg_server, undisturbed, "LOGISTICSELECTRONICADDRESS")
        assert scalar(pg_server, disturbed, "SELECT MAX(RECVERSION) FROM LOGISTICSELECTRONICADDRESS") == 2
    finally:
        fodb.drop_database(pg_server.admin_dsn, disturbed)
        fodb.drop_database(pg_server.admin_dsn, undisturbed)
