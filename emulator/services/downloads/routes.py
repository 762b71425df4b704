"""Exported backups behind SAS-like URLs (``se`` expiry + HMAC ``sig``), with HTTP Range support."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, request, send_file

from ... import formats
from ...routing import current_emulator

blueprint = Blueprint("downloads", __name__)


def _storage_error(status: int, code: str, message: str):
    # Azure Blob Storage answers with an XML error document
    body = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
            "</Error>")
    return Response(body, status=status, mimetype="application/xml")


@blueprint.route("/_downloads/<asset_id>/<path:file_name>", methods=["GET", "HEAD"])
def download(asset_id, file_name):
    emu = current_emulator()
    downloads = emu.backend("downloads")
    expiry = request.args.get("se", "")
    signature = request.args.get("sig", "")
    if request.args.get("sp") != "r" or not expiry or not signature:
        return _storage_error(403, "AuthenticationFailed", "Server failed to authenticate the request.")
    if not hmac.compare_digest(downloads.sas_signature(asset_id, expiry), signature):
        return _storage_error(403, "AuthenticationFailed", "Signature did not match.")
    try:
        expires = formats.parse_iso_z(expiry)
    except ValueError:
        return _storage_error(403, "AuthenticationFailed", "Signed expiry time is not valid.")
    if expires <= emu.now():
        return _storage_error(403, "AuthenticationFailed", "Signed expiry time must be after signed start time.")
    asset = downloads.asset(asset_id)
    if asset is None or asset.file_name != file_name:
        return _storage_error(404, "BlobNotFound", "The specified blob does not exist.")
    path = downloads.asset_file(asset)
    response = send_file(path, mimetype="application/octet-stream", as_attachment=True,
                         download_name=asset.file_name, conditional=True, etag=True)
    response.headers["x-ms-blob-type"] = "BlockBlob"
    return response
