"""Unit tests for the F&O database layer: SQL building, patterns, guards, GO splitting, retry, secrets.

Connections here are test doubles because these tests check only the retry/batching logic; the
same code runs against real PostgreSQL through psqlODBC in tests/integration/test_fo_*.py.
"""

from __future__ import annotations

import struct

import pyodbc
import pytest
import sqlglot
from ansible_collections.d365fo.dataalm.plugins.module_utils import fo_sql


# -- patterns ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("glob", "like"),
    [
        ("*@contoso.com", "%@contoso.com"),
        ("user?", "user_"),
        ("50%_off", "50!%!_off"),
        ("[abc]", "![abc!]"),
        ("a!b", "a!!b"),
        ("x' OR '1'='1", "x' OR '1'='1"),  # quotes stay data: the value is always a bound parameter
    ],
)
def test_glob_to_like_escapes_every_metacharacter(glob, like):
    assert fo_sql.glob_to_like(glob) == like


def test_glob_to_like_refuses_empty():
    with pytest.raises(fo_sql.FoSqlError):
        fo_sql.glob_to_like("")


def test_like_clause_uses_a_parameter_and_escape():
    assert fo_sql.like_clause("NETWORKALIAS") == "NETWORKALIAS LIKE ? ESCAPE '!'"
    sqlglot.parse_one("SELECT 1 FROM USERINFO WHERE " + fo_sql.like_clause("NETWORKALIAS"), read="tsql")


# -- guard -----------------------------------------------------------------------------------------
def test_guard_refuses_production_without_override():
    with pytest.raises(fo_sql.GuardError, match="allow_production"):
        fo_sql.check_environment_guard("Production")
    fo_sql.check_environment_guard("Production", allow_production=True)


def test_guard_requires_an_environment_type():
    with pytest.raises(fo_sql.GuardError, match="environment_type is required"):
        fo_sql.check_environment_guard(None)


@pytest.mark.parametrize("env", ["Sandbox", "Production"])
def test_guard_refuses_tier1_steps_elsewhere(env):
    with pytest.raises(fo_sql.GuardError, match="Tier-1"):
        fo_sql.check_environment_guard(env, allow_production=True, tier1_only_steps=["backend_flags"])
    fo_sql.check_environment_guard("DevTestDev", tier1_only_steps=["backend_flags"])


# -- GO splitting --------------------------------------------------------------------------------------
def test_split_script_on_go_lines_only():
    script = "UPDATE A SET X = 1\nGO\nSELECT 'GO' AS GOAL\n  go  \nDELETE FROM B\nGO 2\n\nGO\n"
    assert fo_sql.split_script(script) == ["UPDATE A SET X = 1", "SELECT 'GO' AS GOAL", "DELETE FROM B",
                                           "DELETE FROM B"]


def test_split_script_without_go_is_one_batch():
    assert fo_sql.split_script("SELECT 1;\nSELECT 2;") == ["SELECT 1;\nSELECT 2;"]


# -- connection building ----------------------------------------------------------------------------------
def test_sql_server_builder_defaults():
    conn_str, attrs, driver, secrets = fo_sql.build_connection(
        {"server": "srv.database.windows.net", "database": "AxDB", "login_user": "jit", "login_password": "p;w}d"})
    assert driver == "ODBC Driver 18 for SQL Server"
    assert conn_str.startswith("DRIVER={ODBC Driver 18 for SQL Server};SERVER=srv.database.windows.net;DATABASE=AxDB;")
    assert "Encrypt=no;TrustServerCertificate=no;" in conn_str
    assert "PWD={p;w}}d};" in conn_str
    assert attrs == {}
    assert "p;w}d" in secrets


