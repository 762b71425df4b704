"""The ``power_platform`` section of a world file: Power Platform environments (unified F&O + Dataverse,
LCS-linked Dataverse, LCS initial environments without Dataverse), who may call the APIs, capacity.

Validated as strictly as the rest of the world (unknown keys are errors, messages name the key path).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from ...world import (
    Database,
    _bool,
    _fail,
    _guid,
    _int,
    _list,
    _mapping,
    _number,
    _seconds_ago_or_datetime,
    _str,
    _unique,
)

PP_TYPES = ("Production", "Sandbox", "Developer", "Default", "Trial", "Teams")
FIN_OPS_KINDS = ("unified", "lcs")
# power-platform.md §1.5: retention of system and manual backups, in days, by environment type
RETENTION_DAYS = {"Sandbox": 7, "Developer": 7, "Teams": 7, "Default": 7, "Trial": 0}
PRODUCTION_RETENTION_DAYS = {True: 28, False: 7}  # with / without Dynamics 365 apps
DATAVERSE_TABLES = ("msdyn_dualwriteruntimeconfigs", "solutions", "mserp_financeandoperationsentities",
                    "serviceendpoints", "workflows", "sdkmessageprocessingsteps",
                    "connectionreferences")  # hook (issue 17): connection references of solution flows
_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_DB_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


@dataclass
class PpBackup:
    id: str
    label: str
    backup_point: dt.datetime
    created_by: str  # a username or an app client id


@dataclass
class PpHistoryOperation:
    id: str
    name: str
    status: str | None  # None: on the clock (InProgress until started + run_seconds, then Succeeded/Failed)
    started: dt.datetime
    ended: dt.datetime | None
    run_seconds: int = 0
    fail: bool = False


@dataclass
class Dataverse:
    organization_id: str
    domain: str
    version: str
    application_users: list[str]  # client ids of application users holding System Administrator
    tables: dict[str, list[dict]]  # initial rows per entity set


@dataclass
class FinOps:
    kind: str  # unified | lcs
    id: str  # unified: the F&O environment (app) id; lcs: the LCS environment id
    url: str
    version: str
    lcs_environment: str | None  # lcs: the LCS environment's name in projects
    aos_count: int
    batch_aos_count: int


@dataclass
class PpDurations:
    """Virtual seconds of a Power Platform lifecycle operation's phases (restore/copy build on these)."""

    queue: int = 60
    run: int = 3600


@dataclass
class PpEnvironment:
    id: str
    name: str
    type: str
    state: str
    azure_region: str
    geo: str
    dynamics365_apps: bool
    managed: bool
    admin_mode: bool
    background_operations: bool
    created: dt.datetime
    retention_days: int
    dataverse: Dataverse | None
    fin_ops: FinOps | None
    backups: list[PpBackup]
    operations: list[PpHistoryOperation]
    durations: PpDurations
    database: Database | None = None  # the F&O database of a unified environment (PostgreSQL)
    row_history: bool = True  # its database records row history (data through time)

    @property
    def unified(self) -> bool:
        return self.fin_ops is not None and self.fin_ops.kind == "unified"

    @property
    def deployment_type(self) -> str:
        """FinOpsDeploymentCategory (pp-api-sdk.md §3)."""
        if self.fin_ops is None:
            return "Unknown"
        if self.fin_ops.kind == "lcs":
            return "LCSProduction" if self.type == "Production" else "LCSSandbox"
        return {"Production": "UnifiedProduction", "Sandbox": "UnifiedSandbox",
                "Developer": "UnifiedDeveloper", "Trial": "Trial"}.get(self.type, "Unknown")


@dataclass
class PowerPlatformWorld:
    tenant: str
    admin_applications: list[str]
    contributors: list[str]
    admins: list[str]
    free_capacity_gb: float
    environments_page_size: int
    backups_page_size: int
    operations_page_size: int
    requests_per_minute: int
    manual_backup_restorable_after_seconds: int
    finops_versions: list[dict]
    environments: list[PpEnvironment] = field(default_factory=list)
    # how a restore/copy 202 announces its operation (services/pplifecycle): location, operation_location,
    # operation_url (body only) or none
    operation_announcement: str = "location"

    def environment(self, key: str) -> PpEnvironment | None:
        key = (key or "").lower()
        for env in self.environments:
            if key in (env.id, env.name.lower()) or (env.dataverse and key == env.dataverse.domain):
                return env
        return None


