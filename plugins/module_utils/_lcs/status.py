# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LCS's status words and operation types, defined once for the modules, the action plugins and preflight.

OperationStatus values (fetch status and environment history) are documented at
https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/database/api/v1/reference-get-status
; history Type values at
https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/database/api/v1/reference-environment-history
"""

from __future__ import annotations

from .._movement.operation import FAILED, PENDING, ROLLED_BACK, RUNNING, SUCCEEDED, Operation, StatusMap

# A failed operation that is still rolling back is over for the caller (it will not succeed), but its
# environment is still busy. Canceled / RolledBack are spellings other LCS clients report.
LCS_STATUSES = StatusMap(
    states={
        "NotStarted": PENDING,
        "Queued": PENDING,
        "PreparingEnvironment": PENDING,
        "InProgress": RUNNING,
        "Running": RUNNING,
        "Completed": SUCCEEDED,
        "SignedOff": SUCCEEDED,
        "Succeeded": SUCCEEDED,
        "Failed": FAILED,
        "Aborted": FAILED,
        "Canceled": FAILED,
        "Cancelled": FAILED,
        "RollbackInProgress": FAILED,
        "RollbackFailed": FAILED,
        "RollbackCompleted": ROLLED_BACK,
        "RolledBack": ROLLED_BACK,
    },
    settled=("Completed", "SignedOff", "Succeeded", "Failed", "Aborted", "Canceled", "Cancelled", "RollbackFailed",
             "RollbackCompleted", "RolledBack"),
)
# the status LCS gives an operation it has just accepted
INITIAL_STATUS = "NotStarted"

# Environment metadata's DeploymentState is "the state of the most recent operation" (lcs-api.md §5.1);
# of its undocumented values only this one says for certain that nothing runs on the environment now.
FINISHED_DEPLOYMENT_STATES = ("finished",)

# neutral movement kind -> environment history Type values that mean the same operation
OPERATION_KINDS = {
    "refresh": ("SFSourceDbToSandbox",),
    "export": ("SFExportSandboxDb",),
}
ALL_MOVEMENT_TYPES = tuple(t for types in OPERATION_KINDS.values() for t in types)
_MOVEMENT_OF_TYPE = {t: kind for kind, types in OPERATION_KINDS.items() for t in types}


def movement_of(history_type):
    """The neutral kind ('refresh') of an LCS history Type, None for other work."""
    return _MOVEMENT_OF_TYPE.get(history_type)


def lcs_state(status):
    return LCS_STATUSES.state(status)


def lcs_busy(status):
    """True while the environment is still occupied by the operation (includes rollback and unknown values)."""
    return LCS_STATUSES.busy(status)


def last_operation_finished(deployment_state):
    """True when environment metadata states that the environment's most recent operation has finished;
    False for any other, unknown or missing value (the history then has to be read)."""
    return (deployment_state or "").strip().lower() in FINISHED_DEPLOYMENT_STATES


class LcsOperation(Operation):
    """An Operation whose state comes from LCS's status words."""

    statuses = LCS_STATUSES
