"""Dataverse Web API subset at each organisation URL ``<base>/dataverse/<domain>/api/data/v9.2/``: WhoAmI,
RetrieveFinanceAndOperationsIntegrationDetails, EntityDefinitions (as Microsoft's Dataverse client reads
them) and the rows of the tables in tables.py (query, get, create, update/upsert, delete)."""

from __future__ import annotations

import re
import urllib.parse

from flask import Blueprint, Response, g, jsonify, request

from ...routing import current_emulator
from . import sql_jit
from .backend import DataverseError, matches, not_found, parse_filter
from .tables import TABLES

blueprint = Blueprint("dataverse", __name__)
API = "/api/data/v9.2"
_ROW = re.compile(r"^([a-z_][a-z0-9_]*)\(([0-9a-fA-F-]{32,36})\)$")
_ENTITY = re.compile(r"^EntityDefinitions\(LogicalName='([a-z0-9_]+)'\)(/.*)?$")


def dataverse():
    return current_emulator().backend("dataverse")


def _org_url() -> str:
    return f"{request.host_url.rstrip('/')}/dataverse/{g.env.dataverse.domain}"


def _json(body, status: int = 200, headers: dict | None = None):
    response = jsonify(body)
    response.status_code = status
    response.headers["OData-Version"] = "4.0"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


@blueprint.route(f"/dataverse/<domain>{API}/<path:resource>", methods=["GET", "POST", "PATCH", "DELETE"])
def web_api(domain, resource):
    emu = current_emulator()
    try:
        with emu.lock:
            g.env = dataverse().environment(domain)
            dataverse().refreshes.settle(dataverse(), g.env)
            scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
            organisation = {f"{base}/dataverse/{g.env.dataverse.domain}".lower() for base in emu.core.base_urls}
            g.claims = dataverse().authorize(g.env, token.strip() if scheme.lower() == "bearer" else "",
                                             organisation)
            if request.method != "GET":
                emu.core.count_mutating(g.env.name)
            return _dispatch(resource)
    except DataverseError as exc:
        return _json(exc.body(), exc.status, exc.headers)


def _dispatch(resource: str):
    name = resource.removesuffix("()")
    if request.method == "GET" and name == "WhoAmI":
        return _who_am_i()
    if request.method == "GET" and name == "RetrieveFinanceAndOperationsIntegrationDetails":
        return _json({"@odata.context": f"{_org_url()}{API}/$metadata#Microsoft.Dynamics.CRM."
                                        "RetrieveFinanceAndOperationsIntegrationDetailsResponse",
                      **dataverse().integration_details(g.env)})
    if request.method == "GET" and resource.startswith("EntityDefinitions"):
        return _entity_definitions(resource)
    row = _ROW.match(resource)
    if row is not None:
        return _row(row.group(1), row.group(2).lower())
    if re.fullmatch(r"[a-z_][a-z0-9_]*", resource):
        dataverse().table_by_set(resource)
        if request.method == "GET":
            return _query(resource)
        if request.method == "POST":
            return _create(resource)
    raise not_found(resource)


def _who_am_i():
    user_id = dataverse().caller_id(g.claims)
    env = g.env
    return _json({"@odata.context": f"{_org_url()}{API}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
                  "BusinessUnitId": env.dataverse.organization_id, "UserId": user_id,
                  "OrganizationId": env.dataverse.organization_id})


def _entity_definitions(resource: str):
    single = _ENTITY.match(resource)
    if resource == "EntityDefinitions":
        terms = parse_filter(request.args.get("$filter"))
        rows = [t.metadata() for t in TABLES.values() if matches(t.metadata(), terms)]
        return _json({"@odata.context": f"{_org_url()}{API}/$metadata#EntityDefinitions",
                      "value": [_select(r) for r in rows]})
    if single is None or single.group(1) not in TABLES:
        raise not_found(resource)
    if single.group(2) is None:
        return _json(_select(TABLES[single.group(1)].metadata()))
    if single.group(2).startswith("/Attributes"):
        # Microsoft's client looks up picklist columns before writes; these tables have none it must map
        return _json({"value": []})
    raise not_found(resource)


