# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Refusals of a restore or copy before any mutating call, each saying what to change.

The rules are Microsoft's (power-platform.md §1.5, dataalm-2026-addendum.md §2.1): production, default and
trial environments are never targets; between finance and operations environments the supported matrix
decides; both sides need Dataverse, the same tenant and region; the restore point must carry an offset, lie
in the past and inside the source's retention window; restore, copy and create need 1 GB of free Dataverse
capacity. The service checks them again (ValidateOnly); checking here first names the option to change.
"""

from __future__ import annotations

import datetime

from .._dates import UTC, format_datetime, parse_datetime
from .._movement.errors import InputError

MIN_FREE_CAPACITY_MB = 1024
NEVER_TARGETS = ("production", "default", "trial", "subscriptionbasedtrial", "teams")
# addendum §2.1: (source management, source type, target type) between F&O environments with a unified target
FIN_OPS_MATRIX = {
    ("lcs", "sandbox", "developer"): True, ("lcs", "production", "developer"): True,
    ("lcs", "sandbox", "sandbox"): True, ("lcs", "production", "sandbox"): False,
    ("unified", "developer", "sandbox"): False, ("unified", "developer", "developer"): True,
    ("unified", "sandbox", "developer"): True, ("unified", "sandbox", "sandbox"): True,
    ("unified", "production", "developer"): True, ("unified", "production", "sandbox"): True,
}
# power-platform.md §1.5: Dataverse source type -> target types
DATAVERSE_MATRIX = {"production": ("sandbox",), "sandbox": ("sandbox",), "developer": ("sandbox", "developer"),
                    "default": ("developer",)}
_DURATION_DAYS = {"D": 1, "W": 7}


def parse_restore_point(value, now):
    """(aware UTC datetime, how it was given): RFC 3339 with an offset, or ``latest`` (now, UTC)."""
    text = str(value or "").strip()
    if text.lower() == "latest":
        return now.astimezone(UTC).replace(microsecond=0), "latest"
    parsed = parse_datetime(text, naive_is_utc=False) if "T" in text.upper() else None
    if parsed is None or parsed.tzinfo is None:
        raise InputError("restore_point must be an RFC 3339 date-time with an offset, e.g. 2026-03-01T22:00:00Z or "
                         "2026-03-01T23:00:00+01:00, or 'latest'; got %r (a time without offset would be read in the "
                         "service's zone)" % value)
    parsed = parsed.astimezone(UTC)
    if parsed > now + datetime.timedelta(minutes=1):
        raise InputError("restore_point %s is in the future (now is %s); give a past instant or 'latest'"
                         % (format_datetime(parsed), format_datetime(now)))
    return parsed, "given"


def retention_days(period):
    """Days of an ISO 8601 period such as P7D or P4W (None when absent or unreadable)."""
    text = str(period or "").upper()
    if len(text) >= 3 and text.startswith("P") and text[-1] in _DURATION_DAYS and text[1:-1].isdigit():
        return int(text[1:-1]) * _DURATION_DAYS[text[-1]]
    return None


def check_in_retention(instant, source, now):
    """The restore point lies inside the source's retention window (from retentionDetails)."""
    earliest = parse_datetime(source.get("retention_available_from"))
    days = retention_days(source.get("retention_period"))
    if earliest is None and days is not None:
        earliest = now - datetime.timedelta(days=days)
    if earliest is not None and instant < earliest:
        raise InputError("restore_point %s is older than the retention window of %s, which starts at %s (%s); give "
                         "a later instant" % (format_datetime(instant), source.get("name") or source.get("id"),
                                              format_datetime(earliest), source.get("retention_period") or "?"))


def _kind(env):
    return str(env.get("type") or "").lower()


def matrix_problem(source, target, action):
    """Why Microsoft does not support ``source`` -> ``target`` for ``action``; None when it does."""
    target_type, source_type = _kind(target), _kind(source)
    if target_type in NEVER_TARGETS and not (target_type == "teams" and source["id"] == target["id"]):
        return ("%s is a %s environment, which is never the target of a %s; pick a sandbox target (or switch it to "
                "sandbox first)" % (target.get("name") or target["id"], target.get("type"), action))
    source_fo, target_fo = source.get("finops_management"), target.get("finops_management")
    if target_fo == "unified" and source_fo in ("unified", "lcs"):
        if not FIN_OPS_MATRIX.get((source_fo, source_type, target_type), False):
            return ("a %s from %s %s environment to a unified %s environment is not supported (docs/power-platform.md"
                    ", supported matrix)" % (action, "an LCS" if source_fo == "lcs" else "a unified", source_type,
                                             target_type))
        return None
    if source["id"] != target["id"] and target_type not in DATAVERSE_MATRIX.get(source_type, ()):
        return "a %s from a %s environment to a %s environment is not supported" % (action, source_type, target_type)
    return None


def check_pair(source, target, action, free_capacity_mb):
    """Every rule that needs only the two environments' facts; raises InputError naming the option."""
    problem = matrix_problem(source, target, action)
    if problem:
        raise InputError("target_environment_id: %s" % problem)
    for option, env in (("source_environment_id", source), ("target_environment_id", target)):
        if not env.get("dataverse"):
            raise InputError("%s: environment %s has no Dataverse database; a %s needs Dataverse on both sides (an "
                             "LCS environment without Power Platform integration moves through LCS instead)"
                             % (option, env.get("name") or env["id"], action))
    for fact, label in (("tenant_id", "tenants"), ("region", "regions")):
        if source.get(fact) and target.get(fact) and source[fact].lower() != target[fact].lower():
            raise InputError("source_environment_id and target_environment_id are in different %s (%s, %s); a %s "
                             "needs both in the same one" % (label, source[fact], target[fact], action))
    if free_capacity_mb is not None and free_capacity_mb < MIN_FREE_CAPACITY_MB:
        raise InputError("the tenant has %.0f MB of Dataverse database capacity free; a %s needs at least 1 GB: free "
                         "or add capacity first" % (free_capacity_mb, action))


def check_advanced_copy(advanced, copy_type, target):
    if advanced and (copy_type != "full" or target.get("finops_management") != "unified"):
        raise InputError("advanced_fo_copy needs copy_type full and a target whose finance and operations environment "
                         "is managed in the Power Platform admin center (unified)")


def check_restore_choice(restore_point, backup_label):
    if restore_point and backup_label:
        raise InputError("restore_point and backup_label are mutually exclusive: give the instant, or the label of a "
                         "manual backup whose backup point is used")
    if not restore_point and not backup_label:
        raise InputError("give restore_point (RFC 3339 with an offset, or 'latest') or backup_label")
