# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The F&O database layer: pyodbc connections, retries, batched set-based DML, guards, statement log.

Production F&O databases are SQL Server / Azure SQL; the project's tests use PostgreSQL through
psqlODBC. Everything here therefore speaks plain portable SQL with ``?`` parameters and keys every
batch on ``RECID`` ranges (every AxDB table has it). Rows are never fetched into Python to be changed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import re
import struct
import time
import traceback

from ansible_collections.d365fo.dataalm.plugins.module_utils import _progress

try:
    import pyodbc
except ImportError:  # pyodbc missing, or present but libodbc (unixODBC) is not installed
    pyodbc = None
    PYODBC_IMPORT_ERROR = traceback.format_exc()
else:
    PYODBC_IMPORT_ERROR = None

from ansible_collections.d365fo.dataalm.plugins.module_utils._redact import odbc_secrets as _secret_values
from ansible_collections.d365fo.dataalm.plugins.module_utils._redact import redact

DEFAULT_DRIVER = "ODBC Driver 18 for SQL Server"
# pyodbc pre-connect attribute of the Microsoft ODBC driver that carries an Entra access token.
SQL_COPT_SS_ACCESS_TOKEN = 1256
ENVIRONMENT_TYPES = ("Production", "Sandbox", "DevTestDev")

# Azure SQL transient error numbers (Microsoft's "transient fault" list) and deadlock victim 1205.
TRANSIENT_ERROR_NUMBERS = frozenset((4060, 40197, 40501, 40613, 49918, 49919, 49920, 10928, 10929, 1205))
# SQLSTATEs: connection failures (08xxx, except "cannot connect" which is rarely transient and is
# reported at once), serialization failure / deadlock, PostgreSQL "terminated by administrator".
TRANSIENT_SQLSTATES = frozenset(("08S01", "08003", "08006", "08007", "40001", "40P01", "57P01", "57P02", "57P03"))
_NATIVE_NUMBER = re.compile(r"\((\d{3,5})\)")

INSTALL_HINT = (
    "Install unixODBC (Debian/Ubuntu: apt-get install unixodbc; RHEL: dnf install unixODBC), "
    "the Microsoft ODBC Driver 18 for SQL Server (package msodbcsql18) and the Python package pyodbc "
    "(pip install pyodbc) on the controller."
)


class FoSqlError(Exception):
    """Any failure the modules report with fail_json; the message never contains secrets."""


class GuardError(FoSqlError):
    """A request refused by the production / Tier-1 guard before any database work."""


# -- guards ----------------------------------------------------------------------------------------
def check_environment_guard(environment_type, allow_production=False, tier1_only_steps=()):
    """Refuse production without an explicit override and Tier-1-only steps anywhere but Tier-1."""
    if environment_type not in ENVIRONMENT_TYPES:
        raise GuardError(
            "environment_type is required for modules that change data; use one of %s" % ", ".join(ENVIRONMENT_TYPES))
    if environment_type == "Production" and not allow_production:
        raise GuardError(
            "refusing to change a Production database: set allow_production=true if this is really intended")
    tier1_only_steps = list(tier1_only_steps)
    if tier1_only_steps and environment_type != "DevTestDev":
        raise GuardError(
            "steps %s are only allowed on Tier-1 (DevTestDev) environments, not on %s"
            % (", ".join(tier1_only_steps), environment_type))


# -- patterns and script splitting ------------------------------------------------------------------
LIKE_ESCAPE = "!"


def glob_to_like(pattern):
    """Turn a user glob (``*`` any text, ``?`` one character) into a LIKE pattern with ESCAPE '!'.

    Every LIKE metacharacter of either dialect (``%``, ``_``, ``[`` in T-SQL) and the escape
    character itself are escaped, so the pattern can only ever match literally; the value is always
    passed as a ``?`` parameter, never spliced into SQL text.
    """
    if not isinstance(pattern, str) or pattern == "":
        raise FoSqlError("a pattern must be a non-empty string")
    out = []
    for ch in pattern:
        if ch == "*":
            out.append("%")
        elif ch == "?":
            out.append("_")
        elif ch in ("%", "_", "[", "]", LIKE_ESCAPE):
            out.append(LIKE_ESCAPE + ch)
        else:
            out.append(ch)
    return "".join(out)


