"""Data through time for the F&O databases of unified environments (history.sql).

Why triggers and not snapshots: a trigger sees every row change in commit order with its before and
after image, so the data as of any instant is exact row by row, whoever wrote it (the emulator, a module
through ODBC, a test through psycopg), and nothing has to guess when to take a snapshot.

The next issue's restore materialises "as of T" with ``rewind(conn, T)`` in a copy of the database.
A whole-database replacement (restore, copy) must keep the replaced database (and its history) for
instants before the replacement: see emulator/README.md, "Data through time".
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

HISTORY_SQL = Path(__file__).with_name("history.sql")
_INTERNAL = ("dataalm_clock", "dataalm_row_history")


def install(conn) -> None:
    """Create the history tables, functions and a trigger on every table (run once, in the template)."""
    conn.execute(HISTORY_SQL.read_text(encoding="utf-8"))


def set_clock(conn, virtual_now: dt.datetime, speed: float) -> None:
    """Anchor the database's view of virtual time to the emulator's clock (after every jump or reset)."""
    conn.execute("UPDATE dataalm_clock SET anchor_virtual = %s, anchor_real = clock_timestamp(), speed = %s",
                 (virtual_now, speed))


def _canonical(row: dict) -> str:
    return json.dumps(row, sort_keys=True, separators=(",", ":"))


def tables(conn) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall() if r[0] not in _INTERNAL]


def rows_as_of(conn, instant: dt.datetime, only: list[str] | None = None) -> dict[str, list[dict]]:
    """Every row of every table (or of ``only``) as it was at ``instant``, without changing anything:
    the current rows with the later changes undone in memory. Rows are sorted by their JSON image."""
    result = {}
    for table in only or tables(conn):
        rows = Counter(_canonical(r[0]) for r in conn.execute(f'SELECT to_jsonb(t) FROM "{table}" t').fetchall())
        changes = conn.execute(
            "SELECT op, old_row, new_row FROM dataalm_row_history WHERE table_name = %s AND at > %s "
            "ORDER BY seq DESC", (table, instant)).fetchall()
        for op, old, new in changes:
            if op in ("I", "U"):
                rows[_canonical(new)] -= 1
            if op in ("U", "D"):
                rows[_canonical(old)] += 1
        result[table] = [json.loads(text) for text in sorted(rows.elements())]
    return result


def forget(conn) -> None:
    """Drop the recorded history (the emulator was reset without recreating its databases)."""
    conn.execute("TRUNCATE dataalm_row_history")


def rewind(conn, instant: dt.datetime) -> int:
    """Undo, in this database, every change after ``instant``; returns the number of changes undone."""
    return conn.execute("SELECT dataalm_rewind(%s)", (instant,)).fetchone()[0]