def _select(row: dict, always: tuple = ()) -> dict:
    columns = [c.strip() for c in request.args.get("$select", "").split(",") if c.strip()]
    if not columns:
        return row
    return {k: v for k, v in row.items() if k in columns or k in always or k.startswith("@")}


def _page_size() -> int | None:
    prefer = request.headers.get("Prefer", "")
    match = re.search(r"odata\.maxpagesize=(\d+)", prefer)
    return int(match.group(1)) if match else None


def _query(entity_set: str):
    table = dataverse().table_by_set(entity_set)
    rows = [r for r in dataverse().store(g.env).rows(entity_set) if matches(r, parse_filter(request.args.get(
        "$filter")))]
    if request.args.get("$orderby"):
        column, _space, direction = request.args["$orderby"].partition(" ")
        rows.sort(key=lambda r: (r.get(column) is None, str(r.get(column))), reverse=direction == "desc")
    top = request.args.get("$top")
    if top is not None:
        if not top.isdigit():
            raise DataverseError(400, "0x80060888", "$top must be a non-negative integer.")
        rows = rows[:int(top)]
    skip = int(request.args.get("$skiptoken", "0") or 0) if request.args.get("$skiptoken", "0").isdigit() else 0
    size = _page_size()
    page = rows[skip:skip + size] if size else rows[skip:]
    body = {"@odata.context": f"{_org_url()}{API}/$metadata#{entity_set}"}
    if request.args.get("$count") == "true":
        body["@odata.count"] = len(rows)
    body["value"] = [_select(r, (table.key,)) for r in page]
    if size and skip + size < len(rows):
        query = {k: v for k, v in request.args.items() if k != "$skiptoken"}
        query["$skiptoken"] = str(skip + size)
        body["@odata.nextLink"] = f"{_org_url()}{API}/{entity_set}?{urllib.parse.urlencode(query)}"
    return _json(body)


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise DataverseError(400, "0x80048d19", "The request body must be a JSON object.")
    return body


def _create(entity_set: str):
    row_id = dataverse().insert(g.env, entity_set, {k: v for k, v in _body().items() if not k.startswith("@")})
    location = f"{_org_url()}{API}/{entity_set}({row_id})"
    if "return=representation" in request.headers.get("Prefer", ""):
        return _json(dataverse().store(g.env).get(entity_set, row_id), 201, {"OData-EntityId": location})
    response = Response(status=204)
    response.headers["OData-EntityId"] = location
    response.headers["OData-Version"] = "4.0"
    return response


def _row(entity_set: str, row_id: str):
    table = dataverse().table_by_set(entity_set)
    if request.method == "GET":
        row = dataverse().store(g.env).get(entity_set, row_id)
        if row is None:
            raise dataverse().missing(table, row_id)
        return _json({"@odata.context": f"{_org_url()}{API}/$metadata#{entity_set}/$entity",
                      **_select(row, (table.key,))})
    if request.method == "PATCH":
        upsert = request.headers.get("If-Match") != "*"
        dataverse().update(g.env, entity_set, row_id, {k: v for k, v in _body().items() if not k.startswith("@")},
                           upsert)
    elif request.method == "DELETE":
        dataverse().delete(g.env, entity_set, row_id)
    else:
        raise not_found(f"{entity_set}({row_id})")
    response = Response(status=204)
    response.headers["OData-EntityId"] = f"{_org_url()}{API}/{entity_set}({row_id})"
    return response


@blueprint.get("/_emulator/dataverse/<domain>")
def rows_as_of(domain):
    """Admin view: every table of an environment's Dataverse store now or ``?as_of=<ISO instant>``."""
    from ..databases.routes import parse_instant

    emu = current_emulator()
    instant = parse_instant(request.args.get("as_of")) if "as_of" in request.args else emu.now()
    if instant is None:
        return jsonify({"error": "as_of: must be an ISO 8601 instant with a zone, e.g. 2026-03-02T08:00:00Z"}), 400
    try:
        with emu.lock:
            env = dataverse().environment(domain)
            return jsonify({"environment": env.name, "as_of": instant.isoformat(),
                            "tables": dataverse().store(env).snapshot(instant)})
    except DataverseError as exc:
        return jsonify({"error": exc.message}), 404


# hook (issue 15): the just-in-time SQL action of unified environments lives in sql_jit.py
sql_jit.register(blueprint, dataverse, DataverseError)
