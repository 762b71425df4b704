# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resumable, verified transfer of one file behind an expiring signed link (an Azure blob SAS URL).

The transfer knows nothing about LCS: it asks ``fresh_link()`` for a link whenever it needs one
(at the start, and again when the storage service refuses the current one, which is how an
expired SAS shows). Bytes go to an open partial file; after a dropped connection the transfer
continues with an HTTP ``Range`` request from the byte where it stopped, guarded by ``If-Match``
on the blob's ETag so a blob that changed in between is never stitched onto the old bytes.
The SHA-256 is computed while the bytes stream, so verification costs no second read.
The signed link is never put into a message: errors name the path only.
"""

from __future__ import annotations

import errno
import hashlib
import re
import shutil
import time
import traceback

from ._download_progress import human_bytes
from ._http import RetryPolicy, parse_retry_after
from ._redact import redact

try:
    import requests
    from requests import exceptions as requests_exceptions
    from urllib3 import exceptions as urllib3_exceptions
except ImportError:  # pragma: no cover - reported through missing_required_lib
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    STREAM_ERRORS = (OSError,)
else:
    REQUESTS_IMPORT_ERROR = None
    # what a dropped or stalled connection raises while the body streams
    STREAM_ERRORS = (requests_exceptions.ConnectionError, requests_exceptions.ChunkedEncodingError,
                     requests_exceptions.Timeout, urllib3_exceptions.HTTPError)

# bytes read before a connection drops inside a chunk are lost (urllib3 raises for the whole read),
# so the chunk is big enough to keep the per-chunk overhead small and small enough to lose little
CHUNK_BYTES = 256 * 1024
PROGRESS_EVERY_SECONDS = 0.5
RETRYABLE_STATUSES = frozenset((408, 429, 500, 502, 503, 504))
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_NO_SPACE = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG)


class DownloadError(Exception):
    """A transfer that cannot finish; the message says what to change. ``details`` go into the result."""

    def __init__(self, message, **details):
        super().__init__(redact(message))
        self.details = details


class NotEnoughSpaceError(DownloadError):
    """Found before writing: the rest of the file cannot fit (a partial file is kept for later)."""


class DiskFullError(DownloadError):
    """The disk filled while writing (someone else used the space): the partial file is given back."""


def parse_content_range(header):
    """``bytes 100-199/1000`` -> (100, 199, 1000); the total is None for ``*``; None if unreadable."""
    match = _CONTENT_RANGE.match(header or "")
    if not match:
        return None
    total = None if match.group(3) == "*" else int(match.group(3))
    return int(match.group(1)), int(match.group(2)), total


def free_bytes(directory):
    return shutil.disk_usage(directory).free


def check_free_space(directory, needed, free=free_bytes):
    """Fail before the first byte when ``needed`` bytes cannot fit in ``directory``."""
    available = free(directory)
    if needed > available:
        facts = (directory, human_bytes(needed), human_bytes(available), human_bytes(needed - available))
        raise NotEnoughSpaceError(
            "not enough free space in %s: the download needs %s more, %s is free; free at least %s there or set "
            "dest to a disk with more room" % facts, needed_bytes=needed, free_bytes=available)


class Probe:
    """What a HEAD request tells about the blob without downloading it (check mode)."""

    def __init__(self, size, etag):
        self.size = size
        self.etag = etag


class Transfer:
    """Streams one blob into ``part`` (an open binary file positioned at its end).

    ``offset`` and ``sha256`` describe the bytes already in ``part`` (from an earlier run);
    ``size`` and ``etag`` are what that earlier run learned about the blob, if anything.
    """

    def __init__(self, fresh_link, session, part, directory, timeout=60, verify=True, retries=10,
                 offset=0, sha256=None, size=None, etag=None, on_progress=None, on_event=None, on_size=None,
                 clock=time.monotonic, sleep=time.sleep, free=free_bytes, retry_policy=None):
        self.fresh_link = fresh_link
        self.session = session
        self.part = part
        self.directory = directory
        self.timeout = timeout
        self.verify = verify
        self.retries = retries
        self.offset = offset
        self.hasher = sha256 or hashlib.sha256()
        self.size = size
        self.etag = etag
        self.on_progress = on_progress or (lambda offset, size: None)
        self.on_event = on_event or (lambda text: None)
        self.on_size = on_size or (lambda size, etag: None)
        self.clock = clock
        self.sleep = sleep
        self.free = free
        self.policy = retry_policy or RetryPolicy(base_delay=1.0, max_delay=30.0)
        self.started_from = offset
        self.resumes = 0
        self.link_refreshes = 0
        self.restarts = 0
        self._link = None
        self._failures = 0
        self._last_progress = 0.0

    # -- the loop -------------------------------------------------------------------------------

    def run(self):
        """Download until the blob is complete; returns the hex SHA-256 of the whole file."""
        while self.size is None or self.offset < self.size:
            if self._link is None:
                self._link = self.fresh_link()
            response = self._request()
            if response is None:
                continue
            with response:
                if not self._accept(response):
                    continue
                self._stream(response)
        if self.offset != self.size:
            raise DownloadError("received %d bytes but the storage service announced %d; re-run the task to "
                                "download the backup again" % (self.offset, self.size))
        self.on_progress(self.offset, self.size)
        return self.hasher.hexdigest()

    def _request(self):
        headers = {"x-ms-version": "2020-10-02"}
        if self.offset:
            headers["Range"] = "bytes=%d-" % self.offset
        if self.etag and self.offset:
            headers["If-Match"] = self.etag
        try:
            return self.session.get(self._link, headers=headers, stream=True, timeout=(self.timeout, self.timeout),
                                    verify=self.verify)
        except requests_exceptions.SSLError as exc:
            raise DownloadError("TLS verification of the storage host failed (%s); set ca_path to the issuing CA "
                                "bundle" % exc.__class__.__name__) from None
        except STREAM_ERRORS as exc:
            self._failed("could not connect (%s)" % exc.__class__.__name__)
            return None
        except requests_exceptions.RequestException as exc:
            # the exception's text holds the signed link: only its class is ever shown
            raise DownloadError("the download link LCS gave cannot be used (%s); re-run later"
                                % exc.__class__.__name__) from None

    def _accept(self, response):
        """Decide what a response means; True when its body continues the file at ``offset``."""
        status = response.status_code
        if status == 403:
            self._refresh_link(response)
            return False
        if status == 404:
            raise DownloadError("the storage service no longer has the backup file (HTTP 404); it may have been "
                                "deleted from the LCS asset library; list backups with lcs_database_backup_info",
                                http_status=404, request_id=response.headers.get("x-ms-request-id"))
        if status in (412, 416):
            # the blob changed since the partial bytes were fetched
            self._restart("the backup file changed on the storage service" if status == 412
                          else "the storage service could not continue the partial download")
            return False
        if status == 200 and self.offset:
            # the service ignored Range: this body is the whole file again, so take it from byte 0
            self._restart("the storage service sent the whole file instead of the rest")
        if status in RETRYABLE_STATUSES:
            self._failed("HTTP %d" % status, parse_retry_after(response.headers.get("Retry-After")))
            return False
        if status not in (200, 206):
            raise DownloadError("the storage service answered HTTP %d (%s); re-run later or check the LCS asset "
                                "library" % (status, _error_code(response)), http_status=status,
                                request_id=response.headers.get("x-ms-request-id"))
        return self._learn_size(response)

    def _learn_size(self, response):
        if response.status_code == 206:
            parsed = parse_content_range(response.headers.get("Content-Range"))
            if parsed is None or parsed[0] != self.offset or parsed[2] is None:
                self._restart("the storage service answered an unreadable Content-Range")
                return False
            total = parsed[2]
        else:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is None:
                raise DownloadError("the storage service sent no Content-Length, so the size cannot be checked; "
                                    "re-run later")
        if self.size is not None and total != self.size:
            self._restart("the backup file's size changed on the storage service")
            return False
        etag = response.headers.get("ETag")
        if self.etag and etag and etag != self.etag and self.offset:
            self._restart("the backup file changed on the storage service")
            return False
        check_free_space(self.directory, total - self.offset, self.free)
        if (total, etag or self.etag) != (self.size, self.etag):
            self.size, self.etag = total, etag or self.etag
            self.on_size(self.size, self.etag)
        return True

    def _stream(self, response):
        received = 0
        try:
            for chunk in response.iter_content(CHUNK_BYTES):
                self._write(chunk)
                received += len(chunk)
        except STREAM_ERRORS as exc:
            self._failed("connection dropped (%s)" % exc.__class__.__name__, progressed=received > 0)
            return
        except requests_exceptions.RequestException as exc:
            raise DownloadError("the storage service sent a body that cannot be read (%s); re-run the task"
                                % exc.__class__.__name__) from None
        if self.offset < self.size:
            self._failed("connection ended early", progressed=received > 0)

    def _write(self, chunk):
        try:
            view = memoryview(chunk)
            while view:  # an unbuffered write may be short (a filling disk says so before ENOSPC)
                view = view[self.part.write(view):]
        except OSError as exc:
            if exc.errno in _NO_SPACE:
                raise DiskFullError("the disk holding %s filled up after %s of %s (%s); the partial download was "
                                    "removed to give the space back; free at least %s there and re-run, or set "
                                    "dest to a disk with more room"
                                    % (self.directory, human_bytes(self.offset), human_bytes(self.size),
                                       exc.strerror, human_bytes(self.size)), needed_bytes=self.size) from None
            raise
        self.hasher.update(chunk)
        self.offset += len(chunk)
        now = self.clock()
        if now - self._last_progress >= PROGRESS_EVERY_SECONDS:
            self._last_progress = now
            self.on_progress(self.offset, self.size)

    # -- recovery -------------------------------------------------------------------------------

    def _failed(self, what, retry_after=None, progressed=False):
        """A transient failure: wait (full-jitter backoff) and try again, or give up after ``retries``."""
        # only failures in a row count: a long download over a flaky line must be able to finish
        self._failures = 1 if progressed else self._failures + 1
        if self._failures > self.retries:
            raise DownloadError("%s; gave up after %d attempts in a row without progress. The partial download is "
                                "kept: re-run the task to continue from %s, or raise retries"
                                % (what, self._failures, human_bytes(self.offset)),
                                bytes_done=self.offset)
        self.resumes += 1
        self.on_event("%s; resuming from %s (attempt %d of %d)"
                      % (what, human_bytes(self.offset), self._failures, self.retries))
        self.sleep(self.policy.delay_for(self._failures - 1, retry_after=retry_after))

    def _refresh_link(self, response):
        """A 403 is how an expired or revoked SAS shows: ask LCS for a fresh link, then continue."""
        self.link_refreshes += 1
        if self.link_refreshes > self.retries:
            raise DownloadError("the storage service refused %d download links in a row (HTTP 403 %s); check that "
                                "the controller's clock is right and that your LCS user can still read the "
                                "project's asset library, then re-run" % (self.link_refreshes, _error_code(response)),
                                http_status=403, request_id=response.headers.get("x-ms-request-id"))
        self.on_event("the download link was refused (HTTP 403 %s, usually an expired link); asking LCS for a fresh "
                      "one and continuing from %s" % (_error_code(response), human_bytes(self.offset)))
        if self.link_refreshes > 1:
            self.sleep(self.policy.delay_for(self.link_refreshes - 2))
        self._link = self.fresh_link()

    def _restart(self, why):
        self.restarts += 1
        if self.restarts > self.retries:
            raise DownloadError("%s %d times while downloading; re-run the task when the backup is stable" % (
                why, self.restarts))
        self.on_event("%s; starting again from the first byte" % why)
        self.part.seek(0)
        self.part.truncate()
        self.offset = 0
        self.hasher = hashlib.sha256()
        self.size = None
        self.etag = None


def probe(link, session, timeout=60, verify=True):
    """Size and ETag of the blob from a HEAD request (reads nothing of the file)."""
    try:
        response = session.head(link, headers={"x-ms-version": "2020-10-02"}, timeout=(timeout, timeout),
                                verify=verify, allow_redirects=True)
    except (requests_exceptions.RequestException, urllib3_exceptions.HTTPError) as exc:
        raise DownloadError("could not reach the storage service (%s); re-run later" % exc.__class__.__name__) from None
    if response.status_code >= 400:
        raise DownloadError("the storage service answered HTTP %d (%s) to a size request; re-run later"
                            % (response.status_code, _error_code(response)), http_status=response.status_code)
    length = response.headers.get("Content-Length")
    return Probe(int(length) if length and length.isdigit() else None, response.headers.get("ETag"))


def new_session():
    if requests is None:  # pragma: no cover - the module reports missing_required_lib first
        raise ImportError("the requests library is required")
    session = requests.Session()
    # no Authorization header: the SAS in the link is the credential, and the LCS token must not leak to storage
    session.headers["User-Agent"] = "d365fo.dataalm"
    return session


def _error_code(response):
    """Azure storage errors carry x-ms-error-code (and an XML body); never the link."""
    code = response.headers.get("x-ms-error-code")
    if code:
        return code
    match = re.search(r"<Code>([^<]{1,80})</Code>", response.text[:2000] if response.content else "")
    return match.group(1) if match else "no error code"
