# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packages to and from the environment's blob storage through signed (SAS) URLs.

No Authorization header ever goes to storage: the signature in the URL is the credential, and it is
redacted wherever a URL is shown. Downloads use the collection's resumable transfer (``_download``):
they stream into ``<dest>.part``, continue with ``Range`` after a dropped connection, and ask F&O for a
fresh URL when the signature expired on the way.
"""

from __future__ import annotations

import hashlib
import os

from .._download import Transfer, new_session, probe
from .._download import DownloadError

CHUNK_BYTES = 256 * 1024
MAX_SINGLE_PUT_BYTES = 5000 * 1024 * 1024  # Put Blob limit (x-ms-version 2019-12-12 and later)
BLOB_HEADERS = {"x-ms-version": "2020-10-02"}


class TransferError(Exception):
    transient = False


def sha256_of(path, limit=None):
    digest = hashlib.sha256()
    left = os.path.getsize(path) if limit is None else limit
    with open(path, "rb") as handle:
        while left > 0:
            block = handle.read(min(CHUNK_BYTES, left))
            if not block:
                break
            digest.update(block)
            left -= len(block)
    return digest


def upload(blob_http, url, path):
    """Put ``path`` as one block blob (F&O's GetAzureWriteUrl container needs x-ms-blob-type: BlockBlob)."""
    size = os.path.getsize(path)
    if size > MAX_SINGLE_PUT_BYTES:
        raise TransferError("the package is %d bytes; one upload takes at most 5000 MiB: split the data project "
                            "into smaller packages" % size)
    headers = dict(BLOB_HEADERS, **{"x-ms-blob-type": "BlockBlob", "Content-Type": "application/zip",
                                    "Content-Length": str(size)})
    handles = []

    def body():
        handle = open(path, "rb")  # noqa: SIM115 - one per attempt, all closed below
        handles.append(handle)
        return handle

    try:
        # Put Blob replaces the whole blob, so a repeat after a lost answer is harmless
        blob_http.request("PUT", url, data=body, headers=headers, idempotent=True)
    finally:
        for handle in handles:
            handle.close()
    return size


def remote_size(url, verify, timeout):
    """Size of the blob behind ``url``, or None when storage no longer has it (packages are kept 7 days)."""
    try:
        return probe(url, new_session(), timeout=timeout, verify=verify).size
    except DownloadError:
        return None


def download(fresh_url, dest, verify, timeout):
    """Stream the blob to ``dest``; ``fresh_url()`` gives a new signed URL whenever the old one expired.

    A ``<dest>.part`` left by an interrupted run is continued. Returns the hex SHA-256 of ``dest``.
    """
    part_path = dest + ".part"
    offset = os.path.getsize(part_path) if os.path.exists(part_path) else 0
    hasher = sha256_of(part_path) if offset else hashlib.sha256()
    fd = os.open(part_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as part:
        transfer = Transfer(fresh_url, new_session(), part, os.path.dirname(dest) or ".", timeout=timeout,
                            verify=verify, offset=offset, sha256=hasher)
        digest = transfer.run()
    os.replace(part_path, dest)
    return digest
