# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the hosts of one playbook run share about one LCS project: its listing, reads and rate limits.

The environment-metadata and history limits are per project (6 calls per project per minute,
lcs-api.md §4.1; https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/database/api/v1/reference-get-environment-metadata),
so a fleet of targets must spend them together. The hosts run in separate processes (Ansible forks),
so they share a directory the action plugins create per project and run
(plugin_utils/lcs_project_run.py), with one file lock per entry:

- the project's environment listing, read once (paged) by the first host and reused by all;
- history reads that only inform (preflight, check-mode plans, following an operation by id), read
  once per environment; a start never uses them (LcsClient reads the target's history fresh right
  before it starts), and records the operation it started on top of them;
- a rate gate: calls are admitted at most 6 per project per minute per limit, and a 429 closes the
  gate for every host until its Retry-After has passed, so it is waited out once, not host by host.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time

try:
    import fcntl
except ImportError:  # not POSIX: nothing is shared, every host reads for itself
    fcntl = None

# limit -> (calls, window seconds) per project (lcs-api.md §4.1)
PROJECT_LIMITS = {"metadata": (6, 60.0), "history": (6, 60.0)}
# the service records a call slightly after we admit it; keep our window that much longer
ADMIT_MARGIN = 1.0


def limit_of(path):
    """The per-project limit a request path counts against, None for unlimited endpoints."""
    if "environmentinfo/v1/detail/" in path:
        return "metadata"
    if "environmentinfo/v1/history/" in path:
        return "history"
    return None


def open_project_run(directory, sleep=time.sleep, alive=lambda: True):
    """The shared run state in ``directory`` (made by the action plugin), None when it cannot be shared."""
    if not directory or fcntl is None or not os.path.isdir(directory):
        return None
    return ProjectRun(directory, sleep=sleep, alive=alive)


class ProjectRun:
    """``sleep`` and ``alive`` come from the module's lifeline: a gate wait ends with its controller."""

    def __init__(self, directory, sleep=time.sleep, clock=time.time, alive=lambda: True):
        self.directory = directory
        self.sleep = sleep
        self.clock = clock
        self.alive = alive

    # -- shared reads ----------------------------------------------------------------------------
    def environments(self, read):
        """The project's environment rows: read by the first host of the run, reused by the others."""
        return self._once("environments", read)

    def history(self, environment_id, read, read_at=lambda: None):
        """History rows of an environment for reads that only inform (never for a start); ``read_at()``
        is LCS's time of the read, kept for the facts derived from it."""
        entry = self._once("history-" + _safe(environment_id), lambda: {"rows": read(), "read_at": read_at()})
        return entry["rows"]

    def shared(self, name, environment_id=None):
        """What this run has already read (the listing, or an environment's history entry), None otherwise."""
        name = name if environment_id is None else name + "-" + _safe(environment_id)
        with self._locked(name):
            return self._load(name)

    @contextlib.contextmanager
    def one_reader(self, environment_id):
        """Held while one host reads an environment the run has not read yet: the others wait here and then
        take its answer from the shared reads, instead of each starting a module process to read it."""
        with self._locked("reader-" + _safe(environment_id)):
            yield

    def forget_history(self, environment_id):
        """A start may have changed the environment's history: later informative reads go to LCS."""
        name = "history-" + _safe(environment_id)
        with self._locked(name), contextlib.suppress(FileNotFoundError):
            os.unlink(self._path(name))

    def record_start(self, environment_id, row):
        """This run started an operation: informative reads see it (newest first) without asking LCS again.

        Only on top of a read of the whole history; without one, nothing is kept (a later read asks LCS)."""
        name = "history-" + _safe(environment_id)
        with self._locked(name):
            entry = self._load(name)
            if entry is not None:
                entry["rows"] = [row] + entry["rows"]
                self._store(name, entry)

    def _once(self, name, read):
        with self._locked(name):
            cached = self._load(name)
            if cached is not None:
                return cached
            value = read()
            self._store(name, value)
            return value

    def record_status(self, environment_id, operation_id, status, completed):
        """A status this run fetched for an operation in the shared read: later informative reads see it."""
        name = "history-" + _safe(environment_id)
        with self._locked(name):
            entry = self._load(name)
            rows = [row for row in (entry or {}).get("rows", []) if _safe(row.get("ActivityId")).replace("-", "")
                    == _safe(operation_id).replace("-", "")]
            for row in rows:
                row.update(Status=status, EndDateTimeUTC=completed or row.get("EndDateTimeUTC"))
            if rows:
                self._store(name, entry)

    # -- LCS's clock --------------------------------------------------------------------------------
    def note_clock_offset(self, seconds):
        with self._locked("clock"):
            self._store("clock", {"offset_seconds": seconds})

    def clock_offset(self):
        """Seconds LCS's clock was ahead of ours at this run's last limited call, None before any."""
        with self._locked("clock"):
            entry = self._load("clock")
        return entry.get("offset_seconds") if entry else None

    # -- the rate gate ---------------------------------------------------------------------------
    def admit(self, limit):
        """Wait until the project's limit allows one more call (and no 429 holds the gate), then count it.

        Returns the call's slot for ``settle``."""
        calls, window = PROJECT_LIMITS[limit]
        while True:
            with self._locked("gate"):
                state = self._load("gate") or {}
                now = self.clock()
                recent = sorted(t for t in state.get(limit, []) if t > now - window - ADMIT_MARGIN)
                wait = state.get(limit + "-closed-until", 0) - now
                if len(recent) >= calls:
                    wait = max(wait, recent[len(recent) - calls] + window + ADMIT_MARGIN - now)
                if wait <= 0 or not self.alive():
                    state[limit] = recent + [now]
                    self._store("gate", state)
                    return now
            self.sleep(min(wait, window))

    def settle(self, limit, slot):
        """The call has been answered: LCS counted it at the latest now, so its slot frees a minute from now
        (sign-in and a loaded machine can delay the request well after it was admitted)."""
        with self._locked("gate"):
            state = self._load("gate") or {}
            calls = state.get(limit, [])
            if slot in calls:
                calls[calls.index(slot)] = self.clock()
                self._store("gate", state)

    def close(self, limit, seconds):
        """A 429 on a shared limit: every host waits ``seconds`` (the Retry-After) before its next call."""
        with self._locked("gate"):
            state = self._load("gate") or {}
            key = limit + "-closed-until"
            state[key] = max(state.get(key, 0), self.clock() + float(seconds))
            self._store("gate", state)

    # -- files -----------------------------------------------------------------------------------
    def _path(self, name):
        return os.path.join(self.directory, name + ".json")

    @contextlib.contextmanager
    def _locked(self, name):
        with open(os.path.join(self.directory, name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _load(self, name):
        try:
            with open(self._path(name)) as handle:
                return json.load(handle)
        except (FileNotFoundError, ValueError):
            return None

    def _store(self, name, value):
        # written whole, then renamed: a reader never sees half a file
        temporary = self._path(name) + ".tmp%d" % os.getpid()
        with open(temporary, "w") as handle:
            json.dump(value, handle)
        os.replace(temporary, self._path(name))


def _safe(text):
    return re.sub(r"[^0-9A-Za-z-]", "_", str(text)).lower()
