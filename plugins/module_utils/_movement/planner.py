# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decide between start, join and nothing, from the environment's history alone.

The history is the single source of truth, so a re-run after the controller died finds the
operation it started and waits on it instead of starting a second one.
"""

from __future__ import annotations

import datetime

from .._dates import format_datetime
from .errors import EnvironmentBusy
from .operation import FAILED

STARTED = "started"
JOINED = "joined"
NONE = "none"

# how long before the start call an operation located afterwards may have started (clock skew)
LOCATE_SLACK = datetime.timedelta(minutes=2)


class Plan:
    def __init__(self, action, operation=None, reason="", warnings=()):
        self.action = action
        self.operation = operation
        self.reason = reason
        self.warnings = list(warnings)


def window_start(now, not_before=None, max_age=None):
    """The earliest start time that still counts as done: the later of ``not_before`` and now - ``max_age``."""
    start = None
    if max_age is not None:
        start = now - datetime.timedelta(seconds=max_age)
    if not_before is not None:
        start = max(start, not_before) if start else not_before
    return start


def running_of_kind(history, movement):
    """The newest operation of this kind still occupying the environment (a failed one is not joined)."""
    for operation in history:
        if operation.movement == movement and operation.busy and operation.state != FAILED:
            return operation
    return None


def busy_with_other(history, follow_up, busy_error=EnvironmentBusy):
    """Raise ``busy_error`` (an EnvironmentBusy) when any operation occupies the environment."""
    for operation in history:
        if operation.busy:
            raise busy_error("the environment is busy with %s %s (status %s, started %s); wait until it has "
                             "finished (%s can wait on it), then re-run"
                             % (operation.kind or "an operation", operation.operation_id, operation.status,
                                format_datetime(operation.started_at), follow_up))


def done_in_window(history, movement, start):
    """The newest successful operation of this kind that started inside the window."""
    for operation in history:
        if operation.movement == movement and operation.succeeded and operation.started_at \
                and operation.started_at >= start:
            return operation
    return None


def plan_movement(history, movement, now, not_before=None, max_age=None, label="operation",
                  follow_up="the operation info module", busy_error=EnvironmentBusy):
    """What a movement task does, given the target's history (newest first).

    - an operation of the same kind still running is joined;
    - another operation running on the environment is a failure (the service would refuse the start);
    - with a window (``not_before`` and/or ``max_age`` seconds) a successful operation of the same kind
      that started inside it means nothing to do;
    - otherwise a new operation starts.
    """
    running = running_of_kind(history, movement)
    if running is not None:
        return Plan(JOINED, running, "a %s is already running on the environment (operation %s); joining it"
                    % (label, running.operation_id))
    busy_with_other(history, follow_up, busy_error)
    start = window_start(now, not_before, max_age)
    if start is not None:
        done = done_in_window(history, movement, start)
        if done is not None:
            return Plan(NONE, done, "a %s that started at %s (inside the window from %s) already succeeded"
                        % (label, format_datetime(done.started_at), format_datetime(start)))
    return Plan(STARTED, None, "no %s of this kind is running%s; a new one starts"
                % (label, " or finished inside the window" if start else ""))


def locate_started(history, movement, attempted_at):
    """The operation a start created (same kind, busy, started since the call), or None."""
    for operation in history:
        if operation.movement == movement and operation.busy and operation.started_at \
                and operation.started_at >= attempted_at - LOCATE_SLACK:
            return operation
    return None
