"""One environment's Dataverse tables with every version of every row: data through time.

Each row version is valid over ``[valid_from, valid_to)`` in virtual time, so the table "as of T" is
exactly the versions with ``valid_from <= T < valid_to``: a change made at T is part of the data as of
T, a change made after T is not. Nothing is ever overwritten; ``snapshot(T)`` materialises any instant
since the world started and ``replace(rows, at)`` (what a restore or copy does) closes the current
versions and opens the given ones at ``at``, so the time before it stays readable.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import uuid
from dataclasses import dataclass

from .tables import TABLES, TableDef


@dataclass
class RowVersion:
    sequence: int
    row_id: str
    data: dict
    valid_from: dt.datetime
    valid_to: dt.datetime | None = None

    def visible(self, instant: dt.datetime | None) -> bool:
        if instant is None:
            return self.valid_to is None
        return self.valid_from <= instant and (self.valid_to is None or instant < self.valid_to)


class DataverseStore:
    def __init__(self, initial: dict[str, list[dict]], at: dt.datetime):
        self._sequence = itertools.count(1)
        self._versions: dict[str, list[RowVersion]] = {t.entity_set: [] for t in TABLES.values()}
        for entity_set, rows in initial.items():
            for row in rows:
                self.insert(entity_set, row, at)

    @staticmethod
    def table(entity_set: str) -> TableDef:
        return next(t for t in TABLES.values() if t.entity_set == entity_set)

    def _current(self, entity_set: str, row_id: str) -> RowVersion | None:
        return next((v for v in self._versions[entity_set] if v.row_id == row_id and v.valid_to is None), None)

    def _open(self, entity_set: str, row_id: str, data: dict, at: dt.datetime) -> None:
        self._versions[entity_set].append(RowVersion(next(self._sequence), row_id, data, at))

    # -- writes -------------------------------------------------------------------------------------------
    def insert(self, entity_set: str, row: dict, at: dt.datetime) -> str:
        """Add a row (its primary key given or a new GUID); returns the id. Raises KeyError if it exists."""
        table = self.table(entity_set)
        data = {**table.defaults(), **copy.deepcopy(row)}
        row_id = str(uuid.UUID(str(data.get(table.key) or uuid.uuid4())))
        if self._current(entity_set, row_id) is not None:
            raise KeyError(row_id)
        data[table.key] = row_id
        self._open(entity_set, row_id, data, at)
        return row_id

    def update(self, entity_set: str, row_id: str, changes: dict, at: dt.datetime) -> bool:
        current = self._current(entity_set, row_id)
        if current is None:
            return False
        current.valid_to = at
        data = {**current.data, **copy.deepcopy(changes), self.table(entity_set).key: row_id}
        self._open(entity_set, row_id, data, at)
        return True

    def delete(self, entity_set: str, row_id: str, at: dt.datetime) -> bool:
        current = self._current(entity_set, row_id)
        if current is None:
            return False
        current.valid_to = at
        return True

    def replace(self, rows_by_set: dict[str, list[dict]], at: dt.datetime) -> None:
        """Every table becomes exactly ``rows_by_set`` from ``at`` on (a restore or copy into this store)."""
        for entity_set, versions in self._versions.items():
            for version in versions:
                if version.valid_to is None:
                    version.valid_to = at
            for row in rows_by_set.get(entity_set, []):
                key = self.table(entity_set).key
                self._open(entity_set, row[key], copy.deepcopy(row), at)

    # -- reads --------------------------------------------------------------------------------------------
    def rows(self, entity_set: str, as_of: dt.datetime | None = None) -> list[dict]:
        """The rows of a table now (or as of an instant), in insertion order of their current version."""
        return [copy.deepcopy(v.data) for v in self._versions[entity_set] if v.visible(as_of)]

    def get(self, entity_set: str, row_id: str, as_of: dt.datetime | None = None) -> dict | None:
        return next((r for r in self.rows(entity_set, as_of) if r[self.table(entity_set).key] == row_id), None)

    def snapshot(self, as_of: dt.datetime | None = None) -> dict[str, list[dict]]:
        return {entity_set: self.rows(entity_set, as_of) for entity_set in self._versions}
