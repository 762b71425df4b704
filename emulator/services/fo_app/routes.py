"""F&O OData (``/fo/<environment>/data/...``), the package actions, package blobs and their admin routes.

Thin: parse the request, call the backend (``emulator/foapp``), serialise the answer the way F&O does
(JSON with ``@odata.context``, errors with ``innererror``, an ``ms-dyn-aid`` activity id on every answer).
"""

from __future__ import annotations

import email.parser
import email.policy
import hmac
import re
import uuid
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from ... import formats
from ...routing import current_emulator
from ..downloads.routes import _storage_error
from . import actions as dmf_actions
from .backend import FoAppBackend, ODataError

blueprint = Blueprint("fo_app", __name__)
ACTION_RE = re.compile(r"^DataManagementDefinitionGroups/Microsoft\.Dynamics\.DataEntities\.(\w+)$")
RECORD_RE = re.compile(r"^(\w+)\((.*)\)$")
KEY_PART_RE = re.compile(r"\s*(?:(\w+)\s*=\s*)?('(?:[^']|'')*'|[^,]+)\s*(?:,|$)")
ENUM_LITERAL_RE = re.compile(r"[\w.]+('(?:[^']|'')*')")
DEFAULT_PAGE_SIZE = 10000


def backend() -> FoAppBackend:
    return current_emulator().backend("fo_app")


def _base() -> str:
    return request.host_url.rstrip("/")


def _odata_error(status, message):
    body = {"error": {"code": "", "message": "An error has occurred.", "innererror": {
        "message": message, "type": "Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataException",
        "stacktrace": "   at Microsoft.Dynamics.Platform.Integration.Services.OData (emulated)"}}}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def _count(kind):
    backend().requests[f"{request.method} {kind}"] += 1


@blueprint.after_app_request
def _activity_id(response):
    if request.path.startswith("/fo/"):
        response.headers["ms-dyn-aid"] = str(uuid.uuid4())
        response.headers["OData-Version"] = "4.0"
    return response


@blueprint.route("/fo/<env_name>/data/<path:rest>", methods=["GET", "POST", "PATCH", "DELETE"])
def data(env_name, rest):
    fo = backend()
    try:
        env = fo.environment(env_name)
        reason = fo.authorize(env, request.headers.get("Authorization"), _base())
        if reason is not None:
            _count("unauthorized")
            return _odata_error(401, reason)
        fo.settle(env)
        return _dispatch(fo, env, rest)
    except ODataError as exc:
        return _odata_error(exc.status, str(exc))


def _dispatch(fo, env, rest):
    if rest == "$batch" and request.method == "POST":
        _count("$batch")
        return _batch(fo, env)
    action = ACTION_RE.match(rest)
    if action and request.method == "POST":
        return _action(fo, env, action.group(1))
    record = RECORD_RE.match(rest)
    if record:
        _count(record.group(1) + "(key)")
        return _record(fo, env, record.group(1), _parse_key(fo, record.group(1), record.group(2)))
    _count(rest)
    if request.method == "GET":
        return _collection(fo, env, rest)
    if request.method == "POST":
        created = fo.change(env, "POST", rest, None, request.get_json(silent=True), None)
        response = jsonify(dict(created, **{"@odata.context": f"{_base()}{request.path.split('/data/')[0]}"
                                                              f"/data/$metadata#{rest}/$entity"}))
        response.status_code = 201
        return response
    raise ODataError(405, f"{request.method} is not allowed on the entity set {rest}.")


def _parse_key(fo, set_name, text):
    entity = fo.entity(set_name)
    if entity is None:
        raise ODataError(404, f"{set_name} has no addressable records.")
    values = {}
    parts = [m for m in KEY_PART_RE.finditer(text) if m.group(0).strip()]
    for position, match in enumerate(parts):
        name = match.group(1) or (entity.keys[position] if len(entity.keys) == 1 else None)
        raw = match.group(2).strip()
        if name not in entity.keys:
            raise ODataError(400, f"The key in the request URL is not valid for the entity set {set_name}.")
        enum_member = ENUM_LITERAL_RE.fullmatch(raw)  # Microsoft.Dynamics.DataEntities.NoYes'Yes' in a key
        if enum_member:
            raw = enum_member.group(1)
        values[name] = raw[1:-1].replace("''", "'") if raw.startswith("'") else (
            int(raw) if raw.lstrip("-").isdigit() else raw)
    if set(values) != set(entity.keys):
        raise ODataError(400, f"The key in the request URL must name {', '.join(entity.keys)}.")
    return values


