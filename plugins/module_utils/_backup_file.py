# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files of one downloaded backup on the controller: ``dest``, its partial file and its record.

- ``<dest>.part`` receives the bytes; it is renamed to ``dest`` only once complete and verified,
  so ``dest`` never holds a partial backup.
- ``<dest>.part.json`` says which backup the partial file belongs to (asset id, size, ETag), so a
  later run continues it instead of starting again, and never continues a different backup.
- ``<dest>.download.json`` is the record of a finished download: backup id, name, size and the
  SHA-256 computed while downloading. A re-run that finds ``dest`` with this record (and, by
  default, the same checksum on disk) has nothing to do.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import time

from ._download import DiskFullError, DownloadError, Transfer

PART_SUFFIX = ".part"
STATE_SUFFIX = ".part.json"
RECORD_SUFFIX = ".download.json"
READ_BYTES = 4 * 1024 * 1024

ABSENT = "absent"        # nothing at dest
PRESENT = "present"      # this backup, verified: nothing to do
DIFFERENT = "different"  # an earlier download of another backup (or a damaged one): replace it
FOREIGN = "foreign"      # a file this module did not put there: replaced only with force


def file_sha256(path, hasher=None):
    """SHA-256 of a file read in large blocks; continues ``hasher`` when given."""
    hasher = hasher or hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(READ_BYTES), b""):
            hasher.update(block)
    return hasher


def resolve_dest(dest, file_name):
    """The file path: ``dest`` itself, or ``dest/<file name LCS gives>`` when dest is a directory."""
    dest = os.path.expanduser(dest)
    if dest.endswith(os.sep) or os.path.isdir(dest):
        safe = os.path.basename((file_name or "").replace("\\", "/"))
        if safe in ("", ".", ".."):
            raise DownloadError("LCS gives no usable file name for this backup; set dest to a file path")
        dest = os.path.join(dest, safe)
    directory = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(directory):
        raise DownloadError("the directory %s does not exist; create it first (ansible.builtin.file with "
                            "state: directory) or set dest to an existing directory" % directory)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise DownloadError("cannot write to %s; set dest to a directory the controller user may write to"
                            % directory)
    return os.path.abspath(dest)


def _read_json(path):
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_json(path, data, mode):
    temporary = path + ".tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(temporary, path)


class DownloadTarget:
    """``dest`` and its companion files for one backup (``backup``: id, name, file_name, created_at)."""

    def __init__(self, dest, backup, mode=0o600):
        self.backup = backup
        self.mode = mode
        self.path = resolve_dest(dest, backup.get("file_name"))
        self.directory = os.path.dirname(self.path)
        self.part_path = self.path + PART_SUFFIX
        self.state_path = self.path + STATE_SUFFIX
        self.record_path = self.path + RECORD_SUFFIX

    def record(self):
        return _read_json(self.record_path)

    def inspect(self, verify=True):
        """(state, record): what is at dest now, judged against this backup."""
        if not os.path.exists(self.path):
            return ABSENT, None
        record = self.record()
        if not record or not record.get("sha256"):
            return FOREIGN, None
        if record.get("backup_id") != self.backup.get("id"):
            return DIFFERENT, record
        if record.get("size") != os.path.getsize(self.path):
            return DIFFERENT, record
        if verify and file_sha256(self.path).hexdigest() != record["sha256"]:
            return DIFFERENT, dict(record, damaged=True)
        return PRESENT, record

    def open_part(self):
        """The partial file, continued when it belongs to this backup: (file, offset, hasher, size, etag)."""
        state = _read_json(self.state_path) or {}
        resumable = (state.get("backup_id") == self.backup.get("id") and os.path.isfile(self.part_path)
                     and isinstance(state.get("size"), int) and os.path.getsize(self.part_path) <= state["size"])
        if not resumable:
            self.discard_part()
            descriptor = os.open(self.part_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, self.mode)
            return os.fdopen(descriptor, "wb", buffering=0), 0, hashlib.sha256(), None, None
        # the hash state cannot be saved, so the bytes of the earlier run are read once more
        hasher = file_sha256(self.part_path)
        offset = os.path.getsize(self.part_path)
        return open(self.part_path, "ab", buffering=0), offset, hasher, state["size"], state.get("etag")

    def save_state(self, size, etag):
        _write_json(self.state_path, {"backup_id": self.backup.get("id"), "backup_name": self.backup.get("name"),
                                      "size": size, "etag": etag}, self.mode)

    def finish(self, sha256, size):
        """Record first, then rename: a crash in between leaves a complete part that the next run finishes."""
        record = {
            "backup_id": self.backup.get("id"),
            "backup_name": self.backup.get("name"),
            "file_name": os.path.basename(self.path),
            "created_at": self.backup.get("created_at"),
            "size": size,
            "sha256": sha256,
            "downloaded_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        _write_json(self.record_path, record, self.mode)
        os.chmod(self.part_path, self.mode)
        os.replace(self.part_path, self.path)
        self._remove(self.state_path)
        return record

    def discard_part(self):
        for path in (self.part_path, self.state_path):
            self._remove(path)

    @staticmethod
    def _remove(path):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def download_backup(target, fresh_link, session, progress=None, **transfer_options):
    """Bring the backup to ``target.path`` through its partial file; returns the transfer's facts.

    ``transfer_options`` go to Transfer (timeout, verify, retries, ...). A disk that fills while
    writing gets its space back (the partial file is removed); any other failure keeps the partial
    file, so the next run continues where this one stopped.
    """
    started = time.monotonic()
    part, offset, hasher, size, etag = target.open_part()
    transfer = Transfer(fresh_link, session, part, target.directory, offset=offset, sha256=hasher, size=size,
                        etag=etag, on_size=target.save_state,
                        on_progress=progress.update if progress else None,
                        on_event=progress.event if progress else None, **transfer_options)
    try:
        with part:
            digest = transfer.run()
    except DiskFullError:
        target.discard_part()
        raise
    except DownloadError:
        if transfer.offset == 0:
            target.discard_part()  # nothing to continue from: leave no empty file behind
        raise
    record = target.finish(digest, transfer.size)
    seconds = max(time.monotonic() - started, 1e-6)
    transferred = transfer.size - transfer.started_from if not transfer.restarts else transfer.size
    return {
        "sha256": digest,
        "size": record["size"],
        "resumed_from": transfer.started_from,
        "bytes_transferred": transferred,
        "duration_seconds": round(seconds, 3),
        "bytes_per_second": int(transferred / seconds),
        "resumes": transfer.resumes,
        "link_refreshes": transfer.link_refreshes,
        "restarts": transfer.restarts,
    }


def parse_mode(value):
    """File permissions from V('0600'), 0600 (YAML reads it as the number 384) or 384."""
    if isinstance(value, int) and not isinstance(value, bool):
        mode = value
    else:
        try:
            mode = int(str(value).strip(), 8)
        except ValueError:
            mode = -1
    if not 0 <= mode <= 0o777:
        raise ValueError("mode must be octal permissions such as '0600' or '0640'; got %r" % (value,))
    return mode
