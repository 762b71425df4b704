# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one instant of a pair movement: parsed once, in UTC, and shown in the controller's local time too.

Both sides use the same value (Microsoft: "choose the same point in time value" for both platforms).
The LCS portal's own input format for a point-in-time restore is not documented, so the instruction shows
the instant in UTC and in the controller's local time and says so (docs/linked-environments.md).
"""

from __future__ import annotations

from .._dates import format_datetime
from .._pp.lifecycle_checks import parse_restore_point


def pair_instant(value, now):
    """(aware UTC instant, how it was given) from RFC 3339 with an offset or ``latest``; InputError otherwise."""
    return parse_restore_point(value, now)


def describe_instant(instant):
    """The instant in UTC and in the controller's local time, for the report and the person's instruction."""
    local = instant.astimezone()
    return {
        "instant": format_datetime(instant),
        "instant_local": local.strftime("%Y-%m-%d %H:%M:%S ") + (local.tzname() or local.strftime("%z")),
        "instant_local_offset": local.strftime("%z"),
    }