def _record(fo, env, set_name, key):
    if request.method == "GET":
        found = fo.get(env, set_name, key)
        if found is None:
            raise ODataError(404, f"No {set_name} record matches the key.")
        return jsonify(found)
    if request.method in ("PATCH", "DELETE"):
        fo.change(env, request.method, set_name, key, request.get_json(silent=True), request.headers.get("If-Match"))
        return Response(status=204)
    raise ODataError(405, f"{request.method} is not allowed on a record.")


def _collection(fo, env, set_name):
    args = request.args
    select = [s.strip() for s in args["$select"].split(",")] if args.get("$select") else None
    top = int(args["$top"]) if args.get("$top", "").isdigit() else None
    rows = fo.query(env, set_name, args.get("$filter"), select, top)
    prefer = re.search(r"odata\.maxpagesize=(\d+)", request.headers.get("Prefer", ""))
    size = min(int(prefer.group(1)), DEFAULT_PAGE_SIZE) if prefer else DEFAULT_PAGE_SIZE
    skip = int(args["$skiptoken"]) if args.get("$skiptoken", "").isdigit() else 0
    page = rows[skip:skip + size]
    body = {"@odata.context": f"{_base()}/fo/{env.name}/data/$metadata#{set_name}", "value": page}
    if skip + size < len(rows):
        query = {k: v for k, v in args.items() if k != "$skiptoken"}
        query["$skiptoken"] = str(skip + size)
        body["@odata.nextLink"] = f"{request.base_url}?{urlencode(query)}"
    return jsonify(body)


