"""emulator.fodb against a real PostgreSQL server: schema, seed, copy, LCS refresh, connection blocking."""

from __future__ import annotations

import psycopg
import pyodbc
import pytest

from emulator import fodb
from emulator.fodb.seed import FOREIGN_BATCH_SERVER, FOREIGN_PARTITION, INITIAL_PARTITION


@pytest.fixture(scope="module")
def prod_db(pg_server):
    name = "fodb_test_prod"
    fodb.create_environment_database(pg_server.admin_dsn, name, scale=1, environment_name="contoso-prod")
    yield name
    fodb.drop_database(pg_server.admin_dsn, name)


def _query(pg_server, db, sql):
    with psycopg.connect(fodb.database_dsn(pg_server.admin_dsn, db)) as conn:
        return conn.execute(sql).fetchall()


def _scalar(pg_server, db, sql):
    return _query(pg_server, db, sql)[0][0]


def test_seed_covers_what_the_cleanup_needs(pg_server, prod_db):
    statuses = {row[0] for row in _query(pg_server, prod_db, "SELECT DISTINCT STATUS FROM BATCHJOB")}
    assert statuses == set(range(10))
    assert _scalar(pg_server, prod_db, "SELECT ENABLE FROM USERINFO WHERE ID = 'Admin'") == 1
    assert _scalar(pg_server, prod_db, "SELECT COUNT(*) FROM USERINFO WHERE ID = 'Guest'") == 1
    assert _scalar(pg_server, prod_db, "SELECT COUNT(*) FROM USERINFO WHERE NETWORKALIAS LIKE '%@dynamics.com'") >= 1
    assert {r[0] for r in _query(pg_server, prod_db, "SELECT DISTINCT ENABLE FROM USERINFO")} == {0, 1}
    assert _scalar(pg_server, prod_db, f"SELECT COUNT(*) FROM USERINFO WHERE PARTITION = {FOREIGN_PARTITION}") == 1
    # e-mails, some stored with TYPE 0, plus phone / URL / fax rows
    emails = "SELECT COUNT(*) FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR LIKE '%@%'"
    assert _scalar(pg_server, prod_db, emails) == 1000
    assert _scalar(pg_server, prod_db,
                   "SELECT COUNT(*) FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR LIKE '%@%' AND TYPE = 0") == 100
    assert {r[0] for r in _query(pg_server, prod_db, "SELECT DISTINCT TYPE FROM LOGISTICSELECTRONICADDRESS")} == {
        0, 1, 2, 3, 5}
    assert _query(pg_server, prod_db, "SELECT SMTPRELAYSERVERNAME, MAILERNONINTERACTIVE FROM SYSEMAILPARAMETERS") == [
        ("smtp.office365.com", "Exchange")]
    assert _scalar(pg_server, prod_db, "SELECT COUNT(*) FROM SYSEMAILSMTPPASSWORD WHERE PASSWORD IS NOT NULL") == 1
    assert _scalar(pg_server, prod_db,
                   f"SELECT COUNT(*) FROM SYSSERVERCONFIG WHERE SERVERID = '{FOREIGN_BATCH_SERVER}'") == 1
    # an orphan task and recurring integrations pointing at real batch jobs
    assert _scalar(pg_server, prod_db, "SELECT COUNT(*) FROM BATCH WHERE NOT EXISTS "
                   "(SELECT 1 FROM BATCHJOB WHERE BATCHJOB.RECID = BATCH.BATCHJOBID)") == 1
    assert _scalar(pg_server, prod_db, "SELECT COUNT(*) FROM BATCHJOB WHERE RECID IN "
                   "(SELECT BATCHJOBID FROM INTEGRATIONACTIVITYRUNTIMETABLE)") == 2
    assert {r[0] for r in _query(pg_server, prod_db, "SELECT DISTINCT STORAGEPROVIDERID FROM DOCUVALUE")} == {0, 1}
    assert _scalar(pg_server, prod_db, "SELECT VALUE FROM SQLSYSTEMVARIABLES WHERE PARM = 'CONFIGURATIONMODE'") == "1"
    assert _scalar(pg_server, prod_db, "SELECT COUNT(*) FROM RETAILHARDWAREPROFILE "
                   "WHERE SECUREMERCHANTPROPERTIES IS NOT NULL") == 2


