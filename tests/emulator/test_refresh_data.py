"""What a refresh does to the databases, checked row by row against the seeded source.

The expectations below are written independently of emulator.fodb's statements, from
fo-database.md §3 (what LCS does to a refreshed sandbox): a change there that is not in the
reference, or a missing one, fails here.
"""

from __future__ import annotations

import psycopg
import pyodbc
import pytest

from emulator.fodb.seed import INITIAL_PARTITION

from ._lcs import PROD, UAT, Lcs

UAT_ADMINISTRATOR = "dataalm@contoso.example"
EMPTIED = {
    "PRINTMGMTSETTINGS", "PRINTMGMTDOCINSTANCE", "SYSSERVERCONFIG", "SYSSERVERSESSIONS", "SYSCORPNETPRINTERS",
    "SYSCLIENTSESSIONS", "BATCHSERVERCONFIG", "BATCHSERVERGROUP", "DUALWRITEPROJECTFIELDCONFIGURATION",
    "DUALWRITEPROJECTCONFIGURATION", "BUSINESSEVENTSENDPOINT",
}


def _set(row, **changes):
    return {**row, **changes}


TRANSFORMED = {
    "LOGISTICSELECTRONICADDRESS": lambda r: _set(r, locator="") if "@" in r["locator"] else r,
    "SYSEMAILPARAMETERS": lambda r: _set(r, smtprelayservername=""),
    # Admin stays enabled and is reset to the target's administrator (seed 001; the world names it)
    "USERINFO": lambda r: _set(r, enable=1, partition=INITIAL_PARTITION, networkalias=UAT_ADMINISTRATOR)
    if r["id"] == "Admin" else _set(r, enable=0, partition=INITIAL_PARTITION),
    "BATCHJOB": lambda r: _set(r, status=0) if r["status"] in (1, 2, 5, 7) else r,
    "SYSEMAILSMTPPASSWORD": lambda r: _set(r, password=None),
    "RETAILHARDWAREPROFILE": lambda r: _set(r, securemerchantproperties=None),
    "RETAILCONNDATABASEPROFILE": lambda r: _set(r, connectionstring=None),
    "SQLSYSTEMVARIABLES": lambda r: _set(r, value="0") if r["parm"] == "CONFIGURATIONMODE" else r,
}


def _libpq(emulator, env_name):
    """A libpq connection string from the ODBC one the emulator publishes."""
    parts = dict(p.split("=", 1) for p in emulator.env(env_name)["odbc_connection_string"].split(";") if "=" in p)
    return (f"host={parts['Server']} port={parts['Port']} dbname={parts['Database']} user={parts['Uid']} "
            f"password={parts['Pwd']}")


def _dump(dsn) -> dict[str, list[dict]]:
    with psycopg.connect(dsn) as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        tables = [r["table_name"] for r in cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")]
        # every AxDB table has RECID; the few system tables without it are ordered by all columns
        return {t.upper(): cur.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}


def _odbc_connects(emulator, env_name) -> bool:
    try:
        pyodbc.connect(emulator.env(env_name)["odbc_connection_string"], timeout=5).close()
        return True
    except pyodbc.Error:
        return False


def _run_refresh(emulator, lcs) -> str:
    activity = lcs.refresh(PROD, UAT)["OperationActivityId"]
    emulator.advance(60)
    assert lcs.status(UAT, activity)["OperationStatus"] == "InProgress"
    return activity


def test_refresh_copies_source_and_applies_exactly_the_lcs_steps(emulator):
    source_before = _dump(_libpq(emulator, "contoso-prod"))
    target_before = _dump(_libpq(emulator, "contoso-uat"))
    assert source_before["SYSEMAILPARAMETERS"] != target_before["SYSEMAILPARAMETERS"]  # the seeds differ
    assert any("@" in r["locator"] for r in source_before["LOGISTICSELECTRONICADDRESS"])
    assert {r["status"] for r in source_before["BATCHJOB"]} >= {1, 2, 5, 7, 9}
    for table in EMPTIED:
        assert source_before[table], f"the seed should fill {table} for this test to mean something"

    lcs = Lcs(emulator)
    activity = _run_refresh(emulator, lcs)
    # the target refuses connections while the copy runs; the source does not
    assert not _odbc_connects(emulator, "contoso-uat")
    assert _odbc_connects(emulator, "contoso-prod")
    assert emulator.env("contoso-uat")["connections_allowed"] is False
    emulator.advance(7200)
    lcs.renew()
    assert lcs.status(UAT, activity)["OperationStatus"] == "Completed"
    assert _odbc_connects(emulator, "contoso-uat")

    target_after = _dump(_libpq(emulator, "contoso-uat"))
    assert _dump(_libpq(emulator, "contoso-prod")) == source_before  # the source is untouched
    assert set(target_after) == set(source_before)
    for table, rows in source_before.items():
        if table in EMPTIED:
            expected = []
        elif table in TRANSFORMED:
            expected = [TRANSFORMED[table](row) for row in rows]
        else:
            expected = rows
        assert target_after[table] == expected, f"{table} differs from the source after the LCS refresh steps"
    # what LCS leaves for the post-restore clean-up: scheduled jobs and the batch mailer as in production
    assert 9 in {r["status"] for r in target_after["BATCHJOB"]}
    assert [r["id"] for r in target_after["USERINFO"] if r["enable"]] == ["Admin"]


def test_failed_refresh_leaves_the_target_as_it_was(emulator):
    emulator.set_faults(operation_failure="contoso-uat")
    before = _dump(_libpq(emulator, "contoso-uat"))
    lcs = Lcs(emulator)
    activity = _run_refresh(emulator, lcs)
    assert not _odbc_connects(emulator, "contoso-uat")
    emulator.advance(7200 + 300 + 1800)
    lcs.renew()
    assert lcs.status(UAT, activity)["OperationStatus"] == "RollbackCompleted"
    assert _odbc_connects(emulator, "contoso-uat")
    assert _dump(_libpq(emulator, "contoso-uat")) == before


def test_database_offline_fault(emulator):
    assert _odbc_connects(emulator, "contoso-test")
    emulator.set_faults(database_offline="contoso-test")
    assert not _odbc_connects(emulator, "contoso-test")
    assert emulator.env("contoso-test")["connections_allowed"] is False
    emulator.clear_faults()
    assert _odbc_connects(emulator, "contoso-test")


def test_reset_recreates_databases_from_the_seed(emulator):
    dsn = _libpq(emulator, "contoso-test")
    before = _dump(dsn)
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE USERINFO SET ENABLE = 0")
    assert _dump(dsn) != before
    emulator.reset()
    assert _dump(dsn) == before


@pytest.mark.parametrize("env_name", ["contoso-prod", "contoso-uat", "contoso-test", "contoso-dev"])
def test_every_environment_has_a_seeded_database(emulator_http, env_name):
    with pyodbc.connect(emulator_http.env(env_name)["odbc_connection_string"], timeout=5) as conn:
        users = conn.cursor().execute("SELECT COUNT(*) FROM USERINFO WHERE ID = ?", "Admin").fetchone()[0]
    assert users == 1
