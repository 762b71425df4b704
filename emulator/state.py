"""The emulator's mutable state and the rules that span services (clock, operations, faults, counters).

One ``Emulator`` per server. Every mutation happens under ``self.lock``; slow database work runs
outside it (in ``tick``), so requests never wait for a database copy.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import secrets
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from . import formats
from .clock import VirtualClock
from .entra import TokenService, normalize_audience
from .faults import Fault, parse_fault
from .operations import HISTORY_TYPE, Operation
from .ratelimit import SlidingWindows
from .world import Environment, Project, World

log = logging.getLogger("emulator")


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


class Emulator:
    def __init__(self, world: World, state_dir: Path, databases=None):
        self.world = world
        self.state_dir = Path(state_dir)
        self.downloads_dir = self.state_dir / "downloads"
        self.downloads_dir.mkdir(parents=True, exist_ok=True)
        self.databases = databases
        self.lock = threading.RLock()
        self._db_work_lock = threading.Lock()
        self.clock = VirtualClock(world.start, world.speed)
        self.tokens = TokenService(world)
        self.windows = SlidingWindows()
        self.base_urls: set[str] = set()  # every base URL clients used: valid token audiences
        self._sas_key = secrets.token_bytes(32)
        self.env_by_id: dict[str, tuple[Project, Environment]] = {
            env.id: (project, env) for project, env in world.environments()}
        self.env_keys = {}
        for _project, env in world.environments():
            self.env_keys[env.id] = env.id
            self.env_keys[env.name.lower()] = env.id
            self.env_keys[formats.dashless(env.id)] = env.id
        self.reset(databases=False)

    # -- reset --------------------------------------------------------------------------------------
    def reset(self, databases: bool = True) -> None:
        with self.lock:
            self.clock.reset()
            self.tokens.reset()
            self.windows.reset()
            self.operations: dict[str, Operation] = {}
            self.faults: list[Fault] = []
            self.token_lifetime_override: int | None = None
            self.counters = {
                "requests": defaultdict(lambda: defaultdict(int)),
                "operations_started": defaultdict(int),
                "mutating_requests": defaultdict(int),
                "throttled": defaultdict(int),
                "faults_fired": defaultdict(int),
            }
            self.assets: dict[int, list[Asset]] = {}
            for project in self.world.projects:
                self.assets[project.id] = [
                    Asset(id=b.id, project_id=project.id, name=b.name, file_name=b.file_name,
                          description=b.description, created=b.created, environment_id=None,
                          size_bytes=b.size_bytes)
                    for b in project.backups]
        if self.databases is not None:
            with self._db_work_lock:
                if databases:
                    self.databases.reset()
                else:
                    # no operation or fault holds a database any more: reopen the ones they closed
                    for env_id, allowed in list(self.databases.allowed.items()):
                        if not allowed:
                            self.databases.set_allowed(self.env_by_id[env_id][1], True)

    def now(self) -> dt.datetime:
        return self.clock.now()

    # -- lookups ------------------------------------------------------------------------------------
    def project(self, project_id) -> Project | None:
        for project in self.world.projects:
            if str(project.id) == str(project_id):
                return project
        return None

    def environment(self, project: Project, key: str) -> Environment | None:
        env_id = formats.normalize_guid(key)
        for env in project.environments:
            if env.id == env_id or (env_id is None and env.name.lower() == (key or "").lower()):
                return env
        return None

    def environment_by_key(self, key: str) -> Environment | None:
        env_id = self.env_keys.get(str(key).lower()) or formats.normalize_guid(str(key))
        found = self.env_by_id.get(env_id or "")
        return found[1] if found else None

    # -- tokens -------------------------------------------------------------------------------------
    def token_lifetime(self) -> int:
        return self.token_lifetime_override or self.world.token_lifetime

    def lcs_audiences(self) -> set[str]:
        return {normalize_audience(url) for url in self.base_urls}

    # -- faults -------------------------------------------------------------------------------------
    def set_faults(self, raw_faults: list, replace: bool = True) -> None:
        parsed = [parse_fault(raw, i, self.env_keys) for i, raw in enumerate(raw_faults)]
        with self.lock:
            previous_offline = {f.spec["environment"] for f in self.faults if f.kind == "database_offline"}
            if replace:
                self.faults = []
            self.faults.extend(parsed)
            self.token_lifetime_override = None
            for fault in self.faults:
                if fault.kind == "token_lifetime":
                    self.token_lifetime_override = fault.spec["seconds"]
            offline = {f.spec["environment"] for f in self.faults if f.kind == "database_offline"}
        if self.databases is not None:
            for env_id in offline - previous_offline:
                self.databases.set_allowed(self.env_by_id[env_id][1], False)
            for env_id in previous_offline - offline:
                if not self._refresh_holds_database(env_id):
                    self.databases.set_allowed(self.env_by_id[env_id][1], True)

    def _refresh_holds_database(self, env_id: str) -> bool:
        now = self.now()
        return any(op.kind == "refresh" and op.environment_id == env_id and op.db_started and not op.finalized
                   and op.is_running(now) for op in self.operations.values())

    def env_fault(self, kind: str, env_id: str) -> Fault | None:
        for fault in self.faults:
            if fault.kind == kind and fault.spec.get("environment") == env_id and (
                    fault.remaining is None or fault.remaining > 0):
                return fault
        return None

    def http_fault(self, method: str, path: str) -> list[Fault]:
        """Faults that fire for this request (consumes their counts)."""
        fired = []
        with self.lock:
            for fault in self.faults:
                if fault.matches_request(method, path) and fault.take():
                    fired.append(fault)
                    self.counters["faults_fired"][fault.kind] += 1
        return fired

    # -- counters -----------------------------------------------------------------------------------
    def count_request(self, route: str, status: int) -> None:
        with self.lock:
            self.counters["requests"][route][str(status)] += 1
            if status == 429:
                self.counters["throttled"][route] += 1

    def counters_snapshot(self) -> dict:
        with self.lock:
            c = self.counters
            return {
                "requests": {route: dict(statuses) for route, statuses in c["requests"].items()},
                "tokens_issued": dict(self.tokens.issued),
                "operations_started": dict(c["operations_started"]),
                "mutating_requests": dict(c["mutating_requests"]),
                "throttled": {"total": sum(c["throttled"].values()), **c["throttled"]},
                "faults_fired": dict(c["faults_fired"]),
            }

    # -- operations ---------------------------------------------------------------------------------
    def running_operation(self, env_id: str) -> Operation | None:
        now = self.now()
        for op in self.operations.values():
            if op.environment_id == env_id and op.is_running(now):
                return op
        return None

    def starts_in_window(self, env: Environment) -> list[dt.datetime]:
        now = self.now()
        since = now - dt.timedelta(hours=24)
        starts = [op.created for op in self.operations.values() if op.environment_id == env.id]
        starts += [h.started for h in env.history if h.via_api and h.type in HISTORY_TYPE.values()]
        return sorted(s for s in starts if since < s <= now)

    def start_operation(self, op: Operation) -> None:
        """Record a started operation; the target of a refresh stops accepting connections at once."""
        failure = self.env_fault("operation_failure", op.environment_id)
        if failure and failure.spec["operation"] in ("any", op.kind):
            op.fail = failure.spec["rollback"]
            failure.remaining -= 1
            failure.fired += 1
            self.counters["faults_fired"]["operation_failure"] += 1
        self.operations[op.id] = op
        self.counters["operations_started"][self.env_by_id[op.environment_id][1].name] += 1
        if op.kind == "refresh" and self.databases is not None:
            self.databases.set_allowed(self.env_by_id[op.environment_id][1], False)
        op.db_started = True

    def tick(self, blocking: bool = True) -> None:
        """Carry out database work and end-of-operation effects that virtual time has made due.

        Non-blocking callers (request handlers) skip it while another thread does database work."""
        if not self._db_work_lock.acquire(blocking=blocking):
            return
        try:
            with self.lock:
                now = self.now()
                due = [op for op in self.operations.values() if op.needs_copy(now)]
            for op in due:
                self._copy_point(op)
            with self.lock:
                now = self.now()
                ending = [op for op in self.operations.values()
                          if not op.finalized and op.status(now) in ("Completed", "SignedOff", "RollbackCompleted",
                                                                     "RollbackFailed")]
            for op in ending:
                self._finalize(op, op.status(now))
        finally:
            self._db_work_lock.release()

    def _copy_point(self, op: Operation) -> None:
        _project, env = self.env_by_id[op.environment_id]
        try:
            if op.kind == "refresh" and self.databases is not None:
                source = self.env_by_id[op.source_environment_id][1]
                self.databases.refresh(source, env)
            elif op.kind == "export":
                asset_id = formats.new_guid()
                path = self.downloads_dir / f"{asset_id}.bacpac"
                if self.databases is not None:
                    self.databases.export(env, path, op.backup_name)
                else:
                    from .databases import write_bacpac

                    write_bacpac(path, op.backup_name, env, f"-- no database for {env.name}\n".encode())
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
        if (op.kind == "refresh" and status == "RollbackCompleted" and self.databases is not None
                and self.env_fault("database_offline", env.id) is None):
            # the rollback restored the target as it was: it accepts connections again
            self.databases.set_allowed(env, True)
        # RollbackFailed leaves a refresh target refusing connections: the environment is broken
        op.finalized = True

    # -- downloads ----------------------------------------------------------------------------------
    def sas_signature(self, asset_id: str, expiry: str) -> str:
        message = f"{asset_id}\n{expiry}\nr".encode()
        return base64.b64encode(hmac.new(self._sas_key, message, hashlib.sha256).digest()).decode("ascii")

    def project_assets(self, project_id: int) -> list[Asset]:
        """World backups plus the exports that have completed (visible from the moment they are)."""
        now = self.now()
        exported = [op.extra["asset"] for op in self.operations.values()
                    if op.project_id == project_id and "asset" in op.extra
                    and op.status(now) in ("Completed", "SignedOff")]
        return list(self.assets.get(project_id, [])) + exported

    def asset(self, asset_id: str) -> Asset | None:
        with self.lock:
            for project_id in self.assets:
                for asset in self.project_assets(project_id):
                    if asset.id == asset_id:
                        return asset
        return None

    def asset_file(self, asset: Asset) -> Path:
        if asset.path is None or not asset.path.exists():
            from .databases import write_bacpac

            path = self.downloads_dir / f"{asset.id}.bacpac"
            if not path.exists():
                env = next(iter(self.env_by_id.values()))[1]
                filler = (f"-- backup {asset.name} declared by the world file\n" * 64).encode()
                write_bacpac(path, asset.name, env, filler)
            asset.path = path
            asset.size_bytes = path.stat().st_size
        return asset.path

    # -- state --------------------------------------------------------------------------------------
    def snapshot(self) -> dict:
        with self.lock:
            now = self.now()
            environments = []
            for project, env in self.world.environments():
                entry = {
                    "id": env.id, "name": env.name, "project_id": project.id, "type": env.type,
                    "infrastructure": env.infrastructure, "location": env.location,
                    "application_release": env.application_release, "platform_release": env.platform_release,
                    "database": None, "odbc_connection_string": None, "connections_allowed": None,
                    "busy": self.running_operation(env.id) is not None or self.env_fault("busy", env.id) is not None,
                    "operation_starts_24h": len(self.starts_in_window(env)),
                }
                if self.databases is not None:
                    entry["database"] = self.databases.database_name(env)
                    entry["odbc_connection_string"] = self.databases.odbc_connection_string(env)
                    entry["connections_allowed"] = self.databases.allowed.get(env.id)
                environments.append(entry)
            operations = [{
                "id": op.id, "kind": op.kind, "project_id": op.project_id,
                "environment": self.env_by_id[op.environment_id][1].name,
                "source_environment": self.env_by_id[op.source_environment_id][1].name,
                "status": op.status(now), "created": op.created.isoformat(),
                "started_at": op.started_at.isoformat(), "copy_at": op.copy_at.isoformat(),
                "completion_date": op.completion_date(now).isoformat() if op.completion_date(now) else None,
                "fail": op.fail, "db_error": op.db_error, "backup_name": op.backup_name,
            } for op in self.operations.values()]
            return {
                "world": self.world.source,
                "clock": {"now": now.isoformat(), "speed": self.clock.speed},
                "databases": self.databases is not None,
                "environments": environments,
                "operations": operations,
                "backups": [{"id": a.id, "project_id": a.project_id, "name": a.name, "file_name": a.file_name,
                             "created": a.created.isoformat()}
                            for project_id in self.assets for a in self.project_assets(project_id)],
                "faults": [f.describe() for f in self.faults],
            }
