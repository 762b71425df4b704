# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The idempotency window of a movement task, as users write it: ``max_age`` durations and ``not_before`` times.

ISO 8601 with a time zone: https://docs.python.org/3/library/datetime.html#datetime.datetime.fromisoformat
"""

from __future__ import annotations

import datetime
import re

from .._dates import UTC, format_datetime
from .errors import InputError

_DURATION_RE = re.compile(r"^\s*(?:(\d+)\s*w)?\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?"
                          r"\s*(?:(\d+)\s*s?)?\s*$", re.I)
_HAS_TIME_RE = re.compile(r"\d[T ]\d")


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
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None:
        raise InputError("not_before must be an ISO 8601 timestamp with a time zone, e.g. 2026-11-20T18:00:00Z; "
                         "got %r" % value)
    if parsed.tzinfo is None or not _HAS_TIME_RE.search(text):
        # a date alone has no zone in Python's reading even when one is written ('2026-03-04Z'); suggest
        # forms built from the parsed value, so every suggestion is itself accepted
        stamp = parsed.replace(tzinfo=None).isoformat(timespec="seconds")
        raise InputError("not_before %r has no time of day with a time zone; write it in full, e.g. %sZ or %s+01:00"
                         % (value, stamp, stamp))
    parsed = parsed.astimezone(UTC)
    if parsed > now + datetime.timedelta(minutes=5):
        raise InputError("not_before %s is in the future, so no finished operation could ever satisfy it; use a "
                         "past timestamp" % format_datetime(parsed))
    return parsed
