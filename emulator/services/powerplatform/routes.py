"""Power Platform API (``/environmentmanagement``, ``/dynamics``) and the BAP admin routes
(``/providers/Microsoft.BusinessAppPlatform``). Each route: api-version, token and rights, rate limit,
then one backend call and its serialisation. Rules live in backend.py.
"""

from __future__ import annotations

import functools
import urllib.parse

from flask import Blueprint, g, jsonify, request

from ...routing import current_emulator
from ..dataverse.backend import DataverseError, matches, parse_filter
from .backend import (
    API_VERSIONS,
    BAP_API_VERSIONS,
    BAP_AUDIENCES,
    BAP_SCOPE,
    PP_API_AUDIENCES,
    PP_API_SCOPE,
    PpError,
    continuation_token,
    field_error,
    parse_continuation,
)

blueprint = Blueprint("powerplatform", __name__)
_PP = (PP_API_AUDIENCES, "Power Platform API", PP_API_SCOPE)
_BAP = (BAP_AUDIENCES, "BAP admin API", BAP_SCOPE)
BAP = "/providers/Microsoft.BusinessAppPlatform"


def pp():
    return current_emulator().backend("powerplatform")


def _base() -> str:
    return request.host_url.rstrip("/")


def _json(body, status: int = 200, headers: dict | None = None):
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _error(exc: PpError):
    return _json(exc.body(), exc.status, exc.headers)


def _check_api_version(accepted: tuple[str, ...]) -> None:
    version = request.args.get("api-version", "")
    if not version:
        raise PpError(400, "MissingApiVersionParameter",
                      f"The api-version query parameter (?api-version=) is required. Supported: "
                      f"{', '.join(accepted)}.")
    if version not in accepted:
        raise PpError(400, "UnsupportedApiVersion",
                      f"The api-version '{version}' is not supported. Supported: {', '.join(accepted)}.")


def api(surface: str, contributor: bool = False, environment_scoped: bool = False):
    """api-version, bearer token for the surface ("pp" or "bap"), tenant-level rights, rate limit; with
    ``environment_scoped`` also the application user in ``environmentId``. Sets ``g.caller``/``g.env``."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(**kwargs):
            emu = current_emulator()
            try:
                _check_api_version(API_VERSIONS if surface == "pp" else BAP_API_VERSIONS)
                scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
                with emu.lock:
                    g.caller = pp().caller(token.strip() if scheme.lower() == "bearer" else "",
                                           *(_PP if surface == "pp" else _BAP))
                    pp().require_admin(g.caller, contributor and surface == "pp")
                    retry_after = pp().rate_limit(g.caller)
                    if retry_after is not None:
                        raise PpError(429, "TooManyRequests", f"Rate limit exceeded. Retry after {retry_after} "
                                                              "seconds.", headers={"Retry-After": str(retry_after)})
                    g.env = None
                    if "environmentId" in kwargs:
                        g.env = pp().environment(kwargs["environmentId"])
                        if environment_scoped:
                            pp().require_environment_access(g.caller, g.env)
                    return view(**kwargs)
            except PpError as exc:
                return _error(exc)

        return wrapper

    return decorate


def _page(items: list, offset: int, size: int) -> tuple[list, str | None]:
    page = items[offset:offset + size]
    return page, continuation_token(offset + size) if offset + size < len(items) else None


_FILTERABLE = {"dataverseId", "type", "geo", "state", "environmentGroupId", "domainName"}


def _filter():
    """``$filter`` on the properties the SDK names (``type eq 'Sandbox' and geo eq 'europe'``)."""
    try:
        terms = parse_filter(request.args.get("$filter"))
    except DataverseError as exc:
        raise field_error(400, "InvalidFilter", "$filter", exc.message) from exc
    unknown = sorted({column for column, _op, _value in terms} - _FILTERABLE)
    if unknown:
        raise field_error(400, "InvalidFilter", "$filter", f"Cannot filter on {', '.join(unknown)}; filterable: "
                                                           f"{', '.join(sorted(_FILTERABLE))}.")
    return terms


def _positive(name: str, default: int, minimum: int = 1) -> int:
    """An integer query parameter >= ``minimum``; a ValidationResponse naming it otherwise."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise field_error(400, "InvalidParameter", name, f"{name} must be an integer >= {minimum}.")
    return int(raw)


