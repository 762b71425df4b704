# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Power Platform operation statuses and the operation payload as facts.

``OperationExecutionResult.status`` is an OperationStatus (pp-api-sdk.md §2.2); Microsoft's own 2026
script polls ``state`` instead, and BAP lifecycle operations carry ``state.id`` (dataalm-2026-addendum.md
§2.3), so all three are read. Matching ignores case; an unknown value maps to ``unknown`` (keep waiting).
"""

from __future__ import annotations

from .._dates import format_datetime, parse_datetime
from .._movement.operation import FAILED, PENDING, RUNNING, SUCCEEDED, StatusMap
from .model import first

# OperationStatus, plus the BAP lifecycle values (Running, NotStarted, Canceled) -> neutral state
PP_STATES = {
    "queued": PENDING,
    "notstarted": PENDING,
    "inprogress": RUNNING,
    "running": RUNNING,
    "succeeded": SUCCEEDED,
    "validationpassed": SUCCEEDED,
    "nooperation": SUCCEEDED,  # nothing had to be done
    "failed": FAILED,
    "validationfailed": FAILED,
    "canceled": FAILED,
    "cancelled": FAILED,
}


# a status in neither list is unknown: treated as still running and busy
PP_STATUSES = StatusMap(PP_STATES, settled=[word for word, state in PP_STATES.items() if state in (SUCCEEDED, FAILED)])


def pp_state(status):
    """Neutral state of a Power Platform status; ``unknown`` for values Microsoft may add later."""
    return PP_STATUSES.state(status)


def pp_busy(status):
    """True while the operation still occupies its environment (unknown values count as busy)."""
    return PP_STATUSES.busy(status)


def operation_status(body):
    """The status string of an operation body: ``status``, else ``state``, else BAP ``state.id``."""
    for name in ("status", "state"):
        value = body.get(name) if isinstance(body, dict) else None
        if isinstance(value, dict):
            value = value.get("id") or value.get("status")
        if value:
            return str(value)
    return first(body, "properties.state.id", "properties.status") or "Unknown"


def _error_text(body):
    detail = first(body, "errorDetail", "error", "properties.error") or {}
    if not isinstance(detail, dict):
        return str(detail)
    parts = [str(detail[key]) for key in ("code", "message") if detail.get(key)]
    fields = detail.get("fieldErrors")
    if isinstance(fields, dict) and fields:
        parts.append("; ".join("%s: %s" % (name, value) for name, value in fields.items()))
    return ": ".join(parts) or None


def _identity(body):
    """(operation id, operation name): OperationExecutionResult has operationId + name; a BAP operation
    has its id in ``name`` (or ``id``) and its kind in ``typeDisplayName``."""
    if first(body, "operationId"):
        return str(body["operationId"]), first(body, "name")
    operation_id = first(body, "name", "id")
    if operation_id and "/" in str(operation_id):
        operation_id = str(operation_id).rstrip("/").rsplit("/", 1)[-1]
    return operation_id, first(body, "typeDisplayName", "properties.typeDisplayName", "type")


def operation_facts(body, environment_id=None):
    """OperationExecutionResult (or a BAP lifecycle operation) as facts."""
    status = operation_status(body)
    updated = first(body, "updatedEnvironment") or {}
    stages = [{"name": stage.get("name") or first(stage, "id"), "status": operation_status(stage),
               "started_at": format_datetime(parse_datetime(first(stage, "startTime", "firstActionDateTime"))),
               "completed_at": format_datetime(parse_datetime(first(stage, "endTime", "lastActionDateTime")))}
              for stage in (first(body, "stageStatuses", "stages", "properties.stages") or [])
              if isinstance(stage, dict)]
    state = pp_state(status)
    ended = first(body, "endTime", "properties.endTime")
    if ended is None and state in (SUCCEEDED, FAILED):
        ended = first(body, "lastActionDateTime", "properties.lastActionDateTime")
    return {
        "operation_id": _identity(body)[0],
        "name": _identity(body)[1],
        "status": status,
        "state": state,
        "environment_id": updated.get("environmentId") or environment_id,
        "started_at": format_datetime(parse_datetime(first(body, "startTime", "createdDateTime",
                                                           "properties.createdDateTime"))),
        "completed_at": format_datetime(parse_datetime(ended)),
        "requested_by": first(body, "requestedBy.displayName", "requestedBy.userId",
                              "properties.requestedBy.displayName"),
        "error_message": _error_text(body),
        "stages": stages,
    }
