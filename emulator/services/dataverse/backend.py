"""Dataverse backend: one versioned store (store.py) per Power Platform environment with Dataverse, the
rights of a caller in it, and the OData query subset the Web API routes need.

A token is accepted when its audience is the environment's organisation URL (``<base>/dataverse/<domain>``
for any base URL the emulator was reached at). The caller must be an application user holding System
Administrator in that environment, or a Power Platform administrator.
"""

from __future__ import annotations

import re
import uuid

from ...core import Backend
from ..entra.backend import normalize_audience
from ..powerplatform.world import PpEnvironment
from . import sql_jit
from .refresh import ENTITY_SET as VIRTUAL_ENTITIES
from .refresh import VirtualEntityRefreshes
from .store import DataverseStore
from .tables import TABLES


class DataverseError(Exception):
    """``{"error": {"code", "message"}}`` at ``status`` (the shape Microsoft's Dataverse client reads)."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


def not_found(segment: str) -> DataverseError:
    return DataverseError(404, "0x80060888", f"Resource not found for the segment '{segment}'.")


_COMPARISON = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s+(eq|ne)\s+('(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false|null)"
                         r"\s*$")


def parse_filter(text: str | None):
    """``a eq 'x' and b ne 3``: a list of (column, op, value). Anything else: DataverseError 400."""
    if not text:
        return []
    terms = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _COMPARISON.match(part)
        if match is None:
            raise DataverseError(400, "0x80060888", f"The emulator's $filter supports only 'column eq|ne value' "
                                                    f"terms joined by 'and'; cannot parse: {part}")
        column, op, raw = match.groups()
        if raw.startswith("'"):
            value = raw[1:-1].replace("''", "'")
        elif raw in ("true", "false"):
            value = raw == "true"
        elif raw == "null":
            value = None
        else:
            value = float(raw) if "." in raw else int(raw)
        terms.append((column, op, value))
    return terms


def matches(row: dict, terms) -> bool:
    for column, op, value in terms:
        actual = row.get(column)
        if isinstance(actual, str) and isinstance(value, str):
            equal = actual.lower() == value.lower()  # Dataverse compares strings case-insensitively
        else:
            equal = actual == value
        if equal != (op == "eq"):
            return False
    return True


class DataverseBackend(Backend):
    name = "dataverse"

    @property
    def environments(self) -> list[PpEnvironment]:
        pp = self.world.power_platform
        return [env for env in pp.environments if env.dataverse is not None] if pp else []

    def reset(self, databases: bool) -> None:
        now = self.now()
        self.stores = {env.dataverse.domain: DataverseStore(env.dataverse.tables, now) for env in self.environments}
        self.refreshes = VirtualEntityRefreshes()
        sql_jit.logins(self).forget()  # hook (issue 15): no just-in-time SQL login outlives a reset

    def tick(self) -> None:
        sql_jit.logins(self).sweep()  # hook (issue 15): JIT SQL logins expire in virtual time, die with a movement

    def environment(self, domain: str) -> PpEnvironment:
        env = next((e for e in self.environments if e.dataverse.domain == domain.lower()), None)
        if env is None:
            raise DataverseError(404, "0x80072560", f"No organisation '{domain}' in this world.")
        return env

    def has_organisation(self, domain: str) -> bool:
        return any(e.dataverse.domain == domain.lower() for e in self.environments)

    def store(self, env: PpEnvironment) -> DataverseStore:
        return self.stores[env.dataverse.domain]

    # -- who is calling ------------------------------------------------------------------------------------------
    def authorize(self, env: PpEnvironment, token: str, organisation_paths: set[str]) -> dict:
        """Claims of a token for this organisation whose caller may use it; DataverseError otherwise."""
        claims = self.emulator.backend("entra").decode(token) if token else None
        challenge = {"WWW-Authenticate": f'Bearer authorization_uri="{self.world.tenants[0].id}", '
                                         'error="invalid_token"'}
        if claims is None or claims.get("exp", 0) <= self.now().timestamp():
            raise DataverseError(401, "0x80072561", "The access token is missing, malformed or expired.", challenge)
        if normalize_audience(str(claims.get("aud", ""))) not in organisation_paths:
            raise DataverseError(401, "0x80072562",
                                 f"The access token was issued for '{claims.get('aud')}', not for this organisation. "
                                 "Request a token for the scope <organisation URL>/.default.", challenge)
        pp = self.world.power_platform
        user = (claims.get("upn") or "").lower()
        allowed = user in pp.admins if user else claims.get("appid") in env.dataverse.application_users
        if claims.get("tid") != pp.tenant or not allowed:
            raise DataverseError(403, "0x80072560",
                                 "The user is not a member of the organization. (The application needs an "
                                 f"application user with the System Administrator role in environment {env.name}.)")
        return claims

    def caller_id(self, claims: dict) -> str:
        """The systemuserid WhoAmI reports for the caller (stable per user or application)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"systemuser:{claims.get('upn') or claims.get('appid')}"))

    # -- tables --------------------------------------------------------------------------------------------------
    @staticmethod
    def table_by_set(entity_set: str):
        table = next((t for t in TABLES.values() if t.entity_set == entity_set), None)
        if table is None:
            raise not_found(entity_set)
        return table

    def insert(self, env: PpEnvironment, entity_set: str, row: dict) -> str:
        try:
            row_id = self.store(env).insert(entity_set, {k.lower(): v for k, v in row.items()}, self.now())
        except KeyError as exc:
            raise DataverseError(412, "0x80040237", f"A record with the same id {exc.args[0]} already exists.") \
                from exc
        except ValueError as exc:
            raise DataverseError(400, "0x80048d19", f"The primary key is not a GUID: {exc}") from exc
        self.record("row_inserted", env.name, table=entity_set, id=row_id)
        return row_id

    def update(self, env: PpEnvironment, entity_set: str, row_id: str, changes: dict, upsert: bool) -> bool:
        """True when an existing row changed; with ``upsert`` a missing row is created (False)."""
        table = self.table_by_set(entity_set)
        changes = {k.lower(): v for k, v in changes.items() if k.lower() != table.key}
        if entity_set == VIRTUAL_ENTITIES and changes.get("mserp_refresh") is True \
                and self.store(env).get(entity_set, row_id) is not None:
            self.refreshes.start(self, env, row_id)
        if self.store(env).update(entity_set, row_id, changes, self.now()):
            self.record("row_updated", env.name, table=entity_set, id=row_id, columns=sorted(changes))
            return True
        if not upsert:
            raise self.missing(table, row_id)
        self.insert(env, entity_set, {**changes, table.key: row_id})
        return False

    def delete(self, env: PpEnvironment, entity_set: str, row_id: str) -> None:
        table = self.table_by_set(entity_set)
        if not self.store(env).delete(entity_set, row_id, self.now()):
            raise self.missing(table, row_id)
        self.record("row_deleted", env.name, table=entity_set, id=row_id)

    @staticmethod
    def missing(table, row_id: str) -> DataverseError:
        return DataverseError(404, "0x80040217", f"{table.logical_name} With Id = {row_id} Does Not Exist")

    def integration_details(self, env: PpEnvironment) -> dict:
        """RetrieveFinanceAndOperationsIntegrationDetails (power-platform.md §5)."""
        if env.fin_ops is None:
            raise DataverseError(400, "0x80048d0b", "Dataverse instance isn't integrated with finance and operations.")
        return {"Url": env.fin_ops.url.rstrip("/"), "TenantId": self.world.power_platform.tenant, "Id": env.fin_ops.id}

    def http_fault_body(self, status: int) -> dict | None:
        code = "0x80072322" if status == 429 else "0x80040216"
        return {"error": {"code": code, "message": "Number of requests exceeded the limit." if status == 429
                          else "An unexpected error occurred."}}

    def snapshot(self) -> dict:
        if not self.environments:
            return {}
        return {"dataverse": {env.dataverse.domain: {entity_set: len(rows) for entity_set, rows in
                                                     self.store(env).snapshot().items()}
                              for env in self.environments}}


BACKEND = DataverseBackend