def test_seed_is_deterministic_and_scales(pg_server, prod_db):
    other = "fodb_test_scale"
    fodb.create_environment_database(pg_server.admin_dsn, other, scale=2, environment_name="contoso-prod")
    try:
        emails = "SELECT COUNT(*) FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR LIKE '%@%'"
        assert _scalar(pg_server, other, emails) == 2000
        sql = "SELECT ID, ENABLE, NETWORKALIAS FROM USERINFO WHERE RECID < 5637200000 ORDER BY RECID"
        assert _query(pg_server, other, sql) == _query(pg_server, prod_db, sql)
    finally:
        fodb.drop_database(pg_server.admin_dsn, other)


def test_copy_and_lcs_refresh_do_exactly_the_documented_steps(pg_server, prod_db):
    target = "fodb_test_uat"
    fodb.copy_database(pg_server.admin_dsn, prod_db, target)
    try:
        fodb.apply_lcs_refresh(pg_server.admin_dsn, target)

        def q(sql):
            return _scalar(pg_server, target, sql)

        assert q("SELECT COUNT(*) FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR LIKE '%@%'") == 0
        assert q("SELECT COUNT(*) FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR <> ''") == 500  # phones etc. kept
        assert q("SELECT COUNT(*) FROM USERINFO WHERE ENABLE = 1") == 1
        assert q("SELECT ID FROM USERINFO WHERE ENABLE = 1") == "Admin"
        assert q(f"SELECT COUNT(*) FROM USERINFO WHERE PARTITION <> {INITIAL_PARTITION}") == 0
        assert q("SELECT COUNT(*) FROM BATCHJOB WHERE STATUS IN (1, 2, 5, 7)") == 0
        # What LCS does not do is left for the clean-up catalogue:
        assert q("SELECT COUNT(*) FROM BATCHJOB WHERE STATUS = 9") > 0
        assert q("SELECT MAILERNONINTERACTIVE FROM SYSEMAILPARAMETERS") == "Exchange"
        assert q("SELECT SMTPRELAYSERVERNAME FROM SYSEMAILPARAMETERS") == ""
        assert q("SELECT COUNT(*) FROM SYSOUTGOINGEMAILTABLE WHERE STATUS = 0") > 0
        assert q("SELECT COUNT(*) FROM INTEGRATIONCLIENTMAPTABLE WHERE ISENABLED = 1") == 2
        for table in ("SYSSERVERCONFIG", "SYSSERVERSESSIONS", "SYSCLIENTSESSIONS", "SYSCORPNETPRINTERS",
                      "BATCHSERVERCONFIG", "BATCHSERVERGROUP", "PRINTMGMTSETTINGS", "PRINTMGMTDOCINSTANCE",
                      "DUALWRITEPROJECTCONFIGURATION", "BUSINESSEVENTSENDPOINT"):
            assert q(f"SELECT COUNT(*) FROM {table}") == 0, table
        assert q("SELECT VALUE FROM SQLSYSTEMVARIABLES WHERE PARM = 'CONFIGURATIONMODE'") == "0"
        # the source is untouched
        assert _scalar(pg_server, prod_db, "SELECT COUNT(*) FROM USERINFO WHERE ENABLE = 1") > 1
    finally:
        fodb.drop_database(pg_server.admin_dsn, target)


def test_connections_can_be_refused_during_a_copy(pg_server, prod_db):
    conn_str = fodb.odbc_connection_string(pg_server.admin_dsn, prod_db)
    conn = pyodbc.connect(conn_str)
    assert conn.execute("SELECT COUNT(*) FROM USERINFO WHERE ID = ?", "Admin").fetchone()[0] == 1
    fodb.set_connections_allowed(pg_server.admin_dsn, prod_db, False)
    try:
        with pytest.raises(pyodbc.Error):
            conn.execute("SELECT 1").fetchall()
        with pytest.raises(pyodbc.Error):
            pyodbc.connect(conn_str)
    finally:
        fodb.set_connections_allowed(pg_server.admin_dsn, prod_db, True)
    assert pyodbc.connect(conn_str).execute("SELECT 1").fetchone()[0] == 1


def test_seed_cli_prints_counts_without_the_password(pg_server, capsys):
    from emulator.fodb.cli import seed_main

    assert seed_main(["--pg-dsn", pg_server.admin_dsn, "--database", "fodb_test_cli", "--scale", "0"]) == 0
    out = capsys.readouterr().out
    assert pg_server.password not in out
    assert '"LOGISTICSELECTRONICADDRESS": 0' in out
    fodb.drop_database(pg_server.admin_dsn, "fodb_test_cli")


def test_bad_database_names_are_refused(pg_server):
    with pytest.raises(ValueError):
        fodb.create_environment_database(pg_server.admin_dsn, "x; DROP DATABASE postgres")
