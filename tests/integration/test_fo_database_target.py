"""fo_database_target on real PostgreSQL through psqlODBC, through the real ansible-playbook (issue 9, item 1).

Without a marker of this environment and without a confirmation, only a database that looks like what an LCS
movement leaves may be cleaned. An LCS refresh withholds Waiting, Executing, Ready and Cancelling batch jobs
and leaves Scheduled ones as they were (fo-database.md 2.3, Microsoft's own statement; the emulator's
apply_lcs_refresh does the same), so a genuine copy of a source with Scheduled jobs is a fresh copy; the live
source itself (enabled users, waiting jobs) is still refused.
"""

from __future__ import annotations

from emulator import fodb
from tests.integration.fo_support import new_db, play, rows, sql_task

UAT = "22222222-2222-4222-8222-222222222222"


def target_task(conn_str, register):
    return sql_task("fo_database_target", conn_str, register=register, ignore_errors=True, environment_type="Sandbox",
                    environment_id=UAT, host="contoso-uat", purpose="cleanup", generation="op-1")


def test_a_genuine_lcs_copy_with_scheduled_jobs_is_a_fresh_copy_and_the_live_source_is_not(pg_server, tmp_path):
    prod, uat = "fo_target_prod", "fo_target_uat"
    prod_conn = new_db(pg_server, prod, scale=1, environment_name="contoso-prod")
    uat_conn = new_db(pg_server, uat, scale=1, environment_name="contoso-uat", production_like=False)
    try:
        fodb.copy_database(pg_server.admin_dsn, prod, uat)
        fodb.apply_lcs_refresh(pg_server.admin_dsn, uat)
        assert rows(pg_server, uat, "SELECT COUNT(*) FROM BATCHJOB WHERE STATUS = 9")[0][0] > 0  # left by LCS
        proc, res = play(tmp_path, [target_task(uat_conn, "copy"), target_task(prod_conn, "live")])
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert not res["copy"].get("failed"), res["copy"].get("msg")
        assert res["copy"]["decision"] == "clean"
        assert res["live"]["failed"] and "not a fresh copy" in res["live"]["msg"]
    finally:
        fodb.drop_database(pg_server.admin_dsn, prod)
        fodb.drop_database(pg_server.admin_dsn, uat)


def test_an_empty_environment_id_is_refused_before_connecting_even_with_a_confirmation(pg_server, tmp_path):
    """A caller that lost the target's id (a unified target has no LCS id) gets a refusal naming its variable, not a
    proof by the confirmation alone: an empty id never matches a marker, and a marker written for it names nothing."""
    name = "fo_target_noid"
    conn = new_db(pg_server, name, scale=1, environment_name="contoso-uat", production_like=False)
    try:
        task = sql_task("fo_database_target", conn, register="r_empty", ignore_errors=True, environment_id="",
                        purpose="movement", confirm_database=name,
                        variable_names={"environment": "dataalm_pp_target_environment_id"})
        proc, res = play(tmp_path, [task])
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert res["r_empty"]["failed"], res["r_empty"]
        assert res["r_empty"]["msg"].startswith("dataalm_pp_target_environment_id is empty"), res["r_empty"]["msg"]
        assert "database" not in res["r_empty"]  # refused before connecting
    finally:
        fodb.drop_database(pg_server.admin_dsn, name)
