# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start quotas over a rolling window ("3 starts per environment in 24 hours"), judged from history."""

from __future__ import annotations

from .._dates import format_datetime
from .errors import QuotaExceeded


def next_start_allowed(start_times, now, limit, window):
    """When the next start fits into the rolling window, given recent operation start times."""
    recent = sorted(t for t in start_times if t is not None and now - t < window)
    if len(recent) < limit:
        return now
    return recent[len(recent) - limit] + window


class QuotaPolicy:
    """``limit`` starts of the operations ``counts(operation)`` selects, per rolling ``window``.

    ``name`` is the quota's short name (``3-per-24h``), ``describe`` the rule in a sentence and
    ``service`` the service's name, for warnings and the refusal message.
    """

    def __init__(self, limit, window, name, describe, service="the service",
                 counts=lambda operation: operation.movement is not None):
        self.limit = limit
        self.window = window
        self.name = name
        self.describe = describe
        self.service = service
        self.counts = counts

    def warning(self, next_allowed):
        """Check mode's warning when a start would probably be refused."""
        return "the %s start quota looks used up; %s is likely to refuse the start until %s" % (
            self.name, self.service, format_datetime(next_allowed))

    def starts(self, history, now):
        """Start times of counted operations inside the window."""
        return [op.started_at for op in history
                if self.counts(op) and op.started_at and now - op.started_at < self.window]

    def next_allowed(self, history, now, hinted=None):
        """When the service will accept the next start (from history, else its own hint); None if now."""
        from_history = next_start_allowed([op.started_at for op in history if self.counts(op)], now, self.limit,
                                          self.window)
        if from_history > now:
            return from_history
        if hinted is not None and hinted > now:
            return hinted
        return None

    def refused(self, exc, history, now):
        """The error to raise when the service refused a start for its quota, with the next allowed time."""
        next_allowed = self.next_allowed(history, now, getattr(exc, "next_allowed_at", None))
        when = format_datetime(next_allowed) if next_allowed else "once an earlier start is more than %s old" % (
            _describe_window(self.window))
        message = ("%s and this environment has used them (%s said: %s). The next start is allowed at %s; re-run "
                   "then, or pass operation_id to follow an existing operation"
                   % (self.describe, self.service, getattr(exc, "error_message", exc), when))
        return self.refusal(message, next_allowed, exc)

    def refusal(self, message, next_allowed, exc):
        """The exception for a refused start (a provider may return its own subclass of QuotaExceeded)."""
        return QuotaExceeded(message, next_allowed_at=next_allowed, details=error_dict(exc))


def error_dict(exc):
    return exc.to_dict() if hasattr(exc, "to_dict") else {}


def _describe_window(window):
    hours = int(window.total_seconds() // 3600)
    return "%d hours" % hours
