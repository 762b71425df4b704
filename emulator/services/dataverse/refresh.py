"""Metadata refresh of generated virtual entities (``mserp_refresh``, power-platform.md §4.1).

Setting ``mserp_refresh`` to true on a row of ``mserp_financeandoperationsentities`` starts an
asynchronous resync of that entity's metadata from F&O. The row reads ``mserp_refresh: true`` until the
resync ends (``REFRESH_SECONDS`` of virtual time), then false and
``modifiedon`` tells when it ended. Generation is serialised per
organisation: a second refresh started while one runs fails with a lock error, as parallel PATCHes do
in the real service (inferred from third-party reports), so clients must refresh one entity at a time.
"""

from __future__ import annotations

import datetime as dt

ENTITY_SET = "mserp_financeandoperationsentities"
REFRESH_SECONDS = 20


class VirtualEntityRefreshes:
    def __init__(self):
        self.running: dict[str, tuple[str, dt.datetime]] = {}  # organisation domain -> (row id, ends)

    def start(self, backend, env, row_id: str) -> None:
        """Start the resync of one row; a DataverseError (lock) while another row's resync runs."""
        from .backend import DataverseError

        self.settle(backend, env)
        running = self.running.get(env.dataverse.domain)
        if running is not None and running[0] != row_id:
            raise DataverseError(500, "0x80044150", "Generic SQL error: a lock is held by the metadata refresh of "
                                                    f"another finance and operations entity ({running[0]}); refresh "
                                                    "one entity at a time.")
        self.running[env.dataverse.domain] = (row_id, backend.now() + dt.timedelta(seconds=REFRESH_SECONDS))
        backend.record("virtual_entity_refresh_started", env.name, id=row_id)

    def settle(self, backend, env) -> None:
        """End the running resync of the organisation when its time has come (the row reads false again)."""
        running = self.running.get(env.dataverse.domain)
        if running is None or backend.now() < running[1]:
            return
        del self.running[env.dataverse.domain]
        stamp = running[1].strftime("%Y-%m-%dT%H:%M:%SZ")
        backend.store(env).update(ENTITY_SET, running[0], {"mserp_refresh": False, "modifiedon": stamp}, running[1])
        backend.record("virtual_entity_refresh_completed", env.name, id=running[0])
