"""LCS: Database Movement API v1 and Environment API (metadata, history), per lcs-api.md.

Business failures are HTTP 200 with ``IsSuccess: false``; authentication failures 401; a caller who
is not an accepted member of the project 403 (the reference is silent: see README). The rules are in
backend.py; these routes parse, call it and wrap the answer in the LCS envelope.
"""

from __future__ import annotations

import datetime as dt
import functools
import urllib.parse

from flask import Blueprint, g, jsonify, request

from ... import formats
from ...formats import VERSION_EOL, new_guid
from ...routing import current_emulator
from .backend import LcsRefusal, LcsUnauthorized

blueprint = Blueprint("lcs", __name__)


def lcs():
    return current_emulator().backend("lcs")


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


def _refused(refusal: LcsRefusal):
    return _json(envelope(False, refusal.message, **refusal.fields), refusal.status)


def authenticated(view):
    """Bearer token and project membership (``g.project``, ``g.member``); refusals become envelopes."""

    @functools.wraps(view)
    def wrapper(projectId, **kwargs):
        emu = current_emulator()
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _unauthorized()
        try:
            with emu.lock:
                g.project, g.member = lcs().authorize(token.strip(), projectId)
        except LcsUnauthorized:
            return _unauthorized()
        except LcsRefusal as refusal:
            return _refused(refusal)
        emu.tick(blocking=False)
        try:
            return view(projectId=projectId, **kwargs)
        except LcsRefusal as refusal:
            return _refused(refusal)

    return wrapper


def _rate_limited(limits):
    retry_after = lcs().rate_limit(limits)
    if retry_after is None:
        return None
    return _json(envelope(False, "The number of requests exceeded the limit. Retry after the interval in the "
                                 "retry-after header."), 429,
                 {"retry-after": str(retry_after), "activity-id": new_activity()})


# -- database movement -------------------------------------------------------------------------------

@blueprint.post("/databasemovement/v1/refresh/project/<projectId>/source/<sourceEnvironmentId>"
                "/target/<targetEnvironmentId>")
@authenticated
def refresh(projectId, sourceEnvironmentId, targetEnvironmentId):
    with current_emulator().lock:
        lcs().count_mutating(targetEnvironmentId)
        op = lcs().start_refresh(g.project, g.member, sourceEnvironmentId, targetEnvironmentId)
        return _json(envelope(True, activity=op.id))


@blueprint.post("/databasemovement/v1/export/project/<projectId>/environment/<environmentId>"
                "/backupName/<backupName>")
@authenticated
def export(projectId, environmentId, backupName):
    with current_emulator().lock:
        lcs().count_mutating(environmentId)
        op = lcs().start_export(g.project, g.member, environmentId, backupName)
        return _json(envelope(True, activity=op.id))


@blueprint.get("/databasemovement/v1/fetchstatus/project/<projectId>/environment/<environmentId>"
               "/operationactivity/<operationActivityId>")
@authenticated
def fetch_status(projectId, environmentId, operationActivityId):
    emu = current_emulator()
    with emu.lock:
        now = emu.now()
        op = lcs().operation_status(g.project, environmentId, operationActivityId)
        return _json(envelope(True, ProjectId=g.project.id, EnvironmentId=op.environment_id, ActivityId=op.id,
                              CompletionDate=formats.net_datetime(op.completion_date(now)),
                              OperationStatus=op.status(now)))


@blueprint.get("/databasemovement/v1/databases/project/<projectId>")
@authenticated
def databases(projectId):
    emu = current_emulator()
    downloads = emu.backend("downloads")
    base = request.host_url.rstrip("/")
    with emu.lock:
        now = emu.now()
        expiry = formats.iso_z(now + dt.timedelta(seconds=emu.world.lcs.sas_lifetime_seconds))
        items = []
        for asset in sorted(lcs().project_assets(g.project.id), key=lambda a: a.created):
            query = urllib.parse.urlencode({"sv": "2015-12-11", "sr": "b",
                                            "sig": downloads.sas_signature(asset.id, expiry), "se": expiry, "sp": "r"})
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
    busy = lcs().running_operation(env.id) is not None
    return {
        "EnvironmentId": formats.dashless(env.id),
        "EnvironmentName": env.name,
        "ProjectId": project.id,
        "EnvironmentInfrastructure": env.infrastructure,
        "EnvironmentType": env.type,
        "EnvironmentGroup": "Primary",
        "EnvironmentProduct": "Finance and Operations",
        "EnvironmentEndpointBaseUrl": env.url,
        "DeploymentState": lcs().deployment_state(project, env),
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
        env = lcs().project_environment(g.project, environmentId)
        page = _page_number()
        if page is None:
            return _json(envelope(False, "The page parameter must be a positive integer."))
        rows = [{
            "Name": name, "Type": kind, "TypeDisplay": lcs().history_type_display(kind),
            "StartDateTimeUTC": formats.net_datetime(started), "EndDateTimeUTC": formats.net_datetime(ended),
            "Status": status, "ActivityId": activity, "EnvironmentId": formats.dashless(env.id),
            "ProjectId": g.project.id,
        } for started, kind, name, status, ended, activity in lcs().history(g.project, env)]
        return _json(_paged(rows, page, limits.history_page_size))


@blueprint.post("/_emulator/lcs/point_in_time_restore")
def admin_portal_restore():
    """Stand in for the person who starts a point-in-time restore in the LCS portal (no API exists):
    ``{"environment": name or id, "instant": ISO with a zone, "run_seconds"?, "type"?, "fail"?}``."""
    body = request.get_json(silent=True) or {}
    try:
        instant = dt.datetime.fromisoformat(str(body.get("instant") or "").replace("Z", "+00:00"))
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        return jsonify({"error": "instant: must be an ISO 8601 instant with a zone, e.g. 2026-03-02T08:00:00Z"}), 400
    if body.get("fail") not in (None, "completed", "failed", "none", "aborted"):
        return jsonify({"error": "fail: must be one of completed, failed, none, aborted"}), 400
    emu = current_emulator()
    with emu.lock:
        try:
            op = lcs().start_portal_restore(str(body.get("environment") or ""), instant,
                                            run_seconds=body.get("run_seconds"), history_type=body.get("type"),
                                            fail=body.get("fail"))
        except LcsRefusal as refusal:
            return jsonify({"error": refusal.message}), refusal.status
    return jsonify({"operation_id": op.id, "type": op.history_type, "environment": body.get("environment"),
                    "created": op.created.isoformat(), "instant": instant.isoformat()}), 201
