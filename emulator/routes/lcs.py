"""LCS: Database Movement API v1 and Environment API (metadata, history), per lcs-api.md.

Business failures are HTTP 200 with ``IsSuccess: false``; authentication failures 401; a caller who
is not an accepted member of the project 403 (the reference is silent: see README).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import urllib.parse
import uuid

from flask import Blueprint, g, jsonify, request

from .. import formats
from ..entra import LCS_APP_ID, normalize_audience
from ..formats import VERSION_EOL, new_guid
from ..operations import HISTORY_TYPE, Operation
from ..world import HISTORY_TYPES
from . import current_emulator

blueprint = Blueprint("lcs", __name__)

MUTATING_ROLES = {"ProjectOwner", "EnvironmentAdministrator", "EnvironmentManager"}
_BACKUP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def new_activity() -> str:
    return new_guid()


def envelope(success: bool, error: str | None = None, activity: str | None = None, **fields) -> dict:
    return {"IsSuccess": success, "OperationActivityId": activity or new_activity(), "ErrorMessage": error,
            "VersionEOL": VERSION_EOL, **fields}


def _json(body: dict, status: int = 200, headers: dict | None = None):
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _unauthorized(message: str = "Authorization has been denied for this request."):
    return _json({"Message": message}, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def authenticated(view):
    """Bearer token check (signature, virtual expiry, LCS audience, a user) and project membership."""

    @functools.wraps(view)
    def wrapper(projectId, **kwargs):
        emu = current_emulator()
        header = request.headers.get("Authorization", "")
        scheme, _space, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _unauthorized()
        with emu.lock:
            claims = emu.tokens.decode(token.strip())
            now = emu.now()
            if claims is None or claims.get("exp", 0) <= now.timestamp():
                return _unauthorized()
            project = emu.project(projectId)
            # the LCS app id, the emulator's own base URL, or the API host of the project's geography;
            # a token for another region's host is refused (lcs-api.md §1.6, §7)
            audiences = emu.lcs_audiences() | {LCS_APP_ID}
            if project is not None:
                audiences.add(normalize_audience(project.api_host))
            if normalize_audience(str(claims.get("aud", ""))) not in audiences or "upn" not in claims:
                return _unauthorized()
            member = None
            if project is not None and claims.get("tid") == project.tenant:
                member = next((m for m in project.members if m.username.lower() == claims["upn"].lower()
                               and m.invitation_accepted), None)
            if member is None:
                return _json(envelope(False, f"User {claims['upn']} is not a member of project {projectId} or has "
                                             "not accepted the invitation."), 403)
            g.project = project
            g.member = member
        emu.tick(blocking=False)
        return view(projectId=projectId, **kwargs)

    return wrapper


def _rate_limited(limits):
    emu = current_emulator()
    with emu.lock:
        retry_after = emu.windows.check(limits, emu.clock.timestamp())
    if retry_after is None:
        return None
    return _json(envelope(False, "The number of requests exceeded the limit. Retry after the interval in the "
                                 "retry-after header."), 429,
                 {"retry-after": str(retry_after), "activity-id": new_activity()})


# -- database movement -------------------------------------------------------------------------------

def _env_or_error(key: str):
    env = current_emulator().environment(g.project, key) if formats.normalize_guid(key) else None
    if env is None:
        return None, _json(envelope(False, f"Environment {key} was not found in project {g.project.id}."))
    return env, None


def _refuse_busy_or_quota(env):
    """The checks every operation start shares: busy environment, then the 3-per-24h quota."""
    emu = current_emulator()
    if emu.running_operation(env.id) is not None or emu.env_fault("busy", env.id) is not None:
        return _json(envelope(False, f"Environment {env.name} has another operation in progress. Try again after "
                                     "it completes."))
    limit = emu.world.lcs.operations_per_24h
    if emu.env_fault("quota_exhausted", env.id) is not None or len(emu.starts_in_window(env)) >= limit:
        window_start = emu.now() - dt.timedelta(hours=24)
        return _json(envelope(False, f"Maximum allowed API operations are {limit} from "
                                     f"{formats.seven_digit(window_start)}"))
    return None


def _may_mutate():
    if g.member.role not in MUTATING_ROLES:
        return _json(envelope(False, f"User {g.member.username} with role {g.member.role} is not allowed to "
                                     "perform this operation."), 403)
    return None


@blueprint.post("/databasemovement/v1/refresh/project/<projectId>/source/<sourceEnvironmentId>"
                "/target/<targetEnvironmentId>")
@authenticated
def refresh(projectId, sourceEnvironmentId, targetEnvironmentId):
    emu = current_emulator()
    with emu.lock:
        target_key = emu.environment_by_key(targetEnvironmentId)
        emu.counters["mutating_requests"][target_key.name if target_key else targetEnvironmentId] += 1
        refused = _may_mutate()
        if refused:
            return refused
        source, error = _env_or_error(sourceEnvironmentId)
        if error:
            return error
        target, error = _env_or_error(targetEnvironmentId)
        if error:
            return error
        if source.id == target.id:
            return _json(envelope(False, "Source and target environment cannot be the same."))
        if target.is_tier1 or source.is_tier1:
            # d365fo.tools#712: LCS answers a refresh involving a Tier-1 (cloud-hosted) environment with 401
            return _json(envelope(False, "Database refresh is not supported for Tier-1 (DevTestDev) "
                                         "environments."), 401)
        if target.type != "Sandbox":
            return _json(envelope(False, f"Refreshing a {target.type} environment is not supported; the target "
                                         "must be a sandbox (Tier-2 or higher) environment."))
        if source.location.lower() != target.location.lower():
            return _json(envelope(False, f"Source ({source.location}) and target ({target.location}) must be in "
                                         "the same Azure region."))
        source_op = emu.running_operation(source.id)
        if source_op is not None and source_op.kind == "refresh":
            return _json(envelope(False, f"Environment {source.name} is being refreshed and cannot be used as "
                                         "a source."))
        refused = _refuse_busy_or_quota(target)
        if refused:
            return refused
        op = Operation(id=new_guid(), kind="refresh", project_id=g.project.id, environment_id=target.id,
                       source_environment_id=source.id, name=f"Refresh database from {source.name}",
                       created=emu.now(), durations=target.durations)
        emu.start_operation(op)
        return _json(envelope(True, activity=op.id))


@blueprint.post("/databasemovement/v1/export/project/<projectId>/environment/<environmentId>"
                "/backupName/<backupName>")
@authenticated
def export(projectId, environmentId, backupName):
    emu = current_emulator()
    with emu.lock:
        env_key = emu.environment_by_key(environmentId)
        emu.counters["mutating_requests"][env_key.name if env_key else environmentId] += 1
        refused = _may_mutate()
        if refused:
            return refused
        env, error = _env_or_error(environmentId)
        if error:
            return error
        if env.type != "Sandbox":
            return _json(envelope(False, f"Exporting a {env.type} environment is not supported; only sandbox "
                                         "environments can be exported."))
        if not _BACKUP_NAME.match(backupName):
            return _json(envelope(False, "The backup name may only contain letters, digits, '-', '_' and '.', "
                                         "and must start with a letter or digit."))
        refused = _refuse_busy_or_quota(env)
        if refused:
            return refused
        op = Operation(id=new_guid(), kind="export", project_id=g.project.id, environment_id=env.id,
                       source_environment_id=env.id, name=backupName, created=emu.now(),
                       durations=env.durations, backup_name=backupName)
        emu.start_operation(op)
        return _json(envelope(True, activity=op.id))


@blueprint.get("/databasemovement/v1/fetchstatus/project/<projectId>/environment/<environmentId>"
               "/operationactivity/<operationActivityId>")
@authenticated
def fetch_status(projectId, environmentId, operationActivityId):
    emu = current_emulator()
    with emu.lock:
        now = emu.now()
        op_id = formats.normalize_guid(operationActivityId)
        env_id = formats.normalize_guid(environmentId)
        op = emu.operations.get(op_id or "")
        if op is None or op.environment_id != env_id or op.project_id != g.project.id:
            return _json(envelope(False, f"Operation activity {operationActivityId} was not found for environment "
                                         f"{environmentId}.", ProjectId=g.project.id, EnvironmentId=environmentId,
                                  ActivityId=operationActivityId, CompletionDate=None, OperationStatus=None))
        return _json(envelope(True, ProjectId=g.project.id, EnvironmentId=op.environment_id, ActivityId=op.id,
                              CompletionDate=formats.net_datetime(op.completion_date(now)),
                              OperationStatus=op.status(now)))


@blueprint.get("/databasemovement/v1/databases/project/<projectId>")
@authenticated
def databases(projectId):
    emu = current_emulator()
    base = request.host_url.rstrip("/")
    with emu.lock:
        now = emu.now()
        expiry = formats.iso_z(now + dt.timedelta(seconds=emu.world.lcs.sas_lifetime_seconds))
        items = []
        for asset in sorted(emu.project_assets(g.project.id), key=lambda a: a.created):
            query = urllib.parse.urlencode({"sv": "2015-12-11", "sr": "b", "sig": emu.sas_signature(asset.id, expiry),
                                            "se": expiry, "sp": "r"})
            stamp = formats.net_datetime(asset.created)
            items.append({
                "Id": asset.id, "ProjectId": g.project.id, "OrganizationId": g.project.organization_id,
                "Name": asset.name, "FileName": asset.file_name, "FileDescription": asset.description,
                "FileLocation": f"{base}/_downloads/{asset.id}/{urllib.parse.quote(asset.file_name)}?{query}",
                "ModifiedDateTime": stamp, "CreatedDateTime": stamp, "CreatedByName": None, "ModifiedByName": None,
            })
        return _json(envelope(True, DatabaseAssets=items))


# -- environment information -------------------------------------------------------------------------

def _page_number():
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


def _paged(rows: list, page: int, size: int) -> dict:
    start = (page - 1) * size
    return envelope(True, ResultPageCurrent=page, ResultHasMorePages=start + size < len(rows),
                    Data=rows[start:start + size])


def _metadata_row(project, env) -> dict:
    emu = current_emulator()
    busy = emu.running_operation(env.id) is not None
    return {
        "EnvironmentId": formats.dashless(env.id),
        "EnvironmentName": env.name,
        "ProjectId": project.id,
        "EnvironmentInfrastructure": env.infrastructure,
        "EnvironmentType": env.type,
        "EnvironmentGroup": "Primary",
        "EnvironmentProduct": "Finance and Operations",
        "EnvironmentEndpointBaseUrl": env.url,
        "DeploymentState": env.deployment_state,
        "TopologyDisplayName": env.topology,
        "CurrentApplicationBuildVersion": env.application_build,
        "CurrentApplicationReleaseName": env.application_release,
        "CurrentPlatformReleaseName": env.platform_release,
        "CurrentPlatformVersion": env.platform_version,
        "DeployedOnUTC": formats.us_datetime(env.deployed_on),
        "CloudStorageLocation": env.location,
        "DisasterRecoveryLocation": env.disaster_recovery_location,
        "DeploymentStatusDisplay": env.deployment_status,
        "CanStart": env.infrastructure == "CustomerManaged" and env.deployment_state == "Stopped" and not busy,
        "CanStop": env.infrastructure == "CustomerManaged" and env.deployment_state != "Stopped" and not busy,
        "DatabaseDailyBackupsEnabled": env.type != "DevTestDev",
        "DatabaseBackupLocation": env.location,
    }


@blueprint.get("/environmentinfo/v1/detail/project/<projectId>/", strict_slashes=False)
@authenticated
def environment_detail(projectId):
    emu = current_emulator()
    limits = emu.world.lcs
    throttled = _rate_limited([(("detail", g.project.id), limits.metadata_per_project_per_minute, 60)])
    if throttled:
        return throttled
    with emu.lock:
        by_id = request.args.get("environmentId")
        by_name = request.args.get("environmentName")
        envs = list(g.project.environments)
        if by_id is not None:
            wanted = formats.normalize_guid(by_id)
            envs = [e for e in envs if e.id == wanted]
        elif by_name is not None:
            envs = [e for e in envs if e.name.lower() == by_name.lower()]
        page = _page_number()
        if page is None:
            return _json(envelope(False, "The page parameter must be a positive integer."))
        rows = [_metadata_row(g.project, env) for env in envs]
        return _json(_paged(rows, page, limits.metadata_page_size))


def _history_rows(project, env) -> list[dict]:
    emu = current_emulator()
    now = emu.now()
    rows = []
    for entry in env.history:
        rows.append((entry.started, entry.type, entry.name, entry.status, entry.ended,
                     str(uuid.uuid5(uuid.NAMESPACE_URL, f"history:{env.id}:{entry.started.isoformat()}"))))
    for op in emu.operations.values():
        if op.environment_id == env.id:
            rows.append((op.created, HISTORY_TYPE[op.kind], op.name, op.status(now), op.completion_date(now), op.id))
    if emu.env_fault("busy", env.id) is not None:
        rows.append((now - dt.timedelta(minutes=30), "SFApplicationHotfix", "Servicing (emulated busy environment)",
                     "InProgress", None, str(uuid.uuid5(uuid.NAMESPACE_URL, f"busy:{env.id}"))))
    rows.sort(key=lambda r: r[0], reverse=True)
    return [{
        "Name": name, "Type": kind, "TypeDisplay": HISTORY_TYPES.get(kind, kind),
        "StartDateTimeUTC": formats.net_datetime(started), "EndDateTimeUTC": formats.net_datetime(ended),
        "Status": status, "ActivityId": activity, "EnvironmentId": formats.dashless(env.id), "ProjectId": project.id,
    } for started, kind, name, status, ended, activity in rows]


@blueprint.get("/environmentinfo/v1/history/project/<projectId>/environment/<environmentId>/",
               strict_slashes=False)
@authenticated
def environment_history(projectId, environmentId):
    emu = current_emulator()
    limits = emu.world.lcs
    env_id = formats.normalize_guid(environmentId) or environmentId
    throttled = _rate_limited([
        (("history-env", env_id), limits.history_per_environment_per_30s, 30),
        (("history-project", g.project.id), limits.history_per_project_per_minute, 60),
    ])
    if throttled:
        return throttled
    with emu.lock:
        env, error = _env_or_error(environmentId)
        if error:
            return error
        page = _page_number()
        if page is None:
            return _json(envelope(False, "The page parameter must be a positive integer."))
        return _json(_paged(_history_rows(g.project, env), page, limits.history_page_size))
