"""The world file: a YAML description of tenants, apps, users, LCS projects and environments.

``load_world(path)`` parses and validates it and returns plain dataclasses. Validation is strict
(unknown keys are errors, so a typo never silently falls back to a default) and every error names the
offending key path, e.g. ``projects[0].environments[2].type: must be one of Production, Sandbox, DevTestDev``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ENVIRONMENT_TYPES = ("Production", "Sandbox", "DevTestDev")
INFRASTRUCTURES = ("MicrosoftManaged", "SelfService", "CustomerManaged")
MEMBER_ROLES = ("ProjectOwner", "EnvironmentAdministrator", "EnvironmentManager", "TeamMember", "Operations")
HISTORY_STATUSES = (
    "NotStarted", "InProgress", "Completed", "Failed", "SignedOff", "Aborted",
    "RollbackInProgress", "RollbackFailed", "RollbackCompleted",
)
# LCS API host per project geography (lcs-api.md §1.6).
REGION_HOSTS = {
    "United States": "https://lcsapi.lcs.dynamics.com",
    "Europe": "https://lcsapi.eu.lcs.dynamics.com",
    "France": "https://lcsapi.fr.lcs.dynamics.com",
    "Norway": "https://lcsapi.no.lcs.dynamics.com",
    "South Africa": "https://lcsapi.sa.lcs.dynamics.com",
    "Switzerland": "https://lcsapi.ch.lcs.dynamics.com",
    "United Arab Emirates": "https://lcsapi.uae.lcs.dynamics.com",
    "China": "https://lcsapi.lcs.dynamics.cn",
    "US Government": "https://lcsapi.gov.lcs.microsoftdynamics.us",
}
HISTORY_TYPES = {
    "SFSourceDbToSandbox": "Refresh database",
    "SFExportSandboxDb": "Export database",
    "SFApplicationHotfix": "Application deployable package",
    "ApplicationHotfix": "Application deployable package",
    "SFBinaryHotfix": "Binary hotfix",
    "InstallAddin": "Install addin",
}


class WorldError(ValueError):
    """A world file is invalid; the message starts with the key path."""


@dataclass
class User:
    username: str
    password: str
    display_name: str
    mfa: bool
    federated: bool
    object_id: str


@dataclass
class App:
    name: str
    client_id: str
    public_client: bool
    secret: str | None


@dataclass
class Tenant:
    id: str
    domain: str
    users: list[User]
    apps: list[App]


@dataclass
class Durations:
    """Virtual seconds of each phase of a database operation on this environment."""

    queue: int = 60
    refresh: int = 7200
    export: int = 3600
    failed_hold: int = 300
    rollback: int = 1800
    signoff: int | None = None


@dataclass
class Database:
    name: str
    size_gb: float
    scale: int
    seed: int
    # What the environment's data uses (emulator/fodb/seed.py FEATURES); None = all of them.
    features: tuple | None = None


@dataclass
class HistoryEntry:
    type: str
    name: str
    status: str
    started: dt.datetime
    ended: dt.datetime | None
    via_api: bool


@dataclass
class Environment:
    id: str
    name: str
    type: str
    infrastructure: str
    location: str
    disaster_recovery_location: str
    application_release: str
    application_build: str
    platform_release: str
    platform_version: str
    deployment_state: str
    deployment_status: str
    deployed_on: dt.datetime
    url: str
    topology: str
    database: Database
    durations: Durations
    history: list[HistoryEntry]
    # the environment administrator's sign-in name: an LCS refresh resets Admin to it (fodb/identity.py)
    administrator: str = ""
    # its database records row history, so a portal-started point-in-time restore can rewind it (pairs)
    row_history: bool = False

    @property
    def is_tier1(self) -> bool:
        return self.type == "DevTestDev"


@dataclass
class Member:
    username: str
    role: str
    invitation_accepted: bool


@dataclass
class Backup:
    id: str
    name: str
    file_name: str
    description: str
    created: dt.datetime
    size_bytes: int


@dataclass
class Project:
    id: int
    name: str
    region: str
    tenant: str
    organization_id: int
    members: list[Member]
    environments: list[Environment]
    backups: list[Backup]

    @property
    def api_host(self) -> str:
        return REGION_HOSTS[self.region]


# the lcs settings that are switches (the others are counts)
_BOOLEAN_LCS_SETTINGS = ("dbmovementapi_survives_refresh", "rate_limits_in_real_time")


@dataclass
class LcsSettings:
    metadata_page_size: int = 5
    history_page_size: int = 10
    operations_per_24h: int = 3
    metadata_per_project_per_minute: int = 6
    history_per_environment_per_30s: int = 6
    history_per_project_per_minute: int = 6
    sas_lifetime_seconds: int = 86400
    # undocumented: whether an LCS refresh spares the DBMovementAPI user as a Power Platform copy does
    dbmovementapi_survives_refresh: bool = False
    # the §4.1 windows in real seconds while operations run in virtual time (a fast clock meets the real
    # per-project limits: the fleet benchmark)
    rate_limits_in_real_time: bool = False


@dataclass
class World:
    start: dt.datetime | None
    speed: float
    token_lifetime: int
    refresh_token_lifetime: int
    lcs: LcsSettings
    tenants: list[Tenant]
    projects: list[Project]
    source: str = ""
    # the Power Platform part (emulator/services/powerplatform/world.py), None when the file has none
    power_platform: Any = None

    def tenant_by_key(self, key: str) -> Tenant | None:
        key = key.lower()
        for tenant in self.tenants:
            if key in (tenant.id.lower(), tenant.domain.lower()):
                return tenant
        return None

    def environments(self):
        for project in self.projects:
            for env in project.environments:
                yield project, env

    def database_owners(self) -> list:
        """Everything that has an F&O database: LCS environments, then unified Power Platform ones."""
        owners = [env for _project, env in self.environments()]
        if self.power_platform is not None:
            owners += [env for env in self.power_platform.environments if env.database is not None]
        return owners


# ---------------------------------------------------------------------------------------------------
# validation helpers: each takes the value and its key path and returns the converted value

_GUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


def _fail(path: str, message: str):
    raise WorldError(f"{path}: {message}")


def _mapping(value: Any, path: str, allowed: set[str], required: set[str] = frozenset()) -> dict:
    if not isinstance(value, dict):
        _fail(path or "<root>", "must be a mapping")
    for key in value:
        if key not in allowed:
            _fail(f"{path}.{key}" if path else str(key), f"unknown key (allowed: {', '.join(sorted(allowed))})")
    for key in sorted(required):
        if key not in value:
            _fail(f"{path}.{key}" if path else key, "is required")
    return value


def _list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(path, "must be a list")
    return value


def _str(value: Any, path: str, *, pattern: re.Pattern | None = None, choices=None, empty=False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        _fail(path, "must be a non-empty string")
    if choices is not None and value not in choices:
        _fail(path, f"must be one of {', '.join(choices)}")
    if pattern is not None and not pattern.match(value):
        _fail(path, f"does not match {pattern.pattern}")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        _fail(path, "must be true or false")
    return value


def _features(value: Any, path: str) -> tuple | None:
    """The seed features an environment's database uses (all when the key is absent)."""
    if value is None:
        return None
    from emulator.fodb.seed import FEATURES

    features = tuple(str(item) for item in _list(value, path))
    unknown = sorted(set(features) - set(FEATURES))
    if unknown:
        raise WorldError(f"{path}: unknown features {unknown}; choose from {', '.join(FEATURES)}")
    return features


