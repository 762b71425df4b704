"""Helpers for the fo_* module tests: seeded databases, playbook runs, row snapshots."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import psycopg

from devtools.ansible_runner import run_playbook, write_playbook
from emulator import fodb

FO_TABLES = (
    "USERINFO", "BATCHJOB", "BATCH", "LOGISTICSELECTRONICADDRESS", "SYSEMAILPARAMETERS", "SYSEMAILSMTPPASSWORD",
    "SYSOUTGOINGEMAILTABLE", "PRINTMGMTSETTINGS", "PRINTMGMTDOCINSTANCE", "SYSSERVERCONFIG", "BATCHSERVERGROUP",
    "SQLSYSTEMVARIABLES", "DOCUVALUE", "SYSGLOBALCONFIGURATION", "POWERBICONFIG", "INTEGRATIONCLIENTMAPTABLE",
    "BATCHJOBHISTORY", "RETAILHARDWAREPROFILE", "DUALWRITEPROJECTCONFIGURATION", "BUSINESSEVENTSENDPOINT",
)


def rows(pg_server, db, sql, params=None):
    with psycopg.connect(fodb.database_dsn(pg_server.admin_dsn, db)) as conn:
        return conn.execute(sql, params).fetchall()


def scalar(pg_server, db, sql, params=None):
    return rows(pg_server, db, sql, params)[0][0]


def fingerprint(pg_server, db, tables=FO_TABLES):
    """A digest of every row of the given tables, to prove "no change" and "identical data"."""
    digest = {}
    with psycopg.connect(fodb.database_dsn(pg_server.admin_dsn, db)) as conn:
        for table in tables:
            key = "PARM" if table == "SQLSYSTEMVARIABLES" else "RECID"
            text = conn.execute(
                f"SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t.{key})), '') FROM {table} AS t"
            ).fetchone()[0]
            digest[table] = text
    return digest


def table_digest(pg_server, db, table, key="RECID"):
    with psycopg.connect(fodb.database_dsn(pg_server.admin_dsn, db)) as conn:
        return conn.execute(
            f"SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t.{key})), '') FROM {table} AS t").fetchone()[0]


def play(tmp_path: Path, tasks: list, check: bool = False, diff: bool = False, name: str = "playbook.yml"):
    """Run tasks; each task that registers ``r_<name>`` is written to results.json for the test."""
    registered = [t["register"] for t in tasks if "register" in t]
    out = tmp_path / (name + ".results.json")
    dump = {
        "name": "Write results",
        "ansible.builtin.copy": {
            "content": "{{ {%s} | to_json }}" % ", ".join("'%s': %s" % (r, r) for r in registered),
            "dest": str(out),
            "mode": "0600",
        },
        "check_mode": False,
        "when": bool(registered),
    }
    path = write_playbook(tmp_path, [*tasks, dump], name=name)
    proc = run_playbook(path, check=check, diff=diff)
    results = json.loads(out.read_text()) if out.exists() else {}
    return proc, results


def sql_task(module, conn_str, register=None, check_mode=None, ignore_errors=False, **args):
    task = {"name": module, "d365fo.dataalm." + module: dict({"connection_string": conn_str}, **args)}
    if register:
        task["register"] = register
    if check_mode is not None:
        task["check_mode"] = check_mode
    if ignore_errors:
        task["ignore_errors"] = True
    return task


def assert_task(that, msg="assertion"):
    return {"name": msg, "ansible.builtin.assert": {"that": that, "quiet": True}}


def four_phase(module, conn_str, **args):
    """check_mode -> run -> check_mode (no change) -> run (no change), each asserted in the play."""
    return [
        sql_task(module, conn_str, register="r_check1", check_mode=True, **args),
        sql_task(module, conn_str, register="r_run1", **args),
        sql_task(module, conn_str, register="r_check2", check_mode=True, **args),
        sql_task(module, conn_str, register="r_run2", **args),
        assert_task(["r_check1 is changed", "r_run1 is changed", "r_check2 is not changed",
                     "r_run2 is not changed"], "check -> run -> check -> run is idempotent"),
    ]


def new_db(pg_server, name, **options):
    fodb.create_environment_database(pg_server.admin_dsn, name, **options)
    return fodb.odbc_connection_string(pg_server.admin_dsn, name)


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()
