"""The database effect of a portal-started point-in-time restore: the environment's database as it was
at the instant (the row history of ``services/databases/history.sql``, ``row_history: true`` in the world).

Rewound in place with ``dataalm_rewind``, which also drops the history after the instant: a real
point-in-time restore creates a new database, so the restore-point chain after the instant is gone too
(power-platform.md §1.5, PITR).
"""

from __future__ import annotations

import datetime as dt

from ..databases import history


def restore_to_instant(databases, env, instant: dt.datetime) -> None:
    manager = databases.manager
    if manager is None:
        return  # an emulator without databases: the restore only shows in the history
    if not env.row_history:
        raise RuntimeError(f"environment {env.name} keeps no row history: set row_history: true in the world "
                           "to restore it to an instant")
    # the restore holds the database closed (ALLOW_CONNECTIONS false would lock the rewind out too)
    manager.set_allowed(env, True)
    with manager.connect(manager.database_name(env)) as conn:
        undone = history.rewind(conn, instant)
    databases.record("database_restored", env.name, instant=instant.isoformat(), changes_undone=undone)
    databases.record("connections_allowed", env.name, reason="point-in-time restore applied")
