# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packages to and from the environment's blob storage through signed (SAS) URLs.

No Authorization header ever goes to storage: the signature in the URL is the credential, and it is
redacted wherever a URL is shown. Downloads stream into ``<dest>.part`` and resume with ``Range`` after a
dropped connection; an expired signature (403) asks the caller for a fresh URL and carries on.
"""

from __future__ import annotations

import hashlib
import os

from .._http import HttpError, requests_exceptions

# small reads: a connection that breaks off loses at most one chunk, which the resume fetches again
CHUNK_BYTES = 64 * 1024
MAX_RESUMES = 20
MAX_SINGLE_PUT_BYTES = 5000 * 1024 * 1024  # Put Blob limit (x-ms-version 2019-12-12 and later)
BLOB_HEADERS = {"x-ms-version": "2020-10-02"}


class TransferError(Exception):
    transient = False


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def upload(blob_http, url, path):
    """Put ``path`` as one block blob (F&O's GetAzureWriteUrl container needs x-ms-blob-type: BlockBlob)."""
    size = os.path.getsize(path)
    if size > MAX_SINGLE_PUT_BYTES:
        raise TransferError("the package is %d bytes; one upload takes at most 5000 MiB: split the data project "
                            "into smaller packages" % size)
    headers = dict(BLOB_HEADERS, **{"x-ms-blob-type": "BlockBlob", "Content-Type": "application/zip",
                                    "Content-Length": str(size)})
    # Put Blob replaces the whole blob, so a repeat after a lost answer is harmless
    blob_http.request("PUT", url, data=lambda: open(path, "rb"), headers=headers, idempotent=True)
    return size


def remote_size(blob_http, url):
    """Size of the blob behind ``url``, or None when it is gone (packages are kept 7 days)."""
    try:
        response = blob_http.request("HEAD", url, headers=BLOB_HEADERS)
    except HttpError as exc:
        if exc.status in (403, 404):
            return None
        raise
    length = response.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def download(blob_http, fresh_url, dest, on_progress=None):
    """Stream the blob to ``dest``; ``fresh_url()`` returns a new signed URL whenever the old one expired.

    Returns the number of bytes. A ``<dest>.part`` left by an earlier, interrupted run is continued.
    """
    part = dest + ".part"
    url = fresh_url()
    resumes = 0
    total = None
    while True:
        offset = os.path.getsize(part) if os.path.exists(part) else 0
        if total is not None and offset >= total:
            break
        if resumes > MAX_RESUMES:
            raise TransferError("the download of %s kept breaking off (%d resumes); re-run the task to continue "
                                "from the %d bytes already in %s" % (os.path.basename(dest), MAX_RESUMES, offset, part))
        headers = dict(BLOB_HEADERS, **({"Range": "bytes=%d-" % offset} if offset else {}))
        try:
            response = blob_http.request("GET", url, headers=headers, stream=True)
            total = _total_size(response, offset)
            if offset and response.status_code == 200:
                offset = 0  # the server ignored the range: start over rather than append the whole blob
            _write_stream(response, part, offset, on_progress, total)
            if os.path.getsize(part) >= (total or 0):
                break
        except HttpError as exc:
            if exc.status == 416 and offset:
                break  # the part file already holds every byte
            if exc.status != 403:
                raise
            url = fresh_url()  # the signature expired (403) between two ranges: ask F&O for a new one
        except requests_exceptions.RequestException:
            pass  # the connection broke off mid-stream: the next round resumes from what arrived
        resumes += 1
    os.replace(part, dest)
    return os.path.getsize(dest)


def _total_size(response, offset):
    content_range = response.headers.get("Content-Range") or ""
    if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
        return int(content_range.rsplit("/", 1)[1])
    length = response.headers.get("Content-Length")
    if length and length.isdigit():
        return int(length) + (offset if response.status_code == 206 else 0)
    return None


def _write_stream(response, part, offset, on_progress, total):
    mode = "ab" if offset else "wb"
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if offset else os.O_TRUNC), 0o600)
    with os.fdopen(fd, mode) as handle:
        written = offset
        for block in response.iter_content(CHUNK_BYTES):
            handle.write(block)
            written += len(block)
            if on_progress is not None:
                on_progress(written, total)
