#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_sql
short_description: Run SQL statements or a T-SQL script against a Dynamics 365 F&O database
version_added: 1.0.0
description:
  - Runs O(statements) (with C(?) parameters) or a O(script) split into batches on lines that hold only C(GO)
    (C(GO n) repeats the batch n times), in one transaction or committing after each statement.
  - C(changed) comes from the row counts of statements that return no result set (a statement whose row count
    the driver does not know, such as DDL, counts as a change).
  - Result sets are returned capped at O(max_rows) rows per statement.
  - Prefer the dedicated modules; this is the escape hatch for site-specific steps. Write idempotent
    statements (change only rows not yet in the desired state) so that re-runs report C(changed=false).
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_sql
attributes:
  check_mode:
    support: full
    description: Runs everything in one transaction and rolls it back; row counts show what would change.
  diff_mode:
    support: none
    description: Row counts are returned instead.
options:
  statements:
    description:
      - SQL statements, run in order. Mutually exclusive with O(script).
    type: list
    elements: str
  script:
    description:
      - A T-SQL script; batches are separated by lines holding only C(GO).
    type: str
  params:
    description:
      - Values for the C(?) placeholders. With one statement a flat list; with several a list of lists, one per
        statement (use an empty list for a statement without placeholders). Values are always bound, never
        spliced into the SQL text.
    type: list
    elements: raw
    default: []
  transaction:
    description:
      - V(true) runs everything in one transaction (all or nothing); V(false) commits after each statement.
    type: bool
    default: true
  max_rows:
    description:
      - Rows returned per result set at most.
    type: int
    default: 1000
"""

EXAMPLES = r"""
- name: Point the sandbox's own integration endpoint back
  d365fo.dataalm.fo_sql:
    connection_string: "{{ odbc_connection_string }}"
    environment_type: Sandbox
    statements:
      - UPDATE SYSEMAILPARAMETERS SET SMTPRELAYSERVERNAME = ? WHERE SMTPRELAYSERVERNAME <> ?
    params: [smtp-sandbox.contoso.com, smtp-sandbox.contoso.com]

- name: Run a script
  d365fo.dataalm.fo_sql:
    server: "{{ sql_server }}"
    database: "{{ sql_database }}"
    login_user: "{{ jit_user }}"
    login_password: "{{ jit_password }}"
    environment_type: Sandbox
    script: "{{ lookup('file', 'post-refresh.sql') }}"
"""

RETURN = r"""
results:
  description: One entry per statement run.
  returned: always
  type: list
  elements: dict
  contains:
    statement:
      description: The statement text.
      type: str
    rowcount:
      description: Rows affected as the driver reports it (-1 when unknown).
      type: int
    columns:
      description: Column names of the result set, if any.
      type: list
      elements: str
    rows:
      description: Rows of the result set, at most O(max_rows).
      type: list
      elements: list
    truncated:
      description: Whether the result set had more rows than returned.
      type: bool
rowcount:
  description: Total rows affected by statements without a result set.
  returned: always
  type: int
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils import fo_module, fo_sql


def plan(params):
    """Pair every statement with its parameter list."""
    if params.get("script") is not None:
        if params.get("params"):
            raise fo_sql.FoSqlError("params cannot be used with script; use statements")
        statements = fo_sql.split_script(params["script"])
        return [(s, []) for s in statements]
    statements = [s for s in params["statements"] if s and s.strip()]
    values = params.get("params") or []
    if not statements:
        raise fo_sql.FoSqlError("no statements to run")
    if len(statements) == 1:
        if values and all(isinstance(v, list) for v in values) and len(values) == 1:
            values = values[0]
        return [(statements[0], list(values))]
    if not values:
        return [(s, []) for s in statements]
    if len(values) != len(statements) or not all(isinstance(v, list) for v in values):
        raise fo_sql.FoSqlError("with several statements, params must be a list of lists, one per statement")
    return list(zip(statements, values, strict=True))


def run_statement(cursor, sql, values, max_rows):
    fo_sql.Database.execute(cursor, sql, values)
    entry = {"statement": sql, "rowcount": cursor.rowcount, "columns": [], "rows": [], "truncated": False}
    if cursor.description:
        entry["columns"] = [c[0] for c in cursor.description]
        rows = cursor.fetchmany(max_rows + 1)
        entry["truncated"] = len(rows) > max_rows
        entry["rows"] = [[_plain(v) for v in r] for r in rows[:max_rows]]
    return entry


def _plain(value):
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def main():
    module = fo_module.new_module(
        dict(
            statements=dict(type="list", elements="str"),
            script=dict(type="str"),
            params=dict(type="list", elements="raw", default=[]),
            transaction=dict(type="bool", default=True),
            max_rows=dict(type="int", default=1000),
        ),
        mutually_exclusive=[("statements", "script")],
        required_one_of=[("statements", "script")],
    )
    try:
        planned = plan(module.params)
    except fo_sql.FoSqlError as exc:
        module.fail_json(msg=str(exc), changed=False)
    fo_module.guard(module)

    max_rows = max(module.params["max_rows"], 0)
    one_transaction = module.params["transaction"] or module.check_mode
    db = fo_module.open_database(module)
    results = []
    try:
        if one_transaction:
            results = db.run_unit(lambda cur: [run_statement(cur, s, v, max_rows) for s, v in planned],
                                  commit=not module.check_mode)
        else:
            for sql, values in planned:
                results.append(db.run_unit(lambda cur, s=sql, v=values: run_statement(cur, s, v, max_rows)))
    except Exception as exc:
        fo_module.fail(module, db, exc, results=results, changed=bool(results) and not one_transaction)
    db.close()
    changed = any(not r["columns"] and r["rowcount"] != 0 for r in results)
    rowcount = sum(r["rowcount"] for r in results if not r["columns"] and r["rowcount"] > 0)
    module.exit_json(changed=changed, results=results, rowcount=rowcount)


if __name__ == "__main__":
    main()
