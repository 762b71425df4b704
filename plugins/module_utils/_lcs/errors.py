# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LCS's refusals and failures, in the engine's error family."""

from __future__ import annotations

from .._movement.errors import EnvironmentBusy, MovementError, QuotaExceeded
from .._redact import redact


class LcsError(MovementError):
    """LCS refused or failed a call; ``error_message`` is LCS's own text."""

    transient = False  # True for throttling, 5xx and dropped connections: waiting longer may help

    def __init__(self, message, error_message=None, activity_id=None, status=None, request_id=None, hint=None):
        self.error_message = redact(error_message)
        self.activity_id = activity_id
        self.status = status
        self.request_id = request_id
        super().__init__(message, hint=hint)

    def to_dict(self):
        return {"error_message": self.error_message, "activity_id": self.activity_id, "http_status": self.status,
                "request_id": self.request_id}


class LcsQuotaError(QuotaExceeded, LcsError):
    """The 3-per-24-hours limit on refresh/export starts; ``next_allowed_at`` is when a start may succeed."""

    def __init__(self, message, next_allowed_at=None, **kwargs):
        self.next_allowed_at = next_allowed_at
        LcsError.__init__(self, message, **kwargs)


class LcsBusy(EnvironmentBusy, LcsError):
    """The environment is busy with another operation, so LCS would refuse the start."""
