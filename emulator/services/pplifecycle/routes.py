"""``POST …/environments/{target}/restore`` and ``…/copy`` (ValidateOnly, ValidateProperties, 202 with the
operation announced as the world says), ``GET …/{source}/restoreCandidates`` and ``…/copyCandidates``,
and the admin routes (announcement switch, code deployments)."""

from __future__ import annotations

from flask import Blueprint, g, request

from ...routing import current_emulator
from ..powerplatform.backend import PpError
from ..powerplatform.routes import _base, _error, _json, api
from .backend import ANNOUNCEMENTS

blueprint = Blueprint("pplifecycle", __name__)
ENVIRONMENTS = "/environmentmanagement/environments"


def lifecycle():
    return current_emulator().backend("pplifecycle")


def _validate_only() -> tuple[bool, list[str]]:
    """``ValidateOnly`` (true/false) and ``ValidateProperties`` (comma-separated), PascalCase on the wire."""
    raw = request.args.get("ValidateOnly", "false").lower()
    if raw not in ("true", "false"):
        raise PpError(400, "InvalidParameter", "ValidateOnly must be true or false.", shape="validation",
                      field_errors={"ValidateOnly": {"errorMessages": ["must be true or false"],
                                                     "suggestedValue": None}})
    names = [n.strip() for n in request.args.get("ValidateProperties", "").split(",") if n.strip()]
    return raw == "true", names


def _announce(operation_id: str):
    url = f"{_base()}/environmentmanagement/operations/{operation_id}?api-version={request.args['api-version']}"
    mode = lifecycle().announcement
    if mode == "location":
        return "", 202, {"Location": url}
    if mode == "operation_location":
        return "", 202, {"Operation-Location": url}
    if mode == "operation_url":
        return _json({"operationUrl": url}, 202)
    return "", 202


def _lifecycle_post(kind: str):
    validate_only, properties = _validate_only()
    if not validate_only:
        current_emulator().core.count_mutating(g.env.name)
    params = lifecycle().validate(kind, g.env, request.get_json(silent=True), properties)
    if validate_only:
        return "", 202
    return _announce(lifecycle().start(g.env, params, g.caller).id)


@blueprint.post(f"{ENVIRONMENTS}/<environmentId>/restore")
@api("pp", contributor=True, environment_scoped=True)
def restore(environmentId):
    return _lifecycle_post("restore")


@blueprint.post(f"{ENVIRONMENTS}/<environmentId>/copy")
@api("pp", contributor=True, environment_scoped=True)
def copy(environmentId):
    return _lifecycle_post("copy")


def _candidates(kind: str):
    _validate_only()
    found = lifecycle().candidates(g.env, kind)
    return _json({"collection": [{"environmentId": env.id, "displayName": env.name,
                                  "dataverseOrganizationUrl": lifecycle().pp.dataverse_url(env, _base())}
                                 for env in found], "continuationToken": None})


@blueprint.get(f"{ENVIRONMENTS}/<environmentId>/restoreCandidates")
@api("pp", environment_scoped=True)
def restore_candidates(environmentId):
    return _candidates("restore")


@blueprint.get(f"{ENVIRONMENTS}/<environmentId>/copyCandidates")
@api("pp", environment_scoped=True)
def copy_candidates(environmentId):
    return _candidates("copy")


@blueprint.post("/_emulator/pplifecycle")
def admin_switch():
    """Admin (tests): ``{"operation_announcement": "location"|"operation_location"|"operation_url"|"none"}``."""
    body = request.get_json(silent=True) or {}
    mode = body.get("operation_announcement")
    if mode not in ANNOUNCEMENTS:
        return _json({"error": f"operation_announcement: must be one of {', '.join(ANNOUNCEMENTS)}"}, 400)
    with current_emulator().lock:
        lifecycle().announcement = mode
    return _json({"operation_announcement": mode})


@blueprint.post("/_emulator/pplifecycle/deployments")
def admin_deploy():
    """Admin (tests): ``{"environment": id or name, "package": "ContosoExt", "version": "1.2.0.0",
    "fin_ops_version": "10.0.46.1"}`` records a deployment now (code through time); ``{"environment", "solution":
    "msdyn_Contoso", "version"}`` installs or upgrades a Dataverse solution now."""
    body = request.get_json(silent=True) or {}
    try:
        with current_emulator().lock:
            env = lifecycle().pp.environment(str(body.get("environment", "")))
            lifecycle().deploy(env, body.get("package"), body.get("version"), body.get("fin_ops_version"),
                               body.get("solution"))
            version, packages = lifecycle().code_as_of(env)
        return _json({"fin_ops_version": version, "packages": packages}, 201)
    except PpError as exc:
        return _error(exc)


@blueprint.get("/_emulator/pplifecycle/deployments/<environment>")
def admin_deployments(environment):
    """Admin (tests): the code of an environment now, or ``?as_of=`` an instant, and what came after it."""
    import datetime as dt

    try:
        with current_emulator().lock:
            env = lifecycle().pp.environment(environment)
            instant = dt.datetime.fromisoformat(request.args["as_of"]) if "as_of" in request.args else None
            version, packages = lifecycle().code_as_of(env, instant)
            after = lifecycle().deployments_after(env, instant) if instant else []
        return _json({"fin_ops_version": version, "packages": packages, "deployed_after": after})
    except PpError as exc:
        return _error(exc)
