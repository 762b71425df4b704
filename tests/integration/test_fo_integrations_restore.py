"""Issue 9 item 9: with the integrations clean-up, re-applying the snapshot keeps recurring integrations held.

Real PostgreSQL through psqlODBC and pyodbc, the modules through real ansible-playbook.
"""

from __future__ import annotations

from emulator import fodb
from tests.integration.fo_support import new_db, play, rows, sql_task

RECURRING = ("SELECT COUNT(*) FROM BATCHJOB WHERE STATUS IN (1, 9) AND RECID IN "
             "(SELECT BATCHJOBID FROM INTEGRATIONACTIVITYRUNTIMETABLE UNION "
             "SELECT MONITORINGJOBID FROM INTEGRATIONACTIVITYRUNTIMETABLE)")
WAITING_OTHERS = ("SELECT COUNT(*) FROM BATCHJOB WHERE STATUS IN (1, 9) AND RECID NOT IN "
                  "(SELECT BATCHJOBID FROM INTEGRATIONACTIVITYRUNTIMETABLE UNION "
                  "SELECT MONITORINGJOBID FROM INTEGRATIONACTIVITYRUNTIMETABLE)")


def test_restore_leaves_recurring_integrations_held_after_the_integrations_clean_up(pg_server, tmp_path):
    prod, uat = "fo_ri_prod", "fo_ri_uat"
    new_db(pg_server, prod, scale=1, environment_name="contoso-prod")
    uat_conn = new_db(pg_server, uat, scale=1, environment_name="contoso-uat", production_like=False)
    snapshot = tmp_path / "uat.json"
    try:
        assert rows(pg_server, uat, RECURRING)[0][0] > 0  # the seed has running recurring integrations
        proc, _res = play(tmp_path, [sql_task("fo_config_snapshot", uat_conn, path=str(snapshot))], name="snap.yml")
        assert proc.returncode == 0, proc.stdout[-3000:]
        fodb.copy_database(pg_server.admin_dsn, prod, uat)
        fodb.apply_lcs_refresh(pg_server.admin_dsn, uat)
        tasks = [
            sql_task("fo_database_cleanup", uat_conn, environment_type="Sandbox", steps=["recurring_integrations"]),
            sql_task("fo_config_restore", uat_conn, environment_type="Sandbox", path=str(snapshot),
                     keep_recurring_integrations_held=True),
        ]
        proc, _res = play(tmp_path, tasks, name="clean.yml")
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert rows(pg_server, uat, RECURRING)[0][0] == 0
        # The sandbox's other jobs are back (the re-application still does its work).
        assert rows(pg_server, uat, WAITING_OTHERS)[0][0] > 0
    finally:
        fodb.drop_database(pg_server.admin_dsn, prod)
        fodb.drop_database(pg_server.admin_dsn, uat)