def like_clause(column):
    return "%s LIKE ? ESCAPE '%s'" % (column, LIKE_ESCAPE)


_GO_LINE = re.compile(r"^\s*GO(?:\s+(\d+))?\s*;?\s*(?:--.*)?$", re.IGNORECASE)


def split_script(script):
    """Split a T-SQL script into batches on lines that hold only ``GO`` (optionally ``GO n``)."""
    batches, current = [], []
    for line in script.splitlines():
        match = _GO_LINE.match(line)
        if match:
            text = "\n".join(current).strip()
            if text:
                batches.extend([text] * int(match.group(1) or 1))
            current = []
        else:
            current.append(line)
    text = "\n".join(current).strip()
    if text:
        batches.append(text)
    return batches


# -- connection strings ---------------------------------------------------------------------------
def _odbc_value(value):
    """Quote an ODBC attribute value when it contains characters with a meaning in the syntax."""
    value = str(value)
    if any(ch in value for ch in ";{}=") or value != value.strip():
        return "{" + value.replace("}", "}}") + "}"
    return value


def access_token_struct(token):
    """The structure the Microsoft ODBC driver expects for SQL_COPT_SS_ACCESS_TOKEN.

    A little-endian 4-byte length followed by the token in UTF-16-LE (the driver's documented
    ACCESSTOKEN layout).
    """
    raw = token.encode("utf-16-le")
    return struct.pack("<I", len(raw)) + raw


def build_connection(params):
    """Return ``(connection_string, attrs_before, driver, secrets)`` from module parameters."""
    secrets = [s for s in (params.get("login_password"), params.get("access_token")) if s]
    if params.get("connection_string"):
        conn_str = params["connection_string"]
        secrets.extend(_secret_values(conn_str))
        match = re.search(r"(?i)(?:^|;)\s*DRIVER\s*=\s*(\{[^}]*\}|[^;]*)", conn_str)
        driver = match.group(1).strip("{} ") if match else None
        return conn_str, {}, driver, secrets
    if not params.get("server") or not params.get("database"):
        raise FoSqlError("give either connection_string or both server and database")
    driver = params.get("driver") or DEFAULT_DRIVER
    parts = [
        "DRIVER={%s}" % driver,
        "SERVER=%s" % _odbc_value(params["server"]),
        "DATABASE=%s" % _odbc_value(params["database"]),
        "Encrypt=%s" % ("yes" if params.get("encrypt") else "no"),
        "TrustServerCertificate=%s" % ("yes" if params.get("trust_server_certificate") else "no"),
    ]
    attrs = {}
    if params.get("access_token"):
        if params.get("login_user") or params.get("login_password"):
            raise FoSqlError("give either access_token or login_user/login_password, not both")
        attrs[SQL_COPT_SS_ACCESS_TOKEN] = access_token_struct(params["access_token"])
    elif params.get("login_user"):
        parts.append("UID=%s" % _odbc_value(params["login_user"]))
        parts.append("PWD=%s" % _odbc_value(params.get("login_password") or ""))
    return ";".join(parts) + ";", attrs, driver, secrets


def check_driver_installed(driver):
    """Fail with an install hint when unixODBC/pyodbc or the named driver is missing."""
    if pyodbc is None:
        raise FoSqlError("pyodbc cannot be imported (%s). %s" % (_last_line(PYODBC_IMPORT_ERROR), INSTALL_HINT))
    if not driver:
        return
    installed = list(pyodbc.drivers())
    if driver not in installed:
        raise FoSqlError(
            "ODBC driver '%s' is not installed (installed: %s). %s"
            % (driver, ", ".join(installed) or "none", INSTALL_HINT))


def _last_line(text):
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "unknown error"


# -- errors -------------------------------------------------------------------------------------
def error_sqlstate(exc):
    args = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], str) else ""


def is_transient(exc):
    """True for errors a retry can cure: dropped connections, Azure SQL throttling, deadlocks."""
    if pyodbc is None or not isinstance(exc, pyodbc.Error):
        return False
    state = error_sqlstate(exc)
    if state in TRANSIENT_SQLSTATES:
        return True
    text = " ".join(str(a) for a in getattr(exc, "args", ()))
    if any(code in text for code in ("57P01", "40P01", "terminating connection", "server closed the connection",
                                     "Communication link failure", "connection has been lost")):
        return True
    return any(int(n) in TRANSIENT_ERROR_NUMBERS for n in _NATIVE_NUMBER.findall(text))


