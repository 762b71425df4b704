# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LCS's start quota: three refresh/export starts per environment in a rolling 24 hours.

https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/database/api/dbmovement-api-overview
(throttling); LCS refuses a further start with HTTP 200, ``IsSuccess: false`` and the text
"Maximum allowed API operations are 3 from <timestamp>".
"""

from __future__ import annotations

import datetime
import re

from .._dates import parse_utc
from .._movement import quota as _quota
from .errors import LcsQuotaError

QUOTA_LIMIT = 3
QUOTA_WINDOW = datetime.timedelta(hours=24)
_QUOTA_RE = re.compile(r"Maximum allowed API operations are\s+(\d+)\s+from\s+(\S+(?:\s+\S+\s*[AP]M)?)", re.I)


def parse_quota_message(message):
    """(limit, window reference time) from 'Maximum allowed API operations are 3 from <timestamp>'."""
    match = _QUOTA_RE.search(message or "")
    if not match:
        return None
    return int(match.group(1)), parse_utc(match.group(2))


def next_start_allowed(start_times, now, limit=QUOTA_LIMIT):
    """When the next start fits into the rolling 24 h window, given recent operation start times."""
    return _quota.next_start_allowed(start_times, now, limit, QUOTA_WINDOW)


class LcsQuota(_quota.QuotaPolicy):
    """The engine's quota policy with LCS's wording and error type."""

    def refusal(self, message, next_allowed, exc):
        return LcsQuotaError(message, next_allowed_at=next_allowed, error_message=exc.error_message,
                             activity_id=exc.activity_id)


LCS_QUOTA = LcsQuota(QUOTA_LIMIT, QUOTA_WINDOW, name="3-per-24h", service="LCS",
                     describe="LCS allows 3 refresh/export starts per environment in 24 hours")