def _action(fo, env, name):
    handler = dmf_actions.ACTIONS.get(name)
    _count(name)
    if handler is None:
        raise ODataError(404, f"Resource not found for the segment 'Microsoft.Dynamics.DataEntities.{name}'.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ODataError(400, "The action expects a JSON object with its parameters.")
    value = handler(fo, env, body, _base())
    return jsonify(dict(fo.value(value), **{"@odata.context": f"{_base()}/fo/{env.name}/data/$metadata#Edm.String"}))


def _batch(fo, env):
    """One changeset at a time, each in one transaction; a failing change answers for its whole changeset."""
    content_type = request.headers.get("Content-Type", "")
    if not content_type.startswith("multipart/mixed"):
        raise ODataError(400, "A $batch request must be multipart/mixed.")
    document = ("Content-Type: %s\r\n\r\n" % content_type).encode("latin-1") + request.get_data()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(document)
    answers = []
    for part in message.iter_parts():
        if part.get_content_type() == "multipart/mixed":
            answers.append(("changeset", _changeset(fo, env, list(part.iter_parts()))))
        else:
            answers.append(("single", [_run_part(fo, env, part, None)]))
    return _batch_response(answers)


def _changeset(fo, env, parts):
    store = fo.store(env)
    try:
        with store.transaction() as cur:
            return [_run_part(fo, env, part, cur, strict=True) for part in parts]
    except ODataError as exc:
        body = _odata_error(exc.status, str(exc)).get_data(as_text=True)
        return [(getattr(exc, "content_id", None), exc.status, body)]


def _run_part(fo, env, part, cur, strict=False):
    content_id = part.get("Content-ID")
    text = (part.get_payload(decode=True) or b"").decode("utf-8")
    head, _sep, body = text.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    method, url = lines[0].split()[:2]
    headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
    path = url.split("/data/", 1)[-1].split("?", 1)[0]
    from urllib.parse import unquote

    try:
        import json

        payload = json.loads(body) if body.strip() else None
        match = RECORD_RE.match(unquote(path))
        set_name, key = (match.group(1), _parse_key(fo, match.group(1), match.group(2))) if match else (path, None)
        fo.change(env, method, set_name, key, payload, headers.get("if-match"), cur)
        return (content_id, 201 if method == "POST" else 204, "")
    except (ODataError, ValueError) as exc:
        status = getattr(exc, "status", 400)
        if strict:
            error = ODataError(status, str(exc))
            error.content_id = content_id
            raise error from None
        return (content_id, status, _odata_error(status, str(exc)).get_data(as_text=True))


def _batch_response(answers):
    boundary = "batchresponse_%s" % uuid.uuid4()
    lines = []
    for kind, results in answers:
        lines.append("--" + boundary)
        inner = "changesetresponse_%s" % uuid.uuid4() if kind == "changeset" else None
        if inner:
            lines += ["Content-Type: multipart/mixed; boundary=" + inner, ""]
        for content_id, status, body in results:
            if inner:
                lines.append("--" + inner)
            lines += ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
            lines += ["Content-ID: %s" % content_id] if content_id else []
            reason = {201: "Created", 204: "No Content"}.get(status, "Error")
            lines += ["", "HTTP/1.1 %d %s" % (status, reason)]
            lines += ["Content-Type: application/json; odata.metadata=minimal", "", body] if body else [""]
        if inner:
            lines.append("--%s--" % inner)
    lines += ["--%s--" % boundary, ""]
    return Response("\r\n".join(lines), status=200, content_type="multipart/mixed; boundary=" + boundary)


# -- package blobs --------------------------------------------------------------------------------------
@blueprint.route("/_blobs/dmf/<path:name>", methods=["GET", "HEAD", "PUT"])
def blob(name):
    fo = backend()
    needed = "w" if request.method == "PUT" else "r"
    expiry, signature = request.args.get("se", ""), request.args.get("sig", "")
    if request.args.get("sp") != needed or not expiry or not signature or not hmac.compare_digest(
            fo.signer.sign(name, expiry, needed), signature):
        return _storage_error(403, "AuthenticationFailed", "Server failed to authenticate the request.")
    if formats.parse_iso_z(expiry) <= fo.now():
        return _storage_error(403, "AuthenticationFailed", "Signed expiry time must be after signed start time.")
    stored = fo.blobs.get(name)
    if request.method == "PUT":
        if request.headers.get("x-ms-blob-type") != "BlockBlob":
            return _storage_error(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request "
                                                                "is not specified: x-ms-blob-type.")
        if stored is None:
            return _storage_error(404, "BlobNotFound", "The specified blob does not exist.")
        stored.data = request.get_data()
        return Response(status=201)
    if stored is None or stored.data is None:
        return _storage_error(404, "BlobNotFound", "The specified blob does not exist.")
    return _blob_body(fo, stored.data)


def _blob_body(fo, data):
    start = 0
    match = re.match(r"bytes=(\d+)-$", request.headers.get("Range", ""))
    if match:
        start = int(match.group(1))
        if start >= len(data):
            return _storage_error(416, "InvalidRange", "The range specified is invalid for the current size.")
    cut = fo.faults.get("download_cut_bytes")
    headers = {"x-ms-blob-type": "BlockBlob", "Accept-Ranges": "bytes", "Content-Length": str(len(data) - start)}
    status = 200
    if match:
        status = 206
        headers["Content-Range"] = "bytes %d-%d/%d" % (start, len(data) - 1, len(data))
    if request.method == "HEAD":
        return Response(status=status, headers=headers)
    if cut:
        fo.faults["download_cut_bytes"] = None  # once: the connection breaks off after ``cut`` bytes

        def broken():
            yield data[start:start + cut]
            # the break-off lasts long enough for the URL's signature to expire before the client resumes
            fo.advance(fo.settings["package_url_lifetime_seconds"] + 1)
            raise ConnectionAbortedError("emulated break-off mid-download")

        return Response(broken(), status=status, headers=headers, mimetype="application/zip")
    return Response(data[start:], status=status, headers=headers, mimetype="application/zip")


# -- admin ---------------------------------------------------------------------------------------------
@blueprint.post("/_emulator/fo/settings")
def settings():
    fo = backend()
    body = request.get_json(silent=True) or {}
    unknown = set(body) - set(fo.settings) - set(fo.faults)
    if unknown:
        response = jsonify({"error": f"unknown setting {sorted(unknown)[0]}"})
        response.status_code = 400
        return response
    with fo.lock:
        for key, value in body.items():
            (fo.settings if key in fo.settings else fo.faults)[key] = value
    return jsonify({"settings": fo.settings, "faults": fo.faults})


@blueprint.get("/_emulator/fo/counters")
def counters():
    fo = backend()
    return jsonify(fo.counters()["fo_app"])


@blueprint.post("/_emulator/fo/reset")
def reset():
    fo = backend()
    with current_emulator().lock:
        fo.reset()
    return jsonify({"ok": True})
