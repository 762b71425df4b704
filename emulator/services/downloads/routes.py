"""Exported backups behind SAS-like URLs (``se`` expiry + HMAC ``sig``), served the way Azure Blob
Storage serves a block blob: ``Content-Length``, ``ETag``, ``Range``/``Content-Range`` (206),
``If-Match`` (412 when the blob changed), 416 for a range past the end, XML errors with
``x-ms-error-code``. The body faults (``download_cut``, ``download_rate``) act while it streams.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, jsonify, request

from ... import formats
from ...app import DROP_FLAG
from ...routing import current_emulator
from .backend import EXPIRED, VALID

blueprint = Blueprint("downloads", __name__)


def _storage_error(status: int, code: str, message: str, **headers):
    # Azure Blob Storage answers with an XML error document and the code in x-ms-error-code
    body = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
            "</Error>")
    response = Response(body, status=status, mimetype="application/xml")
    response.headers["x-ms-error-code"] = code
    response.headers["x-ms-request-id"] = formats.new_guid()
    response.headers.update(headers)
    return response


def _refused(asset_id):
    """403 for a link that is malformed, forged or expired, with Azure's wording for each."""
    downloads = current_emulator().backend("downloads")
    expiry = request.args.get("se", "")
    signature = request.args.get("sig", "")
    if request.args.get("sp") != "r" or not expiry or not signature:
        return _storage_error(403, "AuthenticationFailed", "Server failed to authenticate the request.")
    verdict = downloads.check_signature(asset_id, expiry, signature)
    if verdict != VALID:
        message = ("Signed expiry time must be after signed start time." if verdict == EXPIRED
                   else "Signature did not match.")
        return _storage_error(403, "AuthenticationFailed", message)
    try:
        expires = formats.parse_iso_z(expiry)
    except ValueError:
        return _storage_error(403, "AuthenticationFailed", "Signed expiry time is not valid.")
    if expires <= current_emulator().now():
        return _storage_error(403, "AuthenticationFailed", "Signed expiry time must be after signed start time.")
    return None


@blueprint.route("/_downloads/<asset_id>/<path:file_name>", methods=["GET", "HEAD"])
def download(asset_id, file_name):
    refusal = _refused(asset_id)
    if refusal is not None:
        return refusal
    downloads = current_emulator().backend("downloads")
    asset = downloads.asset(asset_id)
    if asset is None or asset.file_name != file_name:
        return _storage_error(404, "BlobNotFound", "The specified blob does not exist.")
    blob = downloads.blob(asset)
    if request.headers.get("If-Match") not in (None, "*", blob.etag):
        return _storage_error(412, "ConditionNotMet", "The condition specified using HTTP conditional header(s) "
                                                      "is not met.")
    start, end, status = 0, blob.size, 200
    if request.range is not None:
        bounds = request.range.range_for_length(blob.size)
        if bounds is None:
            return _storage_error(416, "InvalidRange", "The range specified is invalid for the current size of the "
                                                       "resource.", **{"Content-Range": f"bytes */{blob.size}"})
        (start, end), status = bounds, 206
    body = b"" if request.method == "HEAD" else _body(blob, start, end, request.path, request.environ)
    response = Response(body, status=status, mimetype="application/octet-stream", direct_passthrough=True)
    response.headers["Content-Length"] = str(end - start)
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["ETag"] = blob.etag
    response.headers["x-ms-blob-type"] = "BlockBlob"
    response.headers["x-ms-request-id"] = formats.new_guid()
    response.headers["Content-Disposition"] = f'attachment; filename="{asset.file_name}"'
    if status == 206:
        response.headers["Content-Range"] = f"bytes {start}-{end - 1}/{blob.size}"
    return response


def _body(blob, start, end, path, environ):
    """The bytes ``start``..``end``; a ``download_cut`` fault ends them early, ``download_rate`` paces them."""
    downloads = current_emulator().backend("downloads")
    cut = downloads.body_fault("download_cut", path)
    rate = downloads.body_fault("download_rate", path)
    stop = end if cut is None else min(end, start + cut.spec["after_bytes"])

    def generate():
        began, sent = time.monotonic(), 0
        for piece in blob.chunks(start, stop):
            yield piece
            sent += len(piece)
            if rate is not None:
                ahead = sent / rate.spec["bytes_per_second"] - (time.monotonic() - began)
                if ahead > 0:
                    time.sleep(ahead)
        if cut is not None and stop < end:
            if cut.spec.get("expire_link"):
                downloads.expire_links()
            environ[DROP_FLAG] = True  # server.py closes the connection after these bytes

    return generate()


@blueprint.post("/_emulator/downloads/generated")
def generate_backup():
    """Admin: a backup of ``size_bytes`` generated bytes (``name``, optional ``seed``, ``project_id``)."""
    body = request.get_json(silent=True) or {}
    name, size = body.get("name"), body.get("size_bytes")
    if not isinstance(name, str) or not name or not isinstance(size, int) or size < 0:
        response = jsonify({"error": "name (string) and size_bytes (integer >= 0) are required"})
        response.status_code = 400
        return response
    try:
        asset, blob = current_emulator().backend("downloads").generate(
            name, size, seed=int(body.get("seed", 1)), project_id=body.get("project_id"))
    except KeyError as exc:
        response = jsonify({"error": str(exc)})
        response.status_code = 404
        return response
    return jsonify({"id": asset.id, "name": asset.name, "file_name": asset.file_name, "size_bytes": size,
                    "etag": blob.etag, "sha256": blob.sha256()})