# -- environments ----------------------------------------------------------------------------------------

@blueprint.get("/environmentmanagement/environments")
@api("pp")
def environments():
    skip = _positive("$skip", 0, minimum=0)
    top = _positive("$top", pp().pp.environments_page_size)
    bodies = [pp().environment_body(env, _base()) for env in pp().environments]
    envs = [body for body in bodies if matches(body, _filter())]
    page = envs[skip:skip + top]
    select = [s.strip() for s in request.args.get("$select", "").split(",") if s.strip()]
    if select:
        page = [{k: v for k, v in body.items() if k in select} for body in page]
    body = {"value": page}
    if skip + top < len(envs):
        query = urllib.parse.urlencode({"api-version": request.args["api-version"], "$skip": skip + top,
                                        "$top": top})
        # the SDK reads "@odata.nextlink"; Microsoft's OData services write "@odata.nextLink": both are sent
        body["@odata.nextlink"] = body["@odata.nextLink"] = f"{_base()}/environmentmanagement/environments?{query}"
    return _json(body)


@blueprint.get("/environmentmanagement/environments/<environmentId>")
@api("pp")
def environment(environmentId):
    return _json(pp().environment_body(g.env, _base()))


# -- backups ---------------------------------------------------------------------------------------------

@blueprint.get("/environmentmanagement/environments/<environmentId>/backups")
@api("pp", environment_scoped=True)
def backups(environmentId):
    offset = parse_continuation(request.args.get("continuationToken"))
    page, token = _page(pp().live_backups(g.env), offset, pp().pp.backups_page_size)
    return _json({"collection": [pp().backup_body(b) for b in page], "continuationToken": token})


@blueprint.post("/environmentmanagement/environments/<environmentId>/backups")
@api("pp", contributor=True, environment_scoped=True)
def create_backup(environmentId):
    current_emulator().core.count_mutating(g.env.name)
    body = request.get_json(silent=True)
    label = body.get("label") if isinstance(body, dict) else None
    backup = pp().create_backup(g.env, label, g.caller)
    return _json(pp().backup_body(backup), 201)


@blueprint.delete("/environmentmanagement/environments/<environmentId>/backups/<backupId>")
@api("pp", contributor=True, environment_scoped=True)
def delete_backup(environmentId, backupId):
    current_emulator().core.count_mutating(g.env.name)
    pp().delete_backup(g.env, backupId)
    return "", 204


# -- operations ------------------------------------------------------------------------------------------

@blueprint.get("/environmentmanagement/environments/<environmentId>/operations")
@api("pp", environment_scoped=True)
def environment_operations(environmentId):
    offset = parse_continuation(request.args.get("continuationToken"))
    limit = _positive("limit", pp().pp.operations_page_size)
    page, token = _page(pp().environment_operations(g.env), offset, limit)
    return _json({"collection": [pp().operation_body(op, _base()) for op in page], "continuationToken": token})


@blueprint.get("/environmentmanagement/environments/<environmentId>/operations/<operationId>")
@api("pp", environment_scoped=True)
def environment_operation(environmentId, operationId):
    return _json(pp().operation_body(pp().operation(operationId, g.env), _base()))


@blueprint.get("/environmentmanagement/operations/<operationId>")
@api("pp")
def operation(operationId):
    return _json(pp().operation_body(pp().operation(operationId), _base()))


# -- F&O in Power Platform (errors: FinOpsErrorResponse {"error": {code, message}}) ----------------------

@blueprint.get("/dynamics/environments/<environmentId>/finopsproperties")
@api("pp", environment_scoped=True)
def finops_properties(environmentId):
    return _json(pp().finops_properties(g.env))


@blueprint.get("/dynamics/environments/<environmentId>/finopsversions")
@api("pp", environment_scoped=True)
def finops_versions(environmentId):
    return _json(pp().finops_versions(g.env))


@blueprint.get("/licensing/tenantCapacity")
@api("pp")
def tenant_capacity():
    return _json(pp().tenant_capacity())


