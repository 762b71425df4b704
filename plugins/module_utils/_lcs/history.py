# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LCS environment history rows and fetch-status bodies as the engine's Operations.

History rows: https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/database/api/v1/reference-environment-history
Fetch status: https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/database/api/v1/reference-get-status
"""

from __future__ import annotations

import datetime

from .._dates import UTC, format_datetime
from .._dates import parse_utc as parse_datetime
from .client import normalize_guid
from .quota import LCS_QUOTA
from .status import LcsOperation, last_operation_finished, movement_of


def history_operations(rows, kinds=None):
    """Operations from environment history rows, newest first, optionally only of some LCS Types."""
    operations = []
    for row in rows:
        if kinds and row.get("Type") not in kinds:
            continue
        activity = row.get("ActivityId") or ""
        try:
            activity = normalize_guid(activity)
        except ValueError:
            pass
        operations.append(LcsOperation(
            operation_id=activity or None,
            status=row.get("Status") or "Unknown",
            kind=row.get("Type"),
            movement=movement_of(row.get("Type")),
            name=row.get("Name"),
            environment_id=row.get("EnvironmentId"),
            started_at=parse_datetime(row.get("StartDateTimeUTC") or row.get("StartDateTimeUtc")),
            completed_at=parse_datetime(row.get("EndDateTimeUTC") or row.get("EndDateTimeUtc")),
        ))
    operations.sort(key=lambda op: op.started_at or datetime.datetime.min.replace(tzinfo=UTC), reverse=True)
    return operations


def unread_history_facts(environment, skip_when_finished):
    """lcs_environment_info's history facts of an environment whose history it does not read, because it
    was asked to skip finished environments and the metadata states that the most recent operation has
    finished; None when the history has to be read."""
    if skip_when_finished and last_operation_finished(environment.get("deployment_state")):
        return {"history_read": False, "busy": False}
    return None


def history_facts(rows, now):
    """lcs_environment_info's history facts of one environment: operations, busy, starts in 24 hours."""
    operations = history_operations(rows)
    return {
        "history_read": True,
        "operations": [
            {
                "operation_id": op.operation_id,
                "type": op.kind,
                "name": op.name,
                "status": op.status,
                "state": op.state,
                "started_at": format_datetime(op.started_at),
                "completed_at": format_datetime(op.completed_at),
            }
            for op in operations
        ],
        "busy": any(op.busy for op in operations),
        "operation_starts_24h": len(LCS_QUOTA.starts(operations, now)),
        "next_start_allowed_at": format_datetime(LCS_QUOTA.next_allowed(operations, now)),
    }


def status_to_operation(body, operation_id, environment_id, started_at=None, kind=None, movement=None):
    """An Operation from a fetchstatus envelope."""
    return LcsOperation(
        operation_id=operation_id,
        status=body.get("OperationStatus") or "Unknown",
        kind=kind,
        movement=movement,
        environment_id=environment_id,
        started_at=started_at,
        completed_at=parse_datetime(body.get("CompletionDate")),
        error_message=body.get("ErrorMessage"),
    )


def fetch_operation(client, environment_id, operation_id, started_at=None, kind=None, movement=None):
    body = client.fetch_status(environment_id, operation_id)
    return status_to_operation(body, operation_id, environment_id, started_at=started_at, kind=kind,
                               movement=movement)
