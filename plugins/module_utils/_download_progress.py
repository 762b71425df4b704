# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress of a download, the module's side: bytes, size, rate and what happened.

The collection's progress mechanism (module_utils/_progress.py, plugin_utils/progress.py) names a
file in ``PROGRESS_FILE_ENV``; a download writes there, at most twice a second, the bytes done,
the size, the rate over the last seconds, and the events the user should see at once (a resume, a
fresh link), which a row count cannot say. The action plugin of lcs_database_backup_download turns
it into lines. Without the variable (the module run on its own) nothing is written.
"""

from __future__ import annotations

import json
import os
import time

from ._progress import PROGRESS_FILE_ENV

RATE_WINDOW_SECONDS = 10.0
MAX_EVENTS = 50


def human_bytes(count):
    value = float(count or 0)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return ("%d %s" % (value, unit)) if unit == "B" else ("%.1f %s" % (value, unit))
        value /= 1024.0
    return "%.1f TiB" % value


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