# -- BAP admin: environments and runtime state (admin mode, background operations) ----------------------

@blueprint.get(f"{BAP}/scopes/admin/environments")
@api("bap")
def bap_environments():
    return _json({"value": [pp().bap_environment(env, _base()) for env in pp().environments]})


@blueprint.get(f"{BAP}/scopes/admin/environments/<environmentId>")
@api("bap")
def bap_environment(environmentId):
    return _json(pp().bap_environment(g.env, _base()))


_RUNTIME = {"AdminMode": True, "Enabled": False}
_BACKGROUND = {"Enabled": True, "Disabled": False}


def _state_id(states: dict, name: str, allowed: dict):
    """``properties.states.<name>.id``: None when absent; PpError when not one of ``allowed``."""
    value = states.get(name)
    if value is None:
        return None
    state_id = value.get("id") if isinstance(value, dict) else None
    if state_id not in allowed:
        raise PpError(400, "InvalidRequestContent",
                      f"properties.states.{name}.id must be one of {', '.join(allowed)}.")
    return allowed[state_id]


def _background_state(states: dict, linked: dict):
    """Background operations as Microsoft's clients send them: ``properties.linkedEnvironmentMetadata.
    backgroundOperationsState`` (Set-AdminPowerAppEnvironmentRuntimeState in
    Microsoft.PowerApps.Administration.PowerShell, Microsoft's Terraform provider); the older
    ``properties.states.backgroundOperations.id`` shape is accepted too."""
    if "backgroundOperationsState" in linked:
        value = linked["backgroundOperationsState"]
        if value not in _BACKGROUND:
            raise PpError(400, "InvalidRequestContent",
                          f"properties.linkedEnvironmentMetadata.backgroundOperationsState must be one of "
                          f"{', '.join(_BACKGROUND)}.")
        return _BACKGROUND[value]
    return _state_id(states, "backgroundOperations", _BACKGROUND)


@blueprint.patch(f"{BAP}/scopes/admin/environments/<environmentId>")
@api("bap")
def bap_set_runtime_state(environmentId):
    current_emulator().core.count_mutating(g.env.name)
    body = request.get_json(silent=True)
    properties = (body.get("properties") or {}) if isinstance(body, dict) else {}
    states = properties.get("states") if isinstance(properties.get("states"), dict) else {}
    linked = properties.get("linkedEnvironmentMetadata")
    linked = linked if isinstance(linked, dict) else {}
    if not ({"runtime", "backgroundOperations"} & set(states)) and "backgroundOperationsState" not in linked:
        raise PpError(400, "InvalidRequestContent",
                      'The body must be {"properties": {"states": {"runtime": {"id": "AdminMode"|"Enabled"}}, '
                      '"linkedEnvironmentMetadata": {"backgroundOperationsState": "Enabled"|"Disabled"}}} '
                      '(either state, or both).')
    admin_mode = _state_id(states, "runtime", _RUNTIME)
    background = _background_state(states, linked)
    pp().set_runtime_state(g.env, admin_mode, background)
    return _json(pp().bap_environment(g.env, _base()))


@blueprint.post("/_emulator/powerplatform/operations")
def admin_start_operation():
    """Admin (tests): start an operation on the clock, e.g. to wait for one before restore exists.
    Body ``{"environment": id or name, "name": "Copy", "run_seconds": 3600, "fail": false}``."""
    emu = current_emulator()
    body = request.get_json(silent=True) or {}
    try:
        with emu.lock:
            env = pp().environment(str(body.get("environment", "")))
            run_seconds = body.get("run_seconds", env.durations.run)
            if not isinstance(run_seconds, int) or run_seconds < 0 or not isinstance(body.get("fail", False), bool):
                return _json({"error": "run_seconds: must be an integer >= 0; fail: true or false"}, 400)
            op = pp().start_operation(env, str(body.get("name", "Copy")), run_seconds, body.get("fail", False),
                                      "admin")
            return _json(pp().operation_body(op, _base()), 201)
    except PpError as exc:
        return _json({"error": exc.message}, exc.status)