# -- the database session ---------------------------------------------------------------------------
class Database:
    """One pyodbc connection with retry, an executed-statement log and batched DML.

    ``retries`` transient failures are retried per unit of work (one batch, one step transaction)
    with full-jitter exponential backoff; a unit is always repeatable because every change statement
    only touches rows not yet in the desired state.
    """

    def __init__(self, params, retries=4, backoff=0.5, backoff_cap=8.0, sleep=time.sleep, connect=None):
        self.conn_str, self.attrs, self.driver, self.secrets = build_connection(params)
        self.connect_timeout = params.get("connect_timeout") or 15
        self.query_timeout = params.get("query_timeout") or 0
        self.retries = retries
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        self.sleep = sleep
        self._connect = connect
        self.conn = None
        self.log = []
        self.retried = 0
        self.progress = _progress.from_environment()  # live progress of batched steps (plugin_utils/progress.py)

    # connection -----------------------------------------------------------------------------------
    def open(self):
        if self._connect is None:
            check_driver_installed(self.driver)
        self._with_retry(self._open_once)
        return self

    def _open_once(self):
        self._close_quietly()
        try:
            if self._connect is not None:
                self.conn = self._connect(self.conn_str, self.attrs)
            else:
                self.conn = pyodbc.connect(self.conn_str, autocommit=False, timeout=self.connect_timeout,
                                           attrs_before=self.attrs or None)
            if self.query_timeout:
                self.conn.timeout = self.query_timeout
        except Exception as exc:
            if is_transient(exc):
                raise
            raise FoSqlError("cannot connect to the database: %s" % self.describe_error(exc)) from None

    def close(self):
        self._close_quietly()

    def identity(self):
        """Server and database the connection reached, as the ODBC driver reports them (SQLGetInfo)."""
        if self.conn is None:
            self._open_once()
        info = self.conn.getinfo
        return {"server": str(info(pyodbc.SQL_SERVER_NAME) or ""),
                "database": str(info(pyodbc.SQL_DATABASE_NAME) or "")}

    def _close_quietly(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # a dropped connection cannot be closed cleanly; nothing to do
                pass
            self.conn = None

    def describe_error(self, exc):
        state = error_sqlstate(exc)
        text = " ".join(str(a) for a in getattr(exc, "args", ())[1:]) or str(exc)
        return redact(("[%s] %s" % (state, text)) if state else text, self.secrets)

    # retry ----------------------------------------------------------------------------------------
    def _with_retry(self, unit):
        attempt = 0
        while True:
            try:
                return unit()
            except FoSqlError:
                raise
            except Exception as exc:
                if not is_transient(exc) or attempt >= self.retries:
                    if pyodbc is not None and isinstance(exc, pyodbc.Error):
                        raise FoSqlError(self.describe_error(exc)) from None
                    raise
                attempt += 1
                self.retried += 1
                self.sleep(random.uniform(0, min(self.backoff_cap, self.backoff * (2 ** attempt))))
                self._rollback_quietly()
                self._open_once()

    def run_unit(self, unit, commit=True):
        """Run ``unit(cursor)`` as one transaction (committed or rolled back), retried if transient."""

        def attempt():
            if self.conn is None:
                self._open_once()
            cursor = self.conn.cursor()
            try:
                result = unit(cursor)
                if commit:
                    self.conn.commit()
                else:
                    self.conn.rollback()
                return result
            except Exception:
                self._rollback_quietly()
                raise
            finally:
                try:
                    cursor.close()
                except Exception:  # cursor of a dropped connection
                    pass

        return self._with_retry(attempt)

    def _rollback_quietly(self):
        if self.conn is not None:
            try:
                self.conn.rollback()
            except Exception:  # the connection may be gone; the server rolls back for us
                self._close_quietly()

    # statements -----------------------------------------------------------------------------------
    def record(self, sql, params=(), rows=None, batches=None):
        entry = {"statement": sql, "params": [redact(p, self.secrets) if isinstance(p, str) else p for p in params]}
        if rows is not None:
            entry["rows"] = rows
        if batches is not None:
            entry["batches"] = batches
        self.log.append(entry)
        return entry

    @staticmethod
    def execute(cursor, sql, params=()):
        cursor.execute(sql, list(params)) if params else cursor.execute(sql)
        return cursor

    def scalar(self, sql, params=()):
        def unit(cursor):
            row = self.execute(cursor, sql, params).fetchone()
            return row[0] if row else None

        return self.run_unit(unit, commit=False)

    def fetch(self, sql, params=(), max_rows=None):
        def unit(cursor):
            self.execute(cursor, sql, params)
            columns = [col[0].upper() for col in cursor.description or ()]
            rows = cursor.fetchmany(max_rows) if max_rows else cursor.fetchall()
            return columns, [list(r) for r in rows]

        return self.run_unit(unit, commit=False)

    def rows(self, sql, params=(), max_rows=None):
        """Only the rows of :meth:`fetch`; the query goes into the executed-statement log."""
        result = self.fetch(sql, params, max_rows)[1]
        self.record(sql, params, rows=len(result))
        return result

    def count(self, table, where="", params=()):
        sql = count_sql(table, where)
        rows = self.scalar(sql, params) or 0
        self.record(sql, params, rows=rows)
        return int(rows)

    def change(self, sql, params=()):
        """Run one change statement in its own transaction and return the affected rows."""
        rows = self.run_unit(lambda cursor: max(self.execute(cursor, sql, params).rowcount, 0))
        self.record(sql, params, rows=rows)
        return rows

    def change_batched(self, table, action_sql, where, params=(), batch_size=50000, set_params=()):
        """Apply ``action_sql`` (UPDATE ... SET ... / DELETE FROM ...) in RECID ranges, one commit each.

        Each batch is ``... WHERE (predicate) AND RECID >= ? AND RECID < ?``. The walk starts at the
        lowest matching RECID and moves range by range while ranges hold matching rows; after an
        empty range it jumps to the next matching RECID, so gaps cost one lookup. The table's highest
        RECID (a primary-key probe) ends the walk. A repeated batch finds no rows left to change.
        """
        next_sql = next_recid_sql(table, where)
        batch_sql = batch_statement(action_sql, where)
        total = batches = 0
        start = self.scalar(first_sql_unbounded(table, where), params)
        last = self.scalar(max_recid_sql(table))
        first = int(start or 0)
        while start is not None and last is not None and int(start) <= int(last):
            lower, upper = int(start), int(start) + int(batch_size)
            values = list(set_params) + list(params) + [lower, upper]
            changed = self.run_unit(
                lambda cursor, values=values: max(self.execute(cursor, batch_sql, values).rowcount, 0))
            batches += 1
            total += changed
            self.progress.update(table, done=total, fraction=min(1.0, float(upper - first) / (int(last) - first + 1)))
            start = upper if changed else self.scalar(next_sql, list(params) + [upper])
        self.record(batch_sql, list(set_params) + list(params) + ["<from>", "<to>"], rows=total, batches=batches)
        return total


# -- SQL text builders (pure; unit-tested and parsed with a T-SQL parser) ----------------------------
def _where(where):
    return (" WHERE " + where) if where else ""


def count_sql(table, where=""):
    return "SELECT COUNT(*) FROM %s%s" % (table, _where(where))


def max_recid_sql(table):
    return "SELECT MAX(RECID) FROM %s" % table


def first_sql_unbounded(table, where=""):
    return "SELECT MIN(RECID) FROM %s%s" % (table, _where(where))


def next_recid_sql(table, where=""):
    predicate = ("(%s) AND " % where) if where else ""
    return "SELECT MIN(RECID) FROM %s WHERE %sRECID >= ?" % (table, predicate)


def batch_statement(action_sql, where=""):
    predicate = ("(%s) AND " % where) if where else ""
    return "%s WHERE %sRECID >= ? AND RECID < ?" % (action_sql, predicate)


def update_sql(table, assignments, where=""):
    return "UPDATE %s SET %s%s" % (table, assignments, _where(where))


def delete_sql(table, where=""):
    return "DELETE FROM %s%s" % (table, _where(where))


def in_list(column, values, negate=False):
    """``COLUMN IN (?, ?, ...)`` for a non-empty list (values go as parameters)."""
    if not values:
        raise ValueError("in_list needs at least one value")
    return "%s %sIN (%s)" % (column, "NOT " if negate else "", ", ".join(["?"] * len(values)))
