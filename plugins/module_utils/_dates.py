# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Timestamps as LCS and users write them: the one parser the LCS client and the preflight rules share.

LCS's forms are those of its API reference and history pages, for example
https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/database/api/v1/reference-get-status
"""

from __future__ import annotations

import datetime
import re

UTC = datetime.timezone.utc

# ISO 8601 with LCS's quirks: 7 fractional digits, 'Z' or an offset without a colon, or no zone at all.
_ISO_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?)(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})?$")
# LCS's text forms: US locale ('8/5/2021 11:00 PM') and long text ('Thursday, June 30, 2022 8:52:13 PM').
_TEXT_FORMATS = (
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%A, %B %d, %Y %I:%M:%S %p",
    "%B %d, %Y %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
)


def parse_datetime(value, naive_is_utc=True):
    """Parse an ISO 8601 or LCS-style timestamp; None for empty, unset ('0001-01-01…') or unparsable values.

    Aware values keep their offset. Naive values are UTC (LCS writes UTC without a zone) unless
    ``naive_is_utc`` is false, for callers that must reject a time without a zone.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        text = str(value).strip()
        if not text or text.startswith("0001-01-01"):
            return None
        parsed = _parse_iso(text) or _parse_text(text)
        if parsed is None:
            return None
    if parsed.tzinfo is None and naive_is_utc:
        return parsed.replace(tzinfo=UTC)
    return parsed


def parse_utc(value):
    """Parse any LCS timestamp into an aware UTC datetime; None for empty or unparsable values.

    LCS mixes ISO without zone and with 7-digit fractions ('2019-09-27T15:17:35.8670000'),
    US-locale text ('8/5/2021 11:00 PM') and long text ('Thursday, June 30, 2022 8:52:13 PM'); all are UTC.
    """
    parsed = parse_datetime(value)
    return parsed.astimezone(UTC) if parsed else None


def format_datetime(value):
    """ISO 8601 UTC with a Z, for results."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(text):
    match = _ISO_RE.match(text)
    if not match:
        return None
    base, fraction, zone = match.groups()
    if fraction:
        base += "." + (fraction + "000000")[:6]
    if zone:
        zone = "+00:00" if zone in "Zz" else (zone if ":" in zone else zone[:3] + ":" + zone[3:])
        base += zone
    try:
        return datetime.datetime.fromisoformat(base)
    except ValueError:
        return None


def _parse_text(text):
    for fmt in _TEXT_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None