def test_access_token_is_passed_as_the_driver_struct():
    conn_str, attrs, _driver, secrets = fo_sql.build_connection(
        {"server": "s", "database": "d", "access_token": "eyJ0b2tlbg", "encrypt": True})
    raw = "eyJ0b2tlbg".encode("utf-16-le")
    assert attrs == {1256: struct.pack("<I", len(raw)) + raw}
    assert "UID" not in conn_str and "PWD" not in conn_str
    assert "Encrypt=yes" in conn_str
    assert "eyJ0b2tlbg" in secrets


def test_token_and_password_together_are_refused():
    with pytest.raises(fo_sql.FoSqlError):
        fo_sql.build_connection({"server": "s", "database": "d", "access_token": "t", "login_user": "u"})


def test_connection_string_used_as_is_and_its_password_is_a_secret():
    _conn_str, _attrs, driver, secrets = fo_sql.build_connection(
        {"connection_string": "DRIVER={PostgreSQL Unicode};Server=h;Pwd={se;cret};"})
    assert driver == "PostgreSQL Unicode"
    assert "se;cret" in secrets
    assert "se;cret" not in fo_sql.redact("failed for DRIVER=x;Pwd={se;cret};", secrets)


def test_server_or_connection_string_required():
    with pytest.raises(fo_sql.FoSqlError, match="connection_string"):
        fo_sql.build_connection({"server": "s"})


def test_unknown_driver_names_what_to_install():
    with pytest.raises(fo_sql.FoSqlError, match="msodbcsql18"):
        fo_sql.check_driver_installed("ODBC Driver 99 for Nothing")


def test_missing_pyodbc_or_unixodbc_names_what_to_install(monkeypatch):
    monkeypatch.setattr(fo_sql, "pyodbc", None)
    monkeypatch.setattr(fo_sql, "PYODBC_IMPORT_ERROR", "ImportError: libodbc.so.2: cannot open shared object file")
    with pytest.raises(fo_sql.FoSqlError) as info:
        fo_sql.check_driver_installed("ODBC Driver 18 for SQL Server")
    assert "libodbc.so.2" in str(info.value)
    assert "unixodbc" in str(info.value) and "pip install pyodbc" in str(info.value)


# -- transient classification --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "exc",
    [
        pyodbc.OperationalError("08S01", "[08S01] Communication link failure"),
        pyodbc.Error("42000", "[42000] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Database is not "
                              "currently available (40613) (SQLExecDirectW)"),
        pyodbc.Error("40001", "Transaction was deadlocked (1205)"),
        pyodbc.Error("57P01", "FATAL: terminating connection due to administrator command"),
        pyodbc.Error("HY000", "[HY000] server closed the connection unexpectedly"),
    ],
)
def test_transient_errors(exc):
    assert fo_sql.is_transient(exc)


@pytest.mark.parametrize(
    "exc",
    [
        pyodbc.Error("28P01", "password authentication failed"),
        pyodbc.ProgrammingError("42P01", "relation does not exist"),
        pyodbc.Error("08001", "could not connect to server"),
        ValueError("not a database error"),
    ],
)
def test_permanent_errors(exc):
    assert not fo_sql.is_transient(exc)


# -- retry and batching with a scripted connection double -------------------------------------------------------
class FakeCursor:
    def __init__(self, conn):
        self.conn = conn
        self.rowcount = -1
        self._row = None
        self.description = None

    def execute(self, sql, params=None):
        self.conn.executed.append((sql, params))
        if self.conn.failures:
            raise self.conn.failures.pop(0)
        if sql.startswith("SELECT MAX(RECID)"):
            self._row = (self.conn.max_recid,)
        elif sql.startswith("SELECT MIN(RECID)"):
            lower = params[-1] if "RECID >=" in sql else 0
            remaining = [r for r in self.conn.rows if r >= lower]
            self._row = (min(remaining) if remaining else None,)
        elif sql.startswith("UPDATE"):
            lower, upper = params[-2], params[-1]
            hit = [r for r in self.conn.rows if lower <= r < upper]
            self.conn.pending = hit
            self.rowcount = len(hit)
        return self

    def fetchone(self):
        return self._row

    def close(self):
        pass