_ROOT_KEYS = {"tenant", "admin_applications", "contributors", "admins", "free_capacity_gb",
              "environments_page_size", "backups_page_size", "operations_page_size", "requests_per_minute",
              "manual_backup_restorable_after_seconds", "finops_versions", "environments",
              "operation_announcement"}


def parse_power_platform(raw: Any, path: str, world, anchor: dt.datetime) -> PowerPlatformWorld:
    data = _mapping(raw, path, _ROOT_KEYS, {"tenant", "environments"})
    tenant = world.tenant_by_key(_str(data["tenant"], f"{path}.tenant"))
    if tenant is None:
        _fail(f"{path}.tenant", "names no tenant declared under tenants (use its id or domain)")
    apps = {a.client_id for a in tenant.apps}
    users = {u.username.lower() for u in tenant.users}
    pp = PowerPlatformWorld(
        tenant=tenant.id,
        admin_applications=_client_ids(data.get("admin_applications"), f"{path}.admin_applications", apps),
        contributors=_client_ids(data.get("contributors"), f"{path}.contributors", apps),
        admins=[_member(u, f"{path}.admins[{i}]", users)
                for i, u in enumerate(_list(data.get("admins"), f"{path}.admins"))],
        free_capacity_gb=_capacity(data.get("free_capacity_gb", 10), f"{path}.free_capacity_gb"),
        environments_page_size=_int(data.get("environments_page_size", 50), f"{path}.environments_page_size", 1),
        backups_page_size=_int(data.get("backups_page_size", 10), f"{path}.backups_page_size", 1),
        operations_page_size=_int(data.get("operations_page_size", 20), f"{path}.operations_page_size", 1),
        requests_per_minute=_int(data.get("requests_per_minute", 100), f"{path}.requests_per_minute", 1),
        manual_backup_restorable_after_seconds=_int(data.get("manual_backup_restorable_after_seconds", 900),
                                                    f"{path}.manual_backup_restorable_after_seconds"),
        finops_versions=_versions(data.get("finops_versions"), f"{path}.finops_versions"),
        operation_announcement=_str(data.get("operation_announcement", "location"), f"{path}.operation_announcement",
                                    choices=("location", "operation_location", "operation_url", "none")),
    )
    lcs_names = {env.name: env for _project, env in world.environments()}
    for i, item in enumerate(_list(data["environments"], f"{path}.environments")):
        pp.environments.append(_environment(item, f"{path}.environments[{i}]", anchor, apps, lcs_names))
    _unique([e.id for e in pp.environments], f"{path}.environments", "environment id")
    _unique([e.name.lower() for e in pp.environments], f"{path}.environments", "environment name")
    _unique([e.dataverse.domain for e in pp.environments if e.dataverse], f"{path}.environments",
            "Dataverse domain")
    return pp


