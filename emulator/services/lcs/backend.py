"""LCS backend: projects and environments of the world, database operations (refresh, export) on
the virtual clock, the asset library, quotas and rate limits (lcs-api.md). No HTTP here: routes.py
parses, calls these methods and wraps the answers in the LCS envelope.

A refusal is an ``LcsRefusal`` (HTTP 200 ``IsSuccess: false`` unless it says otherwise); a bad or
missing token ``LcsUnauthorized`` (401).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from ... import formats
from ...core import Backend
from ...formats import new_guid
from ...world import HISTORY_TYPES, Environment, Member, Project
from ..entra.backend import LCS_APP_ID, normalize_audience
from .operations import HISTORY_TYPE, RUNNING, Operation
from .pitr import restore_to_instant

log = logging.getLogger("emulator")

MUTATING_ROLES = {"ProjectOwner", "EnvironmentAdministrator", "EnvironmentManager"}
_BACKUP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_ENDED = ("Completed", "SignedOff", "RollbackCompleted", "RollbackFailed")


class LcsRefusal(Exception):
    """A business refusal: ``IsSuccess: false`` with ``message``, at ``status`` (LCS mostly uses 200)."""

    def __init__(self, message: str, status: int = 200, **fields):
        super().__init__(message)
        self.message = message
        self.status = status
        self.fields = fields


class LcsUnauthorized(Exception):
    """Missing, garbled, expired, app-only or wrong-audience token: 401."""


@dataclass
class Asset:
    id: str
    project_id: int
    name: str
    file_name: str
    description: str
    created: dt.datetime
    environment_id: str | None
    size_bytes: int
    path: Path | None = None  # generated lazily for world backups


class LcsBackend(Backend):
    name = "lcs"

    def __init__(self, emulator, core):
        super().__init__(emulator, core)
        self.env_by_id: dict[str, tuple[Project, Environment]] = {
            env.id: (project, env) for project, env in self.world.environments()}
        self.env_keys = {}
        for _project, env in self.world.environments():
            self.env_keys[env.id] = env.id
            self.env_keys[env.name.lower()] = env.id
            self.env_keys[formats.dashless(env.id)] = env.id

    def reset(self, databases: bool) -> None:
        self.operations: dict[str, Operation] = {}
        self.operations_started: dict[str, int] = {}
        self.assets: dict[int, list[Asset]] = {}
        for project in self.world.projects:
            self.assets[project.id] = [
                Asset(id=b.id, project_id=project.id, name=b.name, file_name=b.file_name,
                      description=b.description, created=b.created, environment_id=None, size_bytes=b.size_bytes)
                for b in project.backups]

    def environment_keys(self) -> dict[str, str]:
        return dict(self.env_keys)

    @property
    def databases(self):
        return self.emulator.backend("databases")

    # -- lookups ------------------------------------------------------------------------------------------
    def project(self, project_id) -> Project | None:
        for project in self.world.projects:
            if str(project.id) == str(project_id):
                return project
        return None

    @staticmethod
    def environment(project: Project, key: str) -> Environment | None:
        env_id = formats.normalize_guid(key)
        for env in project.environments:
            if env.id == env_id or (env_id is None and env.name.lower() == (key or "").lower()):
                return env
        return None

    def environment_by_key(self, key: str) -> Environment | None:
        env_id = self.env_keys.get(str(key).lower()) or formats.normalize_guid(str(key))
        found = self.env_by_id.get(env_id or "")
        return found[1] if found else None

    def project_environment(self, project: Project, key: str) -> Environment:
        """An environment of the project named by its id in a path (dashed or dashless, never a name)."""
        env = self.environment(project, key) if formats.normalize_guid(key) else None
        if env is None:
            raise LcsRefusal(f"Environment {key} was not found in project {project.id}.")
        return env

    # -- authentication -----------------------------------------------------------------------------------
    def authorize(self, token: str, project_id) -> tuple[Project, Member]:
        """Token check (signature, virtual expiry, LCS audience, a user) and project membership.

        Caller holds ``core.lock``. Raises LcsUnauthorized (401) or LcsRefusal (403)."""
        claims = self.emulator.backend("entra").decode(token)
        if claims is None or claims.get("exp", 0) <= self.now().timestamp():
            raise LcsUnauthorized()
        project = self.project(project_id)
        # the LCS app id, the emulator's own base URL, or the API host of the project's geography;
        # a token for another region's host is refused (lcs-api.md §1.6, §7)
        audiences = self.emulator.backend("entra").lcs_audiences() | {LCS_APP_ID}
        if project is not None:
            audiences.add(normalize_audience(project.api_host))
        if normalize_audience(str(claims.get("aud", ""))) not in audiences or "upn" not in claims:
            raise LcsUnauthorized()
        member = None
        if project is not None and claims.get("tid") == project.tenant:
            member = next((m for m in project.members if m.username.lower() == claims["upn"].lower()
                           and m.invitation_accepted), None)
        if member is None:
            raise LcsRefusal(f"User {claims['upn']} is not a member of project {project_id} or has not accepted "
                             "the invitation.", 403)
        return project, member

    def rate_limit(self, limits) -> int | None:
        """None when every (key, max calls, window seconds) limit allows the call; else Retry-After.

        The windows run in virtual time, or in real seconds with ``lcs.rate_limits_in_real_time``."""
        with self.core.lock:
            now = time.monotonic() if self.world.lcs.rate_limits_in_real_time else self.core.clock.timestamp()
            return self.core.windows.check(limits, now)

    # -- starting operations -------------------------------------------------------------------------------
    def count_mutating(self, key: str) -> None:
        env = self.environment_by_key(key)
        self.core.count_mutating(env.name if env else key)

    @staticmethod
    def _may_mutate(member: Member) -> None:
        if member.role not in MUTATING_ROLES:
            raise LcsRefusal(f"User {member.username} with role {member.role} is not allowed to perform this "
                             "operation.", 403)

    def _refuse_busy_or_quota(self, env: Environment) -> None:
        """The checks every operation start shares: busy environment, then the 3-per-24h quota."""
        if self.running_operation(env.id) is not None or self.core.env_fault("busy", env.id) is not None:
            raise LcsRefusal(f"Environment {env.name} has another operation in progress. Try again after it "
                             "completes.")
        limit = self.world.lcs.operations_per_24h
        if self.core.env_fault("quota_exhausted", env.id) is not None or len(self.starts_in_window(env)) >= limit:
            window_start = self.now() - dt.timedelta(hours=24)
            raise LcsRefusal(f"Maximum allowed API operations are {limit} from {formats.seven_digit(window_start)}")

    def start_refresh(self, project: Project, member: Member, source_key: str, target_key: str) -> Operation:
        self._may_mutate(member)
        source = self.project_environment(project, source_key)
        target = self.project_environment(project, target_key)
        if source.id == target.id:
            raise LcsRefusal("Source and target environment cannot be the same.")
        if target.is_tier1 or source.is_tier1:
            # d365fo.tools#712: LCS answers a refresh involving a Tier-1 (cloud-hosted) environment with 401
            raise LcsRefusal("Database refresh is not supported for Tier-1 (DevTestDev) environments.", 401)
        if target.type != "Sandbox":
            raise LcsRefusal(f"Refreshing a {target.type} environment is not supported; the target must be a "
                             "sandbox (Tier-2 or higher) environment.")
        if source.location.lower() != target.location.lower():
            raise LcsRefusal(f"Source ({source.location}) and target ({target.location}) must be in the same "
                             "Azure region.")
        source_op = self.running_operation(source.id)
        if source_op is not None and source_op.kind == "refresh":
            raise LcsRefusal(f"Environment {source.name} is being refreshed and cannot be used as a source.")
        self._refuse_busy_or_quota(target)
        op = Operation(id=new_guid(), kind="refresh", project_id=project.id, environment_id=target.id,
                       source_environment_id=source.id, name=f"Refresh database from {source.name}",
                       created=self.now(), durations=target.durations)
        self._start(op)
        return op

    def start_export(self, project: Project, member: Member, env_key: str, backup_name: str) -> Operation:
        self._may_mutate(member)
        env = self.project_environment(project, env_key)
        if env.type != "Sandbox":
            raise LcsRefusal(f"Exporting a {env.type} environment is not supported; only sandbox environments "
                             "can be exported.")
        if not _BACKUP_NAME.match(backup_name):
            raise LcsRefusal("The backup name may only contain letters, digits, '-', '_' and '.', and must start "
                             "with a letter or digit.")
        self._refuse_busy_or_quota(env)
        op = Operation(id=new_guid(), kind="export", project_id=project.id, environment_id=env.id,
                       source_environment_id=env.id, name=backup_name, created=self.now(),
                       durations=env.durations, backup_name=backup_name)
        self._start(op)
        return op

    def _start(self, op: Operation) -> None:
        """Record a started operation; the target of a refresh stops accepting connections at once."""
        failure = self.core.env_fault("operation_failure", op.environment_id)
        if failure and failure.spec["operation"] in ("any", op.kind):
            op.fail = failure.spec["rollback"]
            self.core.consume_env_fault(failure)
        self.operations[op.id] = op
        env = self.env_by_id[op.environment_id][1]
        self.operations_started[env.name] = self.operations_started.get(env.name, 0) + 1
        self.record("operation_started", env.name, operation=op.kind, operation_id=op.id,
                    source=self.env_by_id[op.source_environment_id][1].name)
        if op.kind in ("refresh", "pitr"):
            self.databases.set_allowed(env, False, reason=f"{op.kind} {op.id} started")
        op.db_started = True

    def start_portal_restore(self, env_key: str, instant: dt.datetime, run_seconds: int | None = None,
                             history_type: str | None = None, fail: str | None = None) -> Operation:
        """What a person does in the LCS portal: a point-in-time restore of the environment's database to
        ``instant`` (admin API only; LCS has no API for it). It shows in the history, holds the environment
        and, at its end, the database is as it was at ``instant`` (pitr.py)."""
        env = self.environment_by_key(env_key)
        if env is None:
            raise LcsRefusal(f"Environment {env_key} was not found.", 404)
        if self.running_operation(env.id) is not None:
            raise LcsRefusal(f"Environment {env.name} has another operation in progress.", 409)
        project = self.env_by_id[env.id][0]
        op = Operation(id=new_guid(), kind="pitr", project_id=project.id, environment_id=env.id,
                       source_environment_id=env.id,
                       # a custom Type stands for a row clients cannot recognise: its name says nothing either
                       name=history_type or f"Point-in-time restore to {instant.isoformat()}",
                       created=self.now(), durations=env.durations, fail=fail,
                       extra={"instant": instant, "type": history_type, **(
                           {"run_seconds": run_seconds} if run_seconds is not None else {})})
        self._start(op)
        return op

    # -- operations on the clock ---------------------------------------------------------------------------
    def running_operation(self, env_id: str) -> Operation | None:
        now = self.now()
        for op in self.operations.values():
            if op.environment_id == env_id and op.is_running(now):
                return op
        return None

    def starts_in_window(self, env: Environment) -> list[dt.datetime]:
        now = self.now()
        since = now - dt.timedelta(hours=24)
        starts = [op.created for op in self.operations.values() if op.environment_id == env.id and op.via_api]
        starts += [h.started for h in env.history if h.via_api and h.type in HISTORY_TYPE.values()]
        return sorted(s for s in starts if since < s <= now)

    def holds_database(self, environment_id: str) -> bool:
        now = self.now()
        return any(op.kind in ("refresh", "pitr") and op.environment_id == environment_id and op.db_started
                   and not op.finalized and op.is_running(now) for op in self.operations.values())

    def operation_status(self, project: Project, env_key: str, op_key: str) -> Operation:
        op = self.operations.get(formats.normalize_guid(op_key) or "")
        if op is None or op.environment_id != formats.normalize_guid(env_key) or op.project_id != project.id:
            raise LcsRefusal(f"Operation activity {op_key} was not found for environment {env_key}.",
                             ProjectId=project.id, EnvironmentId=env_key, ActivityId=op_key, CompletionDate=None,
                             OperationStatus=None)
        return op

    def tick(self) -> None:
        with self.core.lock:
            now = self.now()
            due = [op for op in self.operations.values() if op.needs_copy(now)]
        for op in due:
            self._copy_point(op)
        with self.core.lock:
            now = self.now()
            ending = [op for op in self.operations.values() if not op.finalized and op.status(now) in _ENDED]
        for op in ending:
            self._finalize(op, op.status(now))

    def _copy_point(self, op: Operation) -> None:
        _project, env = self.env_by_id[op.environment_id]
        try:
            if op.kind == "refresh":
                self.databases.refresh(self.env_by_id[op.source_environment_id][1], env)
            elif op.kind == "pitr":
                restore_to_instant(self.databases, env, op.extra["instant"])
            elif op.kind == "export":
                asset_id = formats.new_guid()
                path = self.emulator.backend("downloads").blob_path(asset_id)
                self.databases.export(env, path, op.backup_name)
                op.asset_id = asset_id
                op.extra["asset"] = Asset(
                    id=asset_id, project_id=op.project_id, name=op.backup_name,
                    file_name=f"{op.backup_name}.bacpac", description="", created=op.copy_at,
                    environment_id=env.id, size_bytes=path.stat().st_size, path=path)
            op.db_done = True
        except Exception as exc:  # a failed copy fails the operation, as it would in LCS
            log.exception("database work for operation %s failed", op.id)
            op.db_error = str(exc)
            op.fail = "completed"

    def _finalize(self, op: Operation, status: str) -> None:
        _project, env = self.env_by_id[op.environment_id]
        if (op.kind in ("refresh", "pitr") and status == "RollbackCompleted"
                and self.core.env_fault("database_offline", env.id) is None):
            # the rollback restored the target as it was: it accepts connections again
            self.databases.set_allowed(env, True, reason=f"refresh {op.id} rolled back")
        # RollbackFailed leaves a refresh target refusing connections: the environment is broken
        op.finalized = True
        self.record("operation_ended", env.name, operation=op.kind, operation_id=op.id, status=status)

    # -- the asset library ---------------------------------------------------------------------------------
    def project_assets(self, project_id: int) -> list[Asset]:
        """World backups plus the exports that have completed (visible from the moment they are)."""
        now = self.now()
        exported = [op.extra["asset"] for op in self.operations.values()
                    if op.project_id == project_id and "asset" in op.extra
                    and op.status(now) in ("Completed", "SignedOff")]
        return list(self.assets.get(project_id, [])) + exported

    def asset(self, asset_id: str) -> Asset | None:
        with self.core.lock:
            for project_id in self.assets:
                for asset in self.project_assets(project_id):
                    if asset.id == asset_id:
                        return asset
        return None

    # -- views -----------------------------------------------------------------------------------------------
    def history(self, project: Project, env: Environment) -> list[tuple]:
        """(started, type, name, status, ended, activity id), newest first: world rows, operations, and
        the servicing row of a ``busy`` fault."""
        now = self.now()
        rows = []
        for entry in env.history:
            rows.append((entry.started, entry.type, entry.name, entry.status, entry.ended,
                         str(uuid.uuid5(uuid.NAMESPACE_URL, f"history:{env.id}:{entry.started.isoformat()}"))))
        for op in self.operations.values():
            if op.environment_id == env.id:
                rows.append((op.created, op.history_type, op.name, op.status(now), op.completion_date(now),
                             op.id))
        if self.core.env_fault("busy", env.id) is not None:
            rows.append((now - dt.timedelta(minutes=30), "SFApplicationHotfix",
                         "Servicing (emulated busy environment)", "InProgress", None,
                         str(uuid.uuid5(uuid.NAMESPACE_URL, f"busy:{env.id}"))))
        rows.sort(key=lambda r: r[0], reverse=True)
        return rows

    def deployment_state(self, project: Project, env: Environment) -> str:
        """``DeploymentState``, "the state of the most recent operation" (lcs-api.md §5.1): the world's value
        (Finished by default) once every operation has ended; while one still holds the environment LCS's
        value is not documented, so the emulator reports InProgress [I]."""
        held = self.running_operation(env.id) is not None or any(
            row[3] in RUNNING for row in self.history(project, env))  # (started, type, name, status, ...)
        return "InProgress" if held else env.deployment_state

    @staticmethod
    def history_type_display(kind: str) -> str:
        return HISTORY_TYPES.get(kind, kind)

    def counters(self) -> dict:
        return {"operations_started": dict(self.operations_started)}

    def snapshot(self) -> dict:
        now = self.now()
        environments = []
        for project, env in self.world.environments():
            environments.append({
                "id": env.id, "name": env.name, "project_id": project.id, "type": env.type,
                "infrastructure": env.infrastructure, "location": env.location,
                "application_release": env.application_release, "platform_release": env.platform_release,
                **self.databases.describe(env),
                "busy": self.running_operation(env.id) is not None or self.core.env_fault("busy", env.id) is not None,
                "operation_starts_24h": len(self.starts_in_window(env)),
            })
        operations = [{
            "id": op.id, "kind": op.kind, "project_id": op.project_id,
            "environment": self.env_by_id[op.environment_id][1].name,
            "source_environment": self.env_by_id[op.source_environment_id][1].name,
            "status": op.status(now), "created": op.created.isoformat(),
            "started_at": op.started_at.isoformat(), "copy_at": op.copy_at.isoformat(),
            "completion_date": op.completion_date(now).isoformat() if op.completion_date(now) else None,
            "fail": op.fail, "db_error": op.db_error, "backup_name": op.backup_name,
        } for op in self.operations.values()]
        backups = [{"id": a.id, "project_id": a.project_id, "name": a.name, "file_name": a.file_name,
                    "created": a.created.isoformat()}
                   for project_id in self.assets for a in self.project_assets(project_id)]
        return {"environments": environments, "operations": operations, "backups": backups}


BACKEND = LcsBackend
