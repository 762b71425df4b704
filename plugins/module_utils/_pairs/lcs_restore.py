# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Detect, in an LCS environment's history, the point-in-time restore a person started in the portal.

LCS has no API to start a point-in-time restore of an LCS-managed environment, and its history Type for
one is not documented (lcs-api.md §5.2 lists the Types seen: refreshes, exports, packages, add-ins). So a
row counts when it ran on the environment, started at or after the instruction was printed, and its Type
either looks like a restore (restore / point in time / PITR in Type or name) or is one this module does not
know (reported with its Type, so the person can say whether it was the restore). The earliest such row is
the restore: a later one is not what the person was asked to start.
"""

from __future__ import annotations

from .._lcs.history import history_operations
from .._lcs.status import ALL_MOVEMENT_TYPES, LcsOperation

# history Types seen that are certainly no restore (lcs-api.md §5.2)
NOT_A_RESTORE = ALL_MOVEMENT_TYPES + ("InstallAddin", "ApplicationHotfix", "SFApplicationHotfix", "SFBinaryHotfix")
RESTORE_MARKERS = ("restore", "pointintime", "point-in-time", "point in time", "pitr")


def restore_kind(operation):
    """'restore' (restore-like Type or name), 'unknown' (a Type this module does not know) or None."""
    text = ("%s %s" % (operation.kind or "", operation.name or "")).lower()
    if any(marker in text for marker in RESTORE_MARKERS):
        return "restore"
    if operation.kind in NOT_A_RESTORE:
        return None
    return "unknown"


def find_restore(rows, started_after):
    """The earliest history row that is the person's restore, or None."""
    # history times are written to the millisecond or the second: compare from the whole second
    started_after = started_after.replace(microsecond=0)
    candidates = [op for op in history_operations(rows)
                  if op.started_at is not None and op.started_at >= started_after and restore_kind(op)]
    return min(candidates, key=lambda op: op.started_at) if candidates else None


def not_yet_seen(environment_id):
    """What the waiter sees before the row appears: an operation that has not started."""
    return LcsOperation(operation_id=None, status="NotStarted", kind=None, environment_id=environment_id)


def watch_result(operation, started_after_text):
    """Result keys of the watch: whether a restore was found, its Type and how it was recognised."""
    found = operation is not None and operation.operation_id is not None
    return dict(found=found, type=operation.kind if found else None,
                recognised_as=restore_kind(operation) if found else None, started_after=started_after_text)