def _capacity(raw, path: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw < 0:
        _fail(path, "must be a number of GB >= 0")
    return float(raw)


def _client_ids(raw, path: str, apps: set[str]) -> list[str]:
    ids = []
    for i, item in enumerate(_list(raw, path)):
        client_id = _guid(item, f"{path}[{i}]")
        if client_id not in apps:
            _fail(f"{path}[{i}]", "is not the client_id of an app of the Power Platform tenant")
        ids.append(client_id)
    return ids


def _member(raw, path: str, users: set[str]) -> str:
    username = _str(raw, path)
    if username.lower() not in users:
        _fail(path, "is not a user of the Power Platform tenant")
    return username.lower()


def _versions(raw, path: str) -> list[dict]:
    if raw is None:
        return [{"version": "10.0.45.3", "releaseStage": "GeneralAvailability"},
                {"version": "10.0.46.1", "releaseStage": "Preview"}]
    versions = []
    for i, item in enumerate(_list(raw, path)):
        v = _mapping(item, f"{path}[{i}]", {"version", "release_stage"}, {"version"})
        versions.append({"version": _str(v["version"], f"{path}[{i}].version"),
                         "releaseStage": _str(v.get("release_stage", "GeneralAvailability"),
                                              f"{path}[{i}].release_stage")})
    return versions


_ENV_KEYS = {"id", "name", "type", "state", "azure_region", "geo", "dynamics365_apps", "managed", "admin_mode",
             "background_operations", "created", "retention_days", "dataverse", "fin_ops", "backups", "operations",
             "durations"}


def _environment(raw, path: str, anchor, apps: set[str], lcs_names: dict) -> PpEnvironment:
    data = _mapping(raw, path, _ENV_KEYS, {"id", "name", "type"})
    env_type = _str(data["type"], f"{path}.type", choices=PP_TYPES)
    d365 = _bool(data.get("dynamics365_apps", True), f"{path}.dynamics365_apps")
    default_retention = PRODUCTION_RETENTION_DAYS[d365] if env_type == "Production" else RETENTION_DAYS[env_type]
    env = PpEnvironment(
        id=_guid(data["id"], f"{path}.id"),
        name=_str(data["name"], f"{path}.name"),
        type=env_type,
        state=_str(data.get("state", "Ready"), f"{path}.state"),
        azure_region=_str(data.get("azure_region", "westeurope"), f"{path}.azure_region"),
        geo=_str(data.get("geo", "europe"), f"{path}.geo"),
        dynamics365_apps=d365,
        managed=_bool(data.get("managed", True), f"{path}.managed"),
        admin_mode=_bool(data.get("admin_mode", False), f"{path}.admin_mode"),
        background_operations=_bool(data.get("background_operations", True), f"{path}.background_operations"),
        created=_seconds_ago_or_datetime(data.get("created", -365 * 86400), f"{path}.created", anchor),
        retention_days=_int(data.get("retention_days", default_retention), f"{path}.retention_days"),
        dataverse=_dataverse(data.get("dataverse"), f"{path}.dataverse", apps),
        fin_ops=None,
        backups=[],
        operations=[],
        durations=PpDurations(**{k: _int(v, f"{path}.durations.{k}") for k, v in _mapping(
            data.get("durations") or {}, f"{path}.durations", set(PpDurations.__dataclass_fields__)).items()}),
    )
    if data.get("fin_ops") is not None:
        env.fin_ops, env.database = _fin_ops(data["fin_ops"], f"{path}.fin_ops", env, lcs_names)
    for i, item in enumerate(_list(data.get("backups"), f"{path}.backups")):
        env.backups.append(_backup(item, f"{path}.backups[{i}]", env, anchor))
    for i, item in enumerate(_list(data.get("operations"), f"{path}.operations")):
        env.operations.append(_history_operation(item, f"{path}.operations[{i}]", env, anchor))
    return env


def _dataverse(raw, path: str, apps: set[str]) -> Dataverse | None:
    if raw is None:
        return None  # an LCS initial environment: no Dataverse (power-platform.md §5)
    data = _mapping(raw, path, {"organization_id", "domain", "version", "application_users", "tables"}, {"domain"})
    domain = _str(data["domain"], f"{path}.domain", pattern=_DOMAIN)
    tables = _mapping(data.get("tables") or {}, f"{path}.tables", set(DATAVERSE_TABLES))
    return Dataverse(
        organization_id=_guid(data["organization_id"], f"{path}.organization_id") if "organization_id" in data
        else str(uuid.uuid5(uuid.NAMESPACE_URL, f"dataverse:{domain}")),
        domain=domain,
        version=_str(data.get("version", "9.2.26021.00170"), f"{path}.version"),
        application_users=_client_ids(data.get("application_users"), f"{path}.application_users", apps),
        tables={name: [_mapping(row, f"{path}.tables.{name}[{i}]", set(row) if isinstance(row, dict) else set())
                       for i, row in enumerate(_list(tables.get(name), f"{path}.tables.{name}"))]
                for name in DATAVERSE_TABLES},
    )


def _fin_ops(raw, path: str, env: PpEnvironment, lcs_names: dict) -> tuple[FinOps, Database | None]:
    data = _mapping(raw, path, {"kind", "id", "url", "version", "lcs_environment", "database", "aos_count",
                                "batch_aos_count"}, {"kind"})
    kind = _str(data["kind"], f"{path}.kind", choices=FIN_OPS_KINDS)
    database = None
    if kind == "lcs":
        name = _str(data.get("lcs_environment", ""), f"{path}.lcs_environment")
        lcs_env = lcs_names.get(name)
        if lcs_env is None:
            _fail(f"{path}.lcs_environment", "names no LCS environment declared under projects")
        if "database" in data or "id" in data:
            _fail(f"{path}.{'database' if 'database' in data else 'id'}",
                  "belongs to unified environments (an LCS environment's database and id are the LCS ones)")
        fin_ops_id, url, lcs_name = lcs_env.id, lcs_env.url, name
    else:
        if "lcs_environment" in data:
            _fail(f"{path}.lcs_environment", "belongs to kind lcs")
        fin_ops_id = _guid(data["id"], f"{path}.id") if "id" in data else str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"finops:{env.id}"))
        slug = re.sub(r"[^a-z0-9]+", "-", env.name.lower()).strip("-")
        url = _str(data.get("url", f"https://{slug}.operations.eu.dynamics.com/"), f"{path}.url")
        lcs_name = None
        db_raw = _mapping(data.get("database") or {}, f"{path}.database", {"name", "size_gb", "scale", "seed"})
        database = Database(
            name=_str(db_raw.get("name", re.sub(r"[^a-z0-9_]", "_", slug)), f"{path}.database.name",
                      pattern=_DB_NAME),
            size_gb=_number(db_raw.get("size_gb", 25), f"{path}.database.size_gb"),
            scale=_int(db_raw.get("scale", 1), f"{path}.database.scale", 1),
            seed=_int(db_raw.get("seed", 0), f"{path}.database.seed", 0))
    fin_ops = FinOps(kind=kind, id=fin_ops_id, url=url, lcs_environment=lcs_name,
                     version=_str(data.get("version", "10.0.45.3"), f"{path}.version"),
                     aos_count=_int(data.get("aos_count", 2), f"{path}.aos_count"),
                     batch_aos_count=_int(data.get("batch_aos_count", 1), f"{path}.batch_aos_count"))
    return fin_ops, database


