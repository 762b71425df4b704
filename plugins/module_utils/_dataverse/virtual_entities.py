# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Metadata refresh of generated virtual entities (``mserp_financeandoperationsentities``).

Setting ``mserp_refresh`` to true resyncs one entity's metadata from F&O; the service does it
asynchronously and serialised, and parallel refreshes hit lock errors (power-platform.md §4.1), so the
entities are refreshed one at a time, each waited for until ``mserp_refresh`` reads false again.
An entity whose ``modifiedon`` is at or after ``refreshed_since`` counts as refreshed already, which
makes a re-run after the same movement change nothing.
"""

from __future__ import annotations

from .._dates import format_datetime, parse_datetime
from .._movement.errors import MovementError

ENTITY_SET = "mserp_financeandoperationsentities"
KEY = "mserp_financeandoperationsentityid"
FIELDS = [KEY, "mserp_physicalname", "mserp_hasbeengenerated", "mserp_refresh", "modifiedon"]


def due(rows, names, refreshed_since):
    """The generated rows to refresh, in name order: those named (all generated ones when ``names`` is
    empty) not modified since ``refreshed_since`` (an aware datetime or None)."""
    wanted = {str(n).lower() for n in names or ()}
    chosen = []
    for row in rows:
        name = str(row.get("mserp_physicalname") or "")
        if not row.get("mserp_hasbeengenerated") or (wanted and name.lower() not in wanted):
            continue
        modified = parse_datetime(row.get("modifiedon"))
        if refreshed_since is not None and modified is not None and modified >= refreshed_since:
            continue
        chosen.append(row)
    return sorted(chosen, key=lambda row: str(row.get("mserp_physicalname")).lower())


def missing(rows, names):
    """Named entities that are not generated in this organisation (they cannot be refreshed)."""
    generated = {str(r.get("mserp_physicalname") or "").lower() for r in rows if r.get("mserp_hasbeengenerated")}
    return sorted(n for n in names or () if str(n).lower() not in generated)


def refresh_one(client, row, wait, progress):
    """Start the refresh of one entity and, with ``wait``, poll until it ends (``wait`` sleeps and raises
    when the time is up)."""
    row_id = row[KEY]
    client.update(ENTITY_SET, row_id, {"mserp_refresh": True})
    while True:
        current = client.row(ENTITY_SET, row_id, FIELDS)
        if not current.get("mserp_refresh"):
            return format_datetime(parse_datetime(current.get("modifiedon")))
        progress("waiting for the metadata refresh of %s" % row.get("mserp_physicalname"))
        wait()


class RefreshTimeout(MovementError):
    """One entity's refresh did not end within wait_timeout."""
