"""State and rules of the emulated F&O application layer, for every environment of the world.

Authorisation follows F&O: the token's audience must be the environment URL; an application token is
accepted when its client id is in the environment's SYSAADCLIENTTABLE and the mapped user is enabled; a
person's token when a USERINFO row with that sign-in name is enabled. Everything else is a 401.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import defaultdict
from urllib.parse import unquote, urlparse

from ...core import Backend
from . import dmf, unified
from .entities import BY_DMF_NAME, BY_SET
from .odata_filter import compile_filter
from .store import Store, StoreError

JOB_FIELDS = ("DefinitionGroupId", "JobId", "EntityName", "StagingStatus", "TargetStatus")
DEFAULTS = {"execution_seconds": 60, "write_url_lifetime_seconds": 3600, "package_url_lifetime_seconds": 3600,
            "nested_values": False}


class ODataError(Exception):
    def __init__(self, status, message):
        self.status = status
        super().__init__(message)


class FoAppBackend(Backend):
    name = "fo_app"

    def __init__(self, emulator, core):
        super().__init__(emulator, core)
        self.lock = threading.RLock()
        self.signer = dmf.Signer()
        self._stores: dict[str, Store] = {}
        self.reset(databases=False)

    def reset(self, databases=False):
        with self.lock:
            self.executions: dict[str, dict[str, dmf.Execution]] = {}
            self.blobs: dict[str, dmf.Blob] = {}
            self.settings = dict(DEFAULTS)
            self.faults = {"execution_outcomes": [], "download_cut_bytes": None}
            self.started = {"parallel_imports": 0, "imports_started": 0, "exports_started": 0,
                            "entity_list_refreshes": 0}
            self.requests = defaultdict(int)
            for store in self._stores.values():
                store.close()  # a reset copies the databases again: reconnect on next use
            self._stores.clear()

    def counters(self):
        return {"fo_app": {"requests": dict(self.requests), **self.started}}

    def advance(self, seconds):
        self.core.clock.advance(seconds)

    # -- environments ----------------------------------------------------------------------------------
    def environment(self, name):
        env = self.emulator.backend("lcs").environment_by_key(name) or unified.find(self.world, name)
        if env is None:
            raise ODataError(404, f"No environment {name} in this world.")
        return env

    def store(self, env) -> Store:
        databases = self.emulator.backend("databases").manager
        if databases is None:
            raise ODataError(503, "The emulator runs without databases; start it with --pg-dsn for F&O OData.")
        with self.lock:
            if env.id not in self._stores:
                dsn = databases.fodb.database_dsn(databases.admin_dsn, databases.database_name(env))
                self._stores[env.id] = Store(dsn)
            return self._stores[env.id]

    @staticmethod
    def environment_url(base_url, env):
        return f"{base_url}/fo/{env.name}"

    def authorize(self, env, header, base_url):
        """None when the bearer token may use ``env``; otherwise the reason (always answered as 401)."""
        scheme, _space, token = (header or "").partition(" ")
        claims = self.emulator.backend("entra").decode(token.strip()) if scheme.lower() == "bearer" else None
        if claims is None or claims.get("exp", 0) <= self.now().timestamp():
            return "The access token is missing, invalid or expired."
        if str(claims.get("aud", "")).rstrip("/").lower() != self.environment_url(base_url, env).lower():
            return "The token's audience is not this environment's URL."
        with self.store(env).transaction() as cur:
            if "upn" in claims:
                person = Store.person(cur, claims["upn"])
                if person is None or not person[1]:
                    return f"User {claims['upn']} is not an enabled user of this environment."
                return None
            mapped = Store.app_user(cur, claims.get("appid", ""))
        if mapped is None:
            return f"Application {claims.get('appid')} is not registered under Microsoft Entra applications."
        if not mapped[1]:
            return f"User {mapped[0]} that application {claims.get('appid')} is mapped to is disabled."
        return None

    # -- entities ----------------------------------------------------------------------------------------
    def entity(self, set_name):
        entity = BY_SET.get(set_name)
        if entity is None and set_name != "DataManagementExecutionJobDetails":
            raise ODataError(404, f"Resource not found for the segment '{set_name}'.")
        return entity

    def query(self, env, set_name, filter_text, select, top):
        """All matching records of the set (paging is the route's job)."""
        if set_name == "DataManagementExecutionJobDetails":
            now = self.now()
            rows = [row for execution in self._env_executions(env).values() for row in execution.job_rows(now)]
            fields = list(rows[0]) if rows else list(JOB_FIELDS)
        else:
            entity = self.entity(set_name)
            with self.store(env).transaction() as cur:
                rows = self.store(env).rows(cur, entity)
            fields = [f.name for f in entity.fields]
        try:
            predicate = compile_filter(filter_text, fields)
        except ValueError as exc:
            raise ODataError(400, str(exc)) from None
        rows = [row for row in rows if predicate(row)]
        if select:
            unknown = [name for name in select if name not in fields]
            if unknown:
                raise ODataError(400, f"Could not find a property named '{unknown[0]}' on the entity type.")
            rows = [{k: v for k, v in row.items() if k in select or k == "@odata.etag"} for row in rows]
        return rows[:top] if top else rows

    def get(self, env, set_name, key):
        entity = self.entity(set_name)
        with self.store(env).transaction() as cur:
            return self.store(env).get(cur, entity, key)

    def change(self, env, method, set_name, key, body, if_match, cur=None):
        """One create / update / delete; inside ``cur`` (a $batch changeset) or its own transaction."""
        entity = self.entity(set_name)
        if entity is None:
            raise ODataError(405, f"{set_name} is read-only.")
        store = self.store(env)
        if cur is None:
            with store.transaction() as own:
                return self.change(env, method, set_name, key, body, if_match, own)
        try:
            if method == "POST":
                return store.insert(cur, entity, body or {})
            if method == "PATCH":
                store.update(cur, entity, key, body or {}, if_match)
            elif method == "DELETE":
                store.delete(cur, entity, key, if_match)
        except StoreError as exc:
            raise ODataError(exc.status, str(exc)) from None
        return None

    # -- data management -----------------------------------------------------------------------------------
    def _env_executions(self, env):
        return self.executions.setdefault(env.id, {})

    def settle(self, env):
        """Carry out the effects of executions that virtual time has ended."""
        now = self.now()
        with self.lock:
            due = [e for e in self._env_executions(env).values() if not e.applied and now >= e.ends_at()]
            for execution in due:
                execution.applied = True
                if execution.outcome in ("Failed", "Canceled"):
                    execution.errors = execution.errors or [f"Execution {execution.id} {execution.outcome.lower()}"
                                                            " (fault injected by the emulator)."]
                    continue
                if execution.kind == "export":
                    self._finish_export(env, execution, now)
                else:
                    self._finish_import(env, execution)

    def _finish_export(self, env, execution, now):
        tables = {}
        with self.store(env).transaction() as cur:
            for name in execution.entities:
                entity = BY_DMF_NAME[name]
                rows = self.store(env).rows(cur, entity)
                if entity.company_field:  # a per-company entity exports the records of the legal entity only
                    rows = [r for r in rows if r[entity.company_field] == execution.legal_entity.lower()]
                tables[name] = rows
        blob_name = f"export-{execution.id}-{uuid.uuid4().hex[:8]}.zip"
        self.blobs[blob_name] = dmf.Blob(blob_name, now, dmf.build_package(execution.group, tables))
        execution.package_blob = blob_name
        for name in execution.entities:
            execution.results[name] = dmf.EntityResult(name, "Finished", "Finished", len(tables[name]), 0)

    def _finish_import(self, env, execution):
        blob = self.blobs.get(execution.package_blob or "")
        try:
            tables = dmf.read_package(blob.data if blob and blob.data else b"")
        except ValueError as exc:
            execution.outcome, execution.errors = "Failed", [str(exc)]
            return
        execution.entities = list(tables)
        good = bad = 0
        for name, rows in tables.items():
            result = execution.results[name] = dmf.EntityResult(name, "Finished", "Finished")
            company = BY_DMF_NAME[name].company_field
            for number, row in enumerate(rows, start=1):
                if company:  # a per-company entity is imported into the legal entity of the import
                    row = dict(row, **{company: execution.legal_entity.lower()})
                try:
                    self._upsert(env, BY_DMF_NAME[name], row, result)
                    good += 1
                except ODataError as exc:
                    bad += 1
                    result.target_status = "Error"
                    result.errors.append(f"Row {number}: {exc}")
                    execution.errors.append(f"{name}, row {number}: {exc}")
        if bad:
            execution.outcome = "PartiallySucceeded" if good and execution.outcome != "Failed" else "Failed"
        elif execution.outcome == "PartiallySucceeded":
            execution.errors.append("Some records were skipped (fault injected by the emulator).")

    def _upsert(self, env, entity, row, result):
        key = {k: row.get(k) for k in entity.keys}
        secret = {f.name for f in entity.fields if f.write_only}
        values = {k: v for k, v in row.items() if k not in entity.keys and k not in secret}
        if self.get(env, entity.set_name, key) is None:
            self.change(env, "POST", entity.set_name, None, row, None)
            result.created += 1
        else:
            self.change(env, "PATCH", entity.set_name, key, values, "*")
            result.updated += 1

    def next_outcome(self):
        outcomes = self.faults["execution_outcomes"]
        return outcomes.pop(0) if outcomes else "Succeeded"

    def blob_name_from_url(self, url):
        path = urlparse(url or "").path
        return unquote(path.rsplit("/", 1)[-1]) if "/_blobs/dmf/" in path else None

    def value(self, value):
        """An action result in the configured shape (flat, or nested as the DMF documentation shows)."""
        return {"value": {"value": value}} if self.settings["nested_values"] else {"value": value}

    def job_details_json(self, env):
        return json.dumps([row for e in self._env_executions(env).values() for row in e.job_rows(self.now())])

    def new_execution(self, env, kind, execution_id, group, legal_entity, entities):
        execution = dmf.Execution(execution_id, kind, group, legal_entity, self.now(),
                                  float(self.settings["execution_seconds"]), entities, outcome=self.next_outcome())
        self._env_executions(env)[execution_id] = execution
        self.started[kind + "s_started"] += 1
        self.record(kind + "_started", env.name, execution_id=execution_id, definition_group=group)
        return execution


BACKEND = FoAppBackend