def _backup(raw, path: str, env: PpEnvironment, anchor) -> PpBackup:
    data = _mapping(raw, path, {"id", "label", "backup_point", "created_by"}, {"label", "backup_point"})
    label = _str(data["label"], f"{path}.label")
    point = _seconds_ago_or_datetime(data["backup_point"], f"{path}.backup_point", anchor)
    if "id" in data:
        backup_id = _guid(data["id"], f"{path}.id")
    else:
        backup_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"ppbackup:{env.id}:{label}:{point.isoformat()}"))
    created_by = _str(data.get("created_by", "admin"), f"{path}.created_by")
    return PpBackup(id=backup_id, label=label, backup_point=point, created_by=created_by)


_OPERATION_STATUSES = ("Queued", "InProgress", "Succeeded", "ValidationFailed", "Failed", "NoOperation",
                       "ValidationPassed")


def _history_operation(raw, path: str, env: PpEnvironment, anchor) -> PpHistoryOperation:
    data = _mapping(raw, path, {"id", "name", "status", "started", "ended", "run_seconds", "fail"},
                    {"name", "started"})
    started = _seconds_ago_or_datetime(data["started"], f"{path}.started", anchor)
    if ("status" in data) == ("run_seconds" in data):
        _fail(path, "needs either status (a finished operation) or run_seconds (one that runs on the clock)")
    return PpHistoryOperation(
        id=_guid(data["id"], f"{path}.id") if "id" in data
        else str(uuid.uuid5(uuid.NAMESPACE_URL, f"ppop:{env.id}:{started.isoformat()}")),
        name=_str(data["name"], f"{path}.name"),
        status=_str(data["status"], f"{path}.status", choices=_OPERATION_STATUSES) if "status" in data else None,
        started=started,
        ended=_seconds_ago_or_datetime(data["ended"], f"{path}.ended", anchor) if data.get("ended") is not None
        else None,
        run_seconds=_int(data.get("run_seconds", 0), f"{path}.run_seconds"),
        fail=_bool(data.get("fail", False), f"{path}.fail"))
