# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Progress of a long module step, written where the controller can read it while the module runs.

A module prints nothing until it exits. When the action plugin of the module (plugin_utils/progress.py)
runs it, it names a file in the environment variable ``D365FO_DATAALM_PROGRESS_FILE``; the module
overwrites that file with its latest state (a small JSON object: step, status, done, total, unit) and
the plugin prints a line from it every few seconds. Without the variable (the module run without its
action plugin, for example by ansible-test or another controller) every call is a no-op.

The state holds counts and names only, never a value from the database or a credential.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

PROGRESS_FILE_ENV = "D365FO_DATAALM_PROGRESS_FILE"


class Progress:
    """Latest state of a long step; writes at most once per ``min_interval`` seconds."""

    def __init__(self, path, min_interval=1.0, clock=time.monotonic):
        self.path = path
        self.min_interval = min_interval
        self.clock = clock
        self._written_at = None

    def update(self, step, done=None, total=None, unit="rows", status="running", fraction=None, force=False):
        """Record that ``step`` has ``done`` of ``total`` (None when not known) ``unit``."""
        now = self.clock()
        if not force and self._written_at is not None and now - self._written_at < self.min_interval:
            return
        state = {"step": step, "status": status, "done": done, "total": total, "unit": unit, "fraction": fraction}
        temporary = "%s.%d.tmp" % (self.path, os.getpid())
        try:
            with open(temporary, "w") as handle:
                json.dump(state, handle)
            os.replace(temporary, self.path)  # readers never see half a state
        except OSError:
            return  # progress is a courtesy: never fail the step because of it
        self._written_at = now


class NoProgress:
    """Stand-in when nobody reads the progress."""

    def update(self, *args, **kwargs):
        return None


def from_environment():
    path = os.environ.get(PROGRESS_FILE_ENV)
    return Progress(path) if path else NoProgress()