def _int(value: Any, path: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        _fail(path, f"must be an integer >= {minimum}")
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        _fail(path, "must be a positive number")
    return float(value)


def _guid(value: Any, path: str) -> str:
    text = _str(value, path, pattern=_GUID)
    return str(uuid.UUID(text))


def _datetime(value: Any, path: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            _fail(path, "must be an ISO 8601 date-time, e.g. 2026-03-02T08:00:00Z")
    else:
        _fail(path, "must be an ISO 8601 date-time, e.g. 2026-03-02T08:00:00Z")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _seconds_ago_or_datetime(value: Any, path: str, anchor: dt.datetime) -> dt.datetime:
    """History and backups may say ``-3600`` (seconds before the clock start) or a date-time."""
    if isinstance(value, int) and not isinstance(value, bool):
        return anchor + dt.timedelta(seconds=value)
    return _datetime(value, path)


# ---------------------------------------------------------------------------------------------------


def load_world(path: str | Path) -> World:
    text = Path(path).read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise WorldError(f"<root>: not valid YAML: {exc}") from exc
    world = parse_world(raw)
    world.source = str(path)
    return world


def parse_world(raw: Any) -> World:
    root = _mapping(raw, "", {"clock", "tokens", "lcs", "tenants", "projects", "power_platform"},
                    {"tenants", "projects"})
    clock = _mapping(root.get("clock") or {}, "clock", {"start", "speed"})
    start = _datetime(clock["start"], "clock.start") if "start" in clock else None
    speed = _number(clock.get("speed", 1), "clock.speed")
    # history and backups given as offsets are relative to the clock start (or now)
    anchor = start or dt.datetime.now(dt.UTC)

    tokens = _mapping(root.get("tokens") or {}, "tokens", {"lifetime_seconds", "refresh_token_lifetime_seconds"})
    lifetime = _int(tokens.get("lifetime_seconds", 3600), "tokens.lifetime_seconds", 1)
    refresh_lifetime = _int(tokens.get("refresh_token_lifetime_seconds", 90 * 86400),
                            "tokens.refresh_token_lifetime_seconds", 1)

    lcs_raw = _mapping(root.get("lcs") or {}, "lcs", set(LcsSettings.__dataclass_fields__))
    lcs = LcsSettings(**{key: _bool(value, f"lcs.{key}") if key in _BOOLEAN_LCS_SETTINGS
                         else _int(value, f"lcs.{key}", 1) for key, value in lcs_raw.items()})

    tenants = [_parse_tenant(item, f"tenants[{i}]") for i, item in enumerate(_list(root["tenants"], "tenants"))]
    if not tenants:
        _fail("tenants", "must declare at least one tenant")
    world = World(start=start, speed=speed, token_lifetime=lifetime, refresh_token_lifetime=refresh_lifetime,
                  lcs=lcs, tenants=tenants, projects=[])
    _unique([t.id for t in tenants] + [t.domain.lower() for t in tenants], "tenants", "tenant id or domain")
    _unique([a.client_id for t in tenants for a in t.apps], "tenants", "app client_id")
    _unique([u.username.lower() for t in tenants for u in t.users], "tenants", "username")

    projects = _list(root["projects"], "projects")
    for i, item in enumerate(projects):
        world.projects.append(_parse_project(item, f"projects[{i}]", world, anchor))
    _unique([str(p.id) for p in world.projects], "projects", "project id")
    _unique([e.id for _project, e in world.environments()], "projects", "environment id")
    if root.get("power_platform") is not None:
        from .services.powerplatform.world import parse_power_platform

        world.power_platform = parse_power_platform(root["power_platform"], "power_platform", world, anchor)
    _unique([e.database.name for e in world.database_owners()], "projects", "database name")
    return world


def _unique(values: list[str], path: str, what: str) -> None:
    seen = set()
    for value in values:
        if value in seen:
            _fail(path, f"duplicate {what} {value!r}")
        seen.add(value)


def _parse_tenant(raw: Any, path: str) -> Tenant:
    data = _mapping(raw, path, {"id", "domain", "users", "apps"}, {"id", "domain"})
    users = []
    for i, item in enumerate(_list(data.get("users"), f"{path}.users")):
        upath = f"{path}.users[{i}]"
        u = _mapping(item, upath, {"username", "password", "display_name", "mfa", "federated", "object_id"},
                     {"username"})
        username = _str(u["username"], f"{upath}.username")
        users.append(User(
            username=username,
            password=_str(u.get("password", ""), f"{upath}.password", empty=True),
            display_name=_str(u.get("display_name", username.split("@")[0]), f"{upath}.display_name"),
            mfa=_bool(u.get("mfa", False), f"{upath}.mfa"),
            federated=_bool(u.get("federated", False), f"{upath}.federated"),
            object_id=_guid(u["object_id"], f"{upath}.object_id") if "object_id" in u
            else str(uuid.uuid5(uuid.NAMESPACE_URL, "user:" + username.lower())),
        ))
    apps = []
    for i, item in enumerate(_list(data.get("apps"), f"{path}.apps")):
        apath = f"{path}.apps[{i}]"
        a = _mapping(item, apath, {"name", "client_id", "public_client", "secret"}, {"name", "client_id"})
        apps.append(App(
            name=_str(a["name"], f"{apath}.name"),
            client_id=_guid(a["client_id"], f"{apath}.client_id"),
            public_client=_bool(a.get("public_client", True), f"{apath}.public_client"),
            secret=_str(a["secret"], f"{apath}.secret") if a.get("secret") is not None else None,
        ))
    return Tenant(id=_guid(data["id"], f"{path}.id"), domain=_str(data["domain"], f"{path}.domain"),
                  users=users, apps=apps)


def _parse_project(raw: Any, path: str, world: World, anchor: dt.datetime) -> Project:
    data = _mapping(raw, path, {"id", "name", "region", "tenant", "organization_id", "members",
                                "environments", "backups"}, {"id", "tenant"})
    tenant = world.tenant_by_key(_str(data["tenant"], f"{path}.tenant"))
    if tenant is None:
        _fail(f"{path}.tenant", "names no tenant declared under tenants (use its id or domain)")
    known_users = {u.username.lower() for u in tenant.users}
    members = []
    for i, item in enumerate(_list(data.get("members"), f"{path}.members")):
        mpath = f"{path}.members[{i}]"
        m = _mapping(item, mpath, {"user", "role", "invitation_accepted"}, {"user"})
        username = _str(m["user"], f"{mpath}.user")
        if username.lower() not in known_users:
            _fail(f"{mpath}.user", f"is not a user of tenant {tenant.domain}")
        members.append(Member(username=username,
                              role=_str(m.get("role", "ProjectOwner"), f"{mpath}.role", choices=MEMBER_ROLES),
                              invitation_accepted=_bool(m.get("invitation_accepted", True),
                                                        f"{mpath}.invitation_accepted")))
    project = Project(
        id=_int(data["id"], f"{path}.id", 1),
        name=_str(data.get("name", f"Project {data['id']}"), f"{path}.name"),
        region=_str(data.get("region", "United States"), f"{path}.region", choices=tuple(REGION_HOSTS)),
        tenant=tenant.id,
        organization_id=_int(data.get("organization_id", 1), f"{path}.organization_id", 1),
        members=members,
        environments=[],
        backups=[],
    )
    for i, item in enumerate(_list(data.get("environments"), f"{path}.environments")):
        project.environments.append(_parse_environment(item, f"{path}.environments[{i}]", anchor))
    for i, item in enumerate(_list(data.get("backups"), f"{path}.backups")):
        bpath = f"{path}.backups[{i}]"
        b = _mapping(item, bpath, {"id", "name", "file_name", "description", "created", "size_bytes"},
                     {"name", "created"})
        name = _str(b["name"], f"{bpath}.name")
        project.backups.append(Backup(
            id=_guid(b["id"], f"{bpath}.id") if "id" in b
            else str(uuid.uuid5(uuid.NAMESPACE_URL, f"backup:{project.id}:{name}")),
            name=name,
            file_name=_str(b.get("file_name", f"{name}.bacpac"), f"{bpath}.file_name"),
            description=_str(b.get("description", ""), f"{bpath}.description", empty=True),
            created=_seconds_ago_or_datetime(b["created"], f"{bpath}.created", anchor),
            size_bytes=_int(b.get("size_bytes", 4096), f"{bpath}.size_bytes", 1),
        ))
    return project


_ENV_KEYS = {
    "id", "name", "type", "infrastructure", "location", "disaster_recovery_location",
    "application_release", "application_build", "platform_release", "platform_version",
    "deployment_state", "deployment_status", "deployed_on", "url", "topology", "database", "durations",
    "history", "administrator", "row_history",
}
_DB_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def _parse_environment(raw: Any, path: str, anchor: dt.datetime) -> Environment:
    data = _mapping(raw, path, _ENV_KEYS, {"id", "name", "type"})
    name = _str(data["name"], f"{path}.name", pattern=re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"))
    env_type = _str(data["type"], f"{path}.type", choices=ENVIRONMENT_TYPES)
    default_infra = "CustomerManaged" if env_type == "DevTestDev" else "MicrosoftManaged"
    app_release = _str(data.get("application_release", "10.0.41"), f"{path}.application_release")
    platform_release = _str(data.get("platform_release", "Update65"), f"{path}.platform_release")

    db_raw = _mapping(data.get("database") or {}, f"{path}.database", {"name", "size_gb", "scale", "seed", "features"})
    database = Database(
        name=_str(db_raw.get("name", re.sub(r"[^a-z0-9_]", "_", name.lower())), f"{path}.database.name",
                  pattern=_DB_NAME),
        size_gb=_number(db_raw.get("size_gb", 25), f"{path}.database.size_gb"),
        scale=_int(db_raw.get("scale", 1), f"{path}.database.scale", 1),
        seed=_int(db_raw.get("seed", 0), f"{path}.database.seed", 0),
        features=_features(db_raw.get("features"), f"{path}.database.features"),
    )
    dur_raw = _mapping(data.get("durations") or {}, f"{path}.durations", set(Durations.__dataclass_fields__))
    durations = Durations(**{
        key: (None if value is None and key == "signoff" else _int(value, f"{path}.durations.{key}", 0))
        for key, value in dur_raw.items()
    })
    history = []
    for i, item in enumerate(_list(data.get("history"), f"{path}.history")):
        hpath = f"{path}.history[{i}]"
        h = _mapping(item, hpath, {"type", "name", "status", "started", "ended", "via_api"},
                     {"type", "status", "started"})
        htype = _str(h["type"], f"{hpath}.type", choices=tuple(HISTORY_TYPES))
        history.append(HistoryEntry(
            type=htype,
            name=_str(h.get("name", HISTORY_TYPES[htype]), f"{hpath}.name"),
            status=_str(h["status"], f"{hpath}.status", choices=HISTORY_STATUSES),
            started=_seconds_ago_or_datetime(h["started"], f"{hpath}.started", anchor),
            ended=_seconds_ago_or_datetime(h["ended"], f"{hpath}.ended", anchor) if h.get("ended") is not None
            else None,
            via_api=_bool(h.get("via_api", True), f"{hpath}.via_api"),
        ))
    return Environment(
        id=_guid(data["id"], f"{path}.id"),
        name=name,
        type=env_type,
        infrastructure=_str(data.get("infrastructure", default_infra), f"{path}.infrastructure",
                            choices=INFRASTRUCTURES),
        location=_str(data.get("location", "West Europe"), f"{path}.location"),
        disaster_recovery_location=_str(data.get("disaster_recovery_location", ""),
                                        f"{path}.disaster_recovery_location", empty=True),
        application_release=app_release,
        application_build=_str(data.get("application_build", "10.0.2095.13"), f"{path}.application_build"),
        platform_release=platform_release,
        platform_version=_str(data.get("platform_version", "7.0.7367.49"), f"{path}.platform_version"),
        deployment_state=_str(data.get("deployment_state", "Finished"), f"{path}.deployment_state"),
        deployment_status=_str(data.get("deployment_status", "Deployed"), f"{path}.deployment_status"),
        deployed_on=_seconds_ago_or_datetime(data.get("deployed_on", -90 * 86400), f"{path}.deployed_on", anchor),
        url=_str(data.get("url", f"https://{name.lower()}.operations.dynamics.com/"), f"{path}.url"),
        topology=_str(data.get("topology", _default_topology(env_type, app_release, platform_release)),
                      f"{path}.topology"),
        database=database,
        durations=durations,
        history=history,
        administrator=_str(data.get("administrator", ""), f"{path}.administrator", empty=True),
        row_history=_bool(data.get("row_history", False), f"{path}.row_history"),
    )


def _default_topology(env_type: str, app_release: str, platform_release: str) -> str:
    if env_type == "Production":
        return "AXHA"
    pu = platform_release.replace("Update", "")
    kind = "Sandbox" if env_type == "Sandbox" else "Develop"
    return f"Finance and Operations - {kind} ({app_release} with Platform update {pu})"
