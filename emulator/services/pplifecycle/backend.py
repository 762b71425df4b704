"""Restore and copy of Power Platform environments (the ``powerplatform`` backend's environments).

A restore or copy is an operation on the virtual clock (Queued -> InProgress -> Succeeded/Failed, with
stages). When it ends, the target gets the source's data **and code** as of the instant: the Dataverse
store as of T (solutions included), the F&O database rows as of T (row history) for unified targets,
and the F&O version and packages the source had at T. It shows Succeeded only once that is done.
Afterwards the target is in admin mode; after a copy its background operations are off too.

How the 202 announces the operation is a world switch (``power_platform.operation_announcement`` or
``POST /_emulator/pplifecycle``): ``location``, ``operation_location``, ``operation_url`` (body only) or
``none``, so clients must cope with each (dataalm-2026-addendum.md §2.3).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

from ...core import Backend
from ...formats import new_guid
from ..databases import history
from ..powerplatform.backend import Operation, PpError
from ..powerplatform.world import PpEnvironment
from . import rules

log = logging.getLogger(__name__)
ANNOUNCEMENTS = ("location", "operation_location", "operation_url", "none")


@dataclass
class LifecycleOperation(Operation):
    """A restore or copy: it reads Succeeded only once its effects are applied."""

    kind: str = "restore"
    source_id: str = ""
    instant: dt.datetime | None = None
    copy_type: str | None = None
    applied: bool = False

    def status(self, now: dt.datetime) -> str:
        status = super().status(now)
        return "InProgress" if status == "Succeeded" and not self.applied else status

    def end_time(self, now: dt.datetime) -> dt.datetime | None:
        return super().end_time(now) if self.status(now) in ("Succeeded", "Failed") else None


class PpLifecycleBackend(Backend):
    name = "pplifecycle"

    @property
    def pp(self):
        return self.emulator.backend("powerplatform")

    def reset(self, databases: bool) -> None:
        world = self.world.power_platform
        self.announcement = getattr(world, "operation_announcement", "location") if world else "location"
        self.started: Counter = Counter()
        environments = world.environments if world else []
        if not hasattr(self, "_initial_versions"):
            self._initial_versions = {e.id: e.fin_ops.version for e in environments if e.fin_ops is not None}
        start = self.now()
        # code through time: [(at, F&O version, {package: version})] per environment with F&O
        self.code: dict[str, list[tuple[dt.datetime, str, dict]]] = {}
        for env in environments:
            if env.fin_ops is not None:
                env.fin_ops.version = self._initial_versions[env.id]
                self.code[env.id] = [(start - dt.timedelta(days=3650), env.fin_ops.version, {})]

    # -- code through time ------------------------------------------------------------------------------
    def code_as_of(self, env: PpEnvironment, instant: dt.datetime | None = None) -> tuple[str, dict]:
        timeline = [entry for entry in self.code.get(env.id, []) if instant is None or entry[0] <= instant]
        _at, version, packages = timeline[-1] if timeline else (None, None, {})
        return version, dict(packages)

    def deploy(self, env: PpEnvironment, package: str | None, version: str | None, fin_ops_version: str | None,
               solution: str | None = None):
        """Record a deployment at the current instant: an F&O package (or version update) in the code timeline
        and in Dataverse's package history, or a Dataverse solution (``solution``, installed or upgraded)."""
        if solution:
            return self._install_solution(env, solution, version or "1.0.0.0")
        if env.fin_ops is None:
            raise PpError(400, "FinOpsEnvironmentNotFound", f"Environment {env.name} has no F&O environment.")
        current_version, packages = self.code_as_of(env)
        if package:
            packages[package] = version or "1.0.0.0"
        new_version = fin_ops_version or current_version
        env.fin_ops.version = new_version
        self.code[env.id].append((self.now(), new_version, packages))
        if package and env.dataverse is not None:
            # pac package deploy leaves a package history row in Dataverse (which a restore takes back in time)
            self.emulator.backend("dataverse").store(env).insert("packagehistories", {
                "executionname": f"{package} {packages[package]}", "applicationname": package,
                "packageuniquename": package, "packageversion": packages[package], "statuscode": "Completed",
                "createdon": self.now().isoformat()}, self.now())
        self.record("code_deployed", env.name, package=package, version=version, fin_ops_version=new_version)
        return None

    def _install_solution(self, env: PpEnvironment, name: str, version: str) -> None:
        if env.dataverse is None:
            raise PpError(400, "DataverseNotFound", f"Environment {env.name} has no Dataverse.")
        store, now = self.emulator.backend("dataverse").store(env), self.now()
        row = {"uniquename": name, "friendlyname": name, "version": version, "installedon": now.isoformat()}
        current = next((r for r in store.rows("solutions") if r.get("uniquename") == name), None)
        if current is None:
            store.insert("solutions", row, now)
        else:
            store.update("solutions", current["solutionid"], row, now)
        self.record("solution_installed", env.name, solution=name, version=version)

    def deployments_after(self, env: PpEnvironment, instant: dt.datetime) -> list[dict]:
        return [{"at": at.isoformat(), "fin_ops_version": version, "packages": packages}
                for at, version, packages in self.code.get(env.id, []) if at > instant]

    # -- validation -------------------------------------------------------------------------------------
    def validate(self, kind: str, target: PpEnvironment, body, properties: list[str]) -> dict:
        """The request's parameters, or the ValidationResponse (every field error, or only those of
        ``properties`` when ValidateProperties names some)."""
        if not isinstance(body, dict):
            raise PpError(400, "InvalidRequestContent", "The body must be a JSON object.", shape="validation")
        errors: dict = {}
        params: dict = {"kind": kind}
        source = self._collect(errors, lambda: self._source(body))
        if source is not None:
            self._collect(errors, lambda: rules.check_pair(self.pp, source, target, kind))
            params["source"] = source
            if kind == "restore":
                params["instant"] = self._collect(
                    errors, lambda: rules.parse_instant(body.get("restorePointDateTime"), self.now(), source))
        if kind == "copy":
            result = self._collect(errors, lambda: rules.check_copy_options(body, target))
            if result is not None:
                params["copy_type"], params["advanced"] = result
        if properties:
            errors = {name: value for name, value in errors.items() if name in properties}
        if errors:
            code, status = errors.pop("__code__", ("ValidationFailed", 400))
            raise PpError(status, code, "The request is not valid.", shape="validation", field_errors=errors)
        return params

    @staticmethod
    def _collect(errors: dict, check):
        try:
            return check()
        except PpError as exc:
            fields = exc.field_errors or {"request": {"errorMessages": [exc.message], "suggestedValue": None}}
            errors.setdefault("__code__", (exc.code, exc.status))
            errors.update(fields)
            return None

    def _source(self, body: dict) -> PpEnvironment:
        raw = body.get("sourceEnvironmentId")
        if not isinstance(raw, str) or not raw:
            raise rules.field_error(400, "InvalidRequest", "sourceEnvironmentId", "sourceEnvironmentId is required.")
        env = self.pp.pp.environment(raw)
        if env is None:
            raise rules.field_error(404, "EnvironmentNotFound", "sourceEnvironmentId",
                                    f"Source environment '{raw}' was not found in this tenant.")
        return env

    # -- start ------------------------------------------------------------------------------------------
    def start(self, target: PpEnvironment, params: dict, caller) -> LifecycleOperation:
        kind = params["kind"]
        failure = self.core.env_fault("operation_failure", target.id)
        fail = failure is not None
        if failure is not None:
            self.core.consume_env_fault(failure)
        op = LifecycleOperation(
            id=new_guid(), environment_id=target.id, name=kind.capitalize(), created=self.now(),
            requested_by=caller.identity(), queue_seconds=target.durations.queue, run_seconds=target.durations.run,
            fail=fail, kind=kind, source_id=params["source"].id,
            instant=params.get("instant") or self.now(), copy_type=params.get("copy_type"))
        self.pp.operations[op.id] = op
        self.started[(kind, target.name)] += 1
        self.record(f"{kind}_started", target.name, operation_id=op.id, source=params["source"].name,
                    instant=op.instant.isoformat(), copy_type=op.copy_type)
        return op

    def candidates(self, source: PpEnvironment, kind: str) -> list[PpEnvironment]:
        found = []
        for target in self.pp.environments:
            if kind == "copy" and target.id == source.id:
                continue
            try:
                rules.check_pair(self.pp, source, target, kind)
            except PpError as exc:
                if exc.code != "EnvironmentBusy":
                    continue
            found.append(target)
        return found

    # -- the end of an operation ------------------------------------------------------------------------
    def tick(self) -> None:
        with self.core.lock:
            now = self.now()
            due = [op for op in self.pp.operations.values() if isinstance(op, LifecycleOperation)
                   and not op.applied and not op.fail and now >= op.ends]
        for op in due:
            try:
                self._apply(op)
            except Exception:  # a failed data move fails the operation, as the service would
                log.exception("restore/copy %s failed", op.id)
                op.fail = True
            with self.core.lock:
                op.applied = not op.fail

    def _apply(self, op: LifecycleOperation) -> None:
        source, target = self.pp.environment(op.source_id), self.pp.environment(op.environment_id)
        at = self.now()
        if source.dataverse is not None and target.dataverse is not None:
            store = self.emulator.backend("dataverse").store
            rows = store(source).snapshot(op.instant)
            if op.copy_type == "Minimal":  # customizations and schemas only
                rows = {name: (value if name == "solutions" else []) for name, value in rows.items()}
            store(target).replace(rows, at)
        if target.unified and source.fin_ops is not None:
            self._move_fin_ops_rows(source, target, op.instant, copy=op.kind == "copy")
            version, packages = self.code_as_of(source, op.instant)
            target.fin_ops.version = version
            self.code[target.id].append((at, version, packages))
        with self.core.lock:
            self.pp.set_runtime_state(target, True, False if op.kind == "copy" else None)
        self.record(f"{op.kind}_applied", target.name, operation_id=op.id, source=source.name,
                    instant=op.instant.isoformat())

    def _move_fin_ops_rows(self, source: PpEnvironment, target: PpEnvironment, instant: dt.datetime,
                           copy: bool = False) -> None:
        databases = self.emulator.backend("databases")
        manager = databases.manager
        owner = self._database_owner(source)
        if manager is None or owner is None or target.database is None:
            return
        with manager.connect(manager.database_name(owner)) as conn:
            if getattr(owner, "row_history", False):
                rows = history.rows_as_of(conn, instant)
            else:
                rows = history.rows_as_of(conn, self.now() + dt.timedelta(days=1))
        with manager.connect(manager.database_name(target)) as conn, conn.transaction():
            for table in history.tables(conn):
                conn.execute(f'DELETE FROM "{table}"')
                if rows.get(table):
                    conn.execute(f'INSERT INTO "{table}" SELECT * FROM jsonb_populate_recordset(NULL::"{table}", '
                                 "%s::jsonb)", (_json(rows[table]),))
            if copy:  # hook (issue 15): a copy disables users but Admin and DBMovementAPI (fodb/identity.py)
                manager.fodb.identity.after_copy(conn.cursor(), "", keep_dbmovementapi=True)
        databases.record("database_restored", target.name, source=source.name, instant=instant.isoformat())

    def _database_owner(self, env: PpEnvironment):
        if env.unified:
            return env
        if env.fin_ops is not None and env.fin_ops.kind == "lcs":
            return next((lcs for _project, lcs in self.world.environments()
                         if lcs.name == env.fin_ops.lcs_environment), None)
        return None

    # -- admin views ------------------------------------------------------------------------------------
    def counters(self) -> dict:
        restores, copies = Counter(), Counter()
        for (kind, env_name), count in self.started.items():
            (restores if kind == "restore" else copies)[env_name] += count
        return {"pp_restores_started": dict(restores), "pp_copies_started": dict(copies)}

    def snapshot(self) -> dict:
        if self.world.power_platform is None:
            return {}
        code = {}
        for env_id in self.code:
            env = self.pp.environment(env_id)
            version, packages = self.code_as_of(env)
            code[env.name] = {"fin_ops_version": version, "packages": packages}
        return {"pp_lifecycle": {"operation_announcement": self.announcement, "code": code}}


def _json(rows: list[dict]) -> str:
    import json

    return json.dumps(rows)


BACKEND = PpLifecycleBackend
