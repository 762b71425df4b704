# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress of a download: the module writes it to a file, the action plugin prints it.

A module can print nothing until it exits, so the action plugin (on the controller) names a
progress file in ``PROGRESS_FILE_ENV`` for the module process it starts; the module rewrites that
file (atomically, twice a second at most) with bytes done, size, rate and what happened
(resumes, fresh links), and the plugin turns it into lines at default verbosity. Without the
variable (the module run on its own) nothing is written.
"""

from __future__ import annotations

import json
import os
import time

PROGRESS_FILE_ENV = "D365FO_DATAALM_PROGRESS_FILE"
RATE_WINDOW_SECONDS = 10.0
MAX_EVENTS = 50


def human_bytes(count):
    value = float(count or 0)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return ("%d %s" % (value, unit)) if unit == "B" else ("%.1f %s" % (value, unit))
        value /= 1024.0
    return "%.1f TiB" % value


def format_seconds(seconds):
    seconds = int(max(0, seconds))
    return "%d:%02d:%02d" % (seconds // 3600, seconds % 3600 // 60, seconds % 60)


class ProgressFile:
    """Module side: bytes, size, rate over the last seconds, and events, for the action plugin to show."""

    def __init__(self, path, label, clock=time.monotonic):
        self.path = path
        self.label = label
        self.clock = clock
        self.events = []
        self._samples = []  # (clock, bytes) within the rate window
        self._last = {}

    @classmethod
    def from_environment(cls, label):
        path = os.environ.get(PROGRESS_FILE_ENV)
        return cls(path, label) if path else None

    def update(self, done, total):
        now = self.clock()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > RATE_WINDOW_SECONDS:
            self._samples.pop(0)
        first_time, first_done = self._samples[0]
        rate = (done - first_done) / (now - first_time) if now > first_time and done >= first_done else None
        self._last = {"bytes": done, "total": total, "rate": rate}
        self._write()

    def event(self, text):
        self.events.append(text)
        del self.events[:-MAX_EVENTS]
        self._write()

    def _write(self):
        data = dict(self._last, label=self.label, events=self.events)
        temporary = self.path + ".tmp"
        try:
            with open(temporary, "w") as handle:
                json.dump(data, handle)
            os.replace(temporary, self.path)
        except OSError:
            pass  # progress is a courtesy: never fail a download over it


def read_progress(path):
    """Controller side: the last progress the module wrote, or None."""
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def progress_line(data, elapsed):
    """``uat.bacpac: 1.2 GiB of 4.0 GiB (30%), 85.3 MiB/s, 0:00:34 left, elapsed 0:00:15``."""
    done, total, rate = data.get("bytes") or 0, data.get("total"), data.get("rate")
    parts = [human_bytes(done) + (" of %s (%d%%)" % (human_bytes(total), 100 * done // total) if total else "")]
    if rate:
        parts.append("%s/s" % human_bytes(rate))
        if total:
            parts.append("%s left" % format_seconds((total - done) / rate))
    parts.append("elapsed %s" % format_seconds(elapsed))
    return "%s: %s" % (data.get("label") or "download", ", ".join(parts))
