"""LCS's mixed date formats (lcs-api.md §2) and small id helpers."""

from __future__ import annotations

import datetime as dt
import uuid

VERSION_EOL = "9999-12-31T23:59:59.9999999"


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def net_datetime(value: dt.datetime | None, *, milliseconds: bool = True) -> str | None:
    """Json.NET's default for a DateTime of unspecified kind: no zone, fraction with trailing zeros
    trimmed (``2021-07-11T00:01:57.423``, or ``2021-07-11T00:01:57`` on a whole second). LCS stores SQL
    ``datetime`` values, so the fraction is cut to milliseconds by default."""
    if value is None:
        return None
    value = _utc(value)
    if milliseconds:
        value = value.replace(microsecond=(value.microsecond // 1000) * 1000)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{value.microsecond:06d}".rstrip("0")
    return f"{text}.{fraction}" if fraction else text


def seven_digit(value: dt.datetime) -> str:
    """``yyyy-MM-ddTHH:mm:ss.fffffff`` as in the quota message."""
    value = _utc(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond:06d}0"


def us_datetime(value: dt.datetime) -> str:
    """``8/5/2021 11:00 PM`` (metadata ``DeployedOnUTC``)."""
    value = _utc(value)
    hour = value.hour % 12 or 12
    return f"{value.month}/{value.day}/{value.year} {hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def iso_z(value: dt.datetime) -> str:
    """Azure storage style (SAS ``se``): ``2026-03-03T08:00:00Z``."""
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_z(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def dashless(guid: str) -> str:
    return guid.replace("-", "").lower()


def normalize_guid(text: str) -> str | None:
    """Accept a GUID with or without dashes (LCS shows both); None if it is not a GUID."""
    try:
        return str(uuid.UUID(text.strip()))
    except (ValueError, AttributeError):
        return None


def new_guid() -> str:
    return str(uuid.uuid4())