class FakeConnection:
    def __init__(self, rows, failures):
        self.rows = set(rows)
        self.max_recid = max(self.rows) if self.rows else None
        self.failures = failures
        self.executed = []
        self.pending = []
        self.commits = 0

    def cursor(self):
        return FakeCursor(self)

    def commit(self):
        self.rows.difference_update(self.pending)  # rows "updated" leave the predicate
        self.pending = []
        self.commits += 1

    def rollback(self):
        self.pending = []

    def close(self):
        pass


def test_batched_update_survives_a_dropped_connection_and_changes_each_row_once():
    conn = FakeConnection(range(100, 1100), [])
    connects = []

    def connect(_conn_str, _attrs):
        connects.append(1)
        return conn

    db = fo_sql.Database({"connection_string": "DRIVER={X};"}, sleep=lambda _s: None, connect=connect).open()
    conn.failures[:] = []
    original_execute = FakeCursor.execute
    state = {"n": 0}

    def flaky(self, sql, params=None):
        if sql.startswith("UPDATE"):
            state["n"] += 1
            if state["n"] == 3:
                raise pyodbc.OperationalError("08S01", "Communication link failure")
        return original_execute(self, sql, params)

    FakeCursor.execute = flaky
    try:
        total = db.change_batched("T", "UPDATE T SET X = 1", "X = 0", batch_size=250)
    finally:
        FakeCursor.execute = original_execute
    assert total == 1000
    assert conn.rows == set()
    assert db.retried == 1
    assert len(connects) == 2
    assert db.log[-1]["batches"] == 4
    assert db.log[-1]["statement"] == "UPDATE T SET X = 1 WHERE (X = 0) AND RECID >= ? AND RECID < ?"


def test_permanent_error_is_not_retried_and_is_redacted():
    conn = FakeConnection([], [pyodbc.Error("42000", "syntax error near Pwd=hunter2")])
    db = fo_sql.Database({"connection_string": "DRIVER={X};Pwd=hunter2;"}, sleep=lambda _s: None,
                         connect=lambda *args: conn).open()
    with pytest.raises(fo_sql.FoSqlError) as info:
        db.change("UPDATE T SET X = 1")
    assert "hunter2" not in str(info.value)
    assert db.retried == 0


def test_retries_are_bounded():
    failures = [pyodbc.OperationalError("08S01", "Communication link failure") for attempt in range(10)]
    conn = FakeConnection([], failures)
    db = fo_sql.Database({"connection_string": "DRIVER={X};"}, retries=2, sleep=lambda _s: None,
                         connect=lambda *args: conn).open()
    with pytest.raises(fo_sql.FoSqlError, match="08S01"):
        db.change("UPDATE T SET X = 1")
    assert db.retried == 2


# -- SQL builders ---------------------------------------------------------------------------------------------
def test_builders_are_portable_tsql():
    for sql in (
        fo_sql.count_sql("BATCHJOB", "STATUS IN (1, 2)"),
        fo_sql.next_recid_sql("BATCHJOB", "STATUS IN (1, 2)"),
        fo_sql.first_sql_unbounded("BATCHJOB"),
        fo_sql.batch_statement("UPDATE BATCHJOB SET STATUS = 0", "STATUS IN (1, 2)"),
        fo_sql.batch_statement("DELETE FROM BATCHHISTORY"),
        fo_sql.update_sql("USERINFO", "ENABLE = 0", fo_sql.in_list("ID", ["a", "b"], negate=True)),
        fo_sql.delete_sql("PRINTMGMTSETTINGS"),
    ):
        sqlglot.parse_one(sql, read="tsql")
        assert sql == sql.strip()
    assert fo_sql.in_list("ID", ["a", "b"], negate=True) == "ID NOT IN (?, ?)"
    with pytest.raises(ValueError):
        fo_sql.in_list("ID", [])
