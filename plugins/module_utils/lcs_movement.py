# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Idempotent database movements: decide between start, join and nothing, then do it.

The environment's LCS history is the single source of truth, so a re-run after the controller died
finds the operation it started and waits on it instead of starting a second one.
"""

from __future__ import annotations

import datetime
import re

from .lcs import (OPERATION_KINDS, UTC, LcsError, LcsQuotaError, next_start_allowed, normalize_guid,
                  parse_datetime, format_datetime)
from .operations import Operation

STARTED = "started"
JOINED = "joined"
NONE = "none"
_DURATION_RE = re.compile(r"^\s*(?:(\d+)\s*w)?\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?"
                          r"\s*(?:(\d+)\s*s?)?\s*$", re.I)
BACKUP_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,127}$")
ALL_MOVEMENT_TYPES = tuple(t for types in OPERATION_KINDS.values() for t in types)


class InputError(ValueError):
    """Bad input detected before any call that changes something; the message says what to change."""


def parse_duration(value):
    """Seconds from '36h', '1d12h', '90m', '2w', '3600' or '3600s'."""
    if value is None:
        return None
    text = str(value).strip()
    match = _DURATION_RE.match(text)
    if not text or not match or not any(match.groups()):
        raise InputError("max_age must be a duration such as 12h, 1d, 1d12h, 90m or a number of seconds; got %r"
                         % value)
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds
    if total <= 0:
        raise InputError("max_age must be longer than zero; got %r" % value)
    return total


def parse_not_before(value, now):
    """An aware timestamp; naive or future values are refused because they silently change the meaning."""
    if value is None:
        return None
    text = str(value).strip()
    parsed = None
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    if parsed is None:
        raise InputError("not_before must be an ISO 8601 timestamp with a time zone, e.g. 2026-11-20T18:00:00Z; "
                         "got %r" % value)
    if parsed.tzinfo is None:
        raise InputError("not_before %r has no time zone; add one, e.g. %sZ or %s+01:00" % (value, text, text))
    parsed = parsed.astimezone(UTC)
    if parsed > now + datetime.timedelta(minutes=5):
        raise InputError("not_before %s is in the future, so no finished operation could ever satisfy it; use a "
                         "past timestamp" % format_datetime(parsed))
    return parsed


def validate_backup_name(name):
    if name is None or not str(name).strip():
        raise InputError("backup_name must not be empty; give the name the backup should have in the asset library, "
                         "e.g. uat-2026-11-21")
    if not BACKUP_NAME_RE.match(name):
        raise InputError("backup_name %r may only contain letters, digits, spaces, '_', '-' and '.', must start with "
                         "a letter or digit and be at most 128 characters; rename it" % name)
    if name.lower().endswith(".bacpac"):
        raise InputError("backup_name %r should not end in .bacpac (LCS adds the extension); drop it" % name)
    return name


def history_operations(rows, kinds=None):
    """Operations from environment history rows, newest first, optionally only of some LCS Types."""
    operations = []
    for row in rows:
        if kinds and row.get("Type") not in kinds:
            continue
        activity = row.get("ActivityId") or ""
        try:
            activity = normalize_guid(activity)
        except ValueError:
            pass
        operations.append(Operation(
            operation_id=activity or None,
            status=row.get("Status") or "Unknown",
            kind=row.get("Type"),
            name=row.get("Name"),
            environment_id=row.get("EnvironmentId"),
            started_at=parse_datetime(row.get("StartDateTimeUTC") or row.get("StartDateTimeUtc")),
            completed_at=parse_datetime(row.get("EndDateTimeUTC") or row.get("EndDateTimeUtc")),
        ))
    operations.sort(key=lambda op: op.started_at or datetime.datetime.min.replace(tzinfo=UTC), reverse=True)
    return operations


class Plan:
    def __init__(self, action, operation=None, reason="", warnings=()):
        self.action = action
        self.operation = operation
        self.reason = reason
        self.warnings = list(warnings)


def plan_movement(history_rows, kind, now, not_before=None, max_age=None, label="operation"):
    """Decide what a movement task does, from the environment's history alone.

    - an operation of the same kind still running is joined;
    - another movement running on the environment is a failure (LCS would refuse the start);
    - with a window (``not_before`` and/or ``max_age`` seconds) a successful operation of the same kind
      that started inside it means nothing to do;
    - otherwise a new operation starts.
    """
    kinds = OPERATION_KINDS[kind]
    movements = history_operations(history_rows, ALL_MOVEMENT_TYPES)
    for operation in movements:
        if operation.busy and operation.kind in kinds and operation.state != "failed":
            return Plan(JOINED, operation, "a %s is already running on the environment (operation %s); joining it"
                        % (label, operation.operation_id))
    for operation in history_operations(history_rows):
        if operation.busy:
            raise LcsError("the environment is busy with %s %s (status %s, started %s); wait until it has finished "
                           "(lcs_operation_info can wait on it), then re-run"
                           % (operation.kind or "an operation", operation.operation_id, operation.status,
                              format_datetime(operation.started_at)))
    window_start = None
    if max_age is not None:
        window_start = now - datetime.timedelta(seconds=max_age)
    if not_before is not None:
        window_start = max(window_start, not_before) if window_start else not_before
    if window_start is not None:
        for operation in movements:
            if operation.kind in kinds and operation.succeeded and operation.started_at \
                    and operation.started_at >= window_start:
                return Plan(NONE, operation, "a %s that started at %s (inside the window from %s) already succeeded"
                            % (label, format_datetime(operation.started_at), format_datetime(window_start)))
    return Plan(STARTED, None, "no %s of this kind is running%s; a new one starts"
                % (label, " or finished inside the window" if window_start else ""))


def quota_next_allowed(history_rows, now, hinted=None):
    """When LCS will accept the next start: from the history's start times, or LCS's own hint."""
    starts = [op.started_at for op in history_operations(history_rows, ALL_MOVEMENT_TYPES)]
    from_history = next_start_allowed(starts, now)
    if from_history > now:
        return from_history
    if hinted is not None and hinted > now:
        return hinted
    return None


def adopt_started_operation(history_rows, kind, attempted_at):
    """After a start whose answer was lost, find the operation it created (same kind, started since)."""
    slack = datetime.timedelta(minutes=2)
    for operation in history_operations(history_rows, OPERATION_KINDS[kind]):
        if operation.busy and operation.started_at and operation.started_at >= attempted_at - slack:
            return operation
    return None


def quota_failure(exc, history_rows, now):
    """Re-raise a quota refusal with the time the next start is allowed."""
    next_allowed = quota_next_allowed(history_rows, now, exc.next_allowed_at)
    when = format_datetime(next_allowed) if next_allowed else "once an earlier start is more than 24 hours old"
    raise LcsQuotaError("LCS allows 3 refresh/export starts per environment in 24 hours and this environment has used "
                        "them (LCS said: %s). The next start is allowed at %s; re-run then, or pass operation_id to "
                        "follow an existing operation" % (exc.error_message, when),
                        next_allowed_at=next_allowed, error_message=exc.error_message, activity_id=exc.activity_id)
