# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One operation as the last poll saw it, with its state and "busy" taken from its provider's status map."""

from __future__ import annotations

from .._dates import format_datetime
from .._redact import redact

PENDING = "pending"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
ROLLED_BACK = "rolled_back"
UNKNOWN = "unknown"
STATES = (PENDING, RUNNING, SUCCEEDED, FAILED, ROLLED_BACK, UNKNOWN)
TERMINAL_STATES = frozenset((SUCCEEDED, FAILED, ROLLED_BACK))


def status_key(status):
    """Status words compared without case and spaces ('Rollback Completed' == 'RollbackCompleted')."""
    return str(status or "").replace(" ", "").lower()


class StatusMap:
    """A provider's status vocabulary: status word -> neutral state, and which words free the environment.

    ``states`` maps status words to one of STATES; ``settled`` lists the words after which the
    environment is no longer occupied. A word in neither is unknown: treated as still running and busy,
    because starting on a busy environment is the costly mistake.
    """

    def __init__(self, states, settled):
        self.states = {status_key(word): state for word, state in states.items()}
        self.settled = frozenset(status_key(word) for word in settled)

    def state(self, status):
        return self.states.get(status_key(status), UNKNOWN)

    def busy(self, status):
        return status_key(status) not in self.settled

    def terminal(self, status):
        return self.state(status) in TERMINAL_STATES

    def operation(self, operation_id, status, **fields):
        return Operation(operation_id, status, statuses=self, **fields)


class Operation:
    """One operation: the service's own ``status`` word, the neutral ``state``, and its times.

    ``kind`` is the service's own type word (``SFSourceDbToSandbox``); ``movement`` the neutral kind
    (``refresh``) or None for work that is not a movement the engine plans.
    """

    statuses = None  # a provider's StatusMap; a provider may bind one in a subclass

    def __init__(self, operation_id, status, state=None, kind=None, name=None, environment_id=None,
                 started_at=None, completed_at=None, error_message=None, movement=None, statuses=None):
        if statuses is not None:
            self.statuses = statuses
        self.operation_id = operation_id
        self.status = status
        self.state = state or self.statuses.state(status)
        self.kind = kind
        self.movement = movement
        self.name = name
        self.environment_id = environment_id
        self.started_at = started_at
        self.completed_at = completed_at
        self.error_message = error_message

    @property
    def done(self):
        return self.state in TERMINAL_STATES

    @property
    def succeeded(self):
        return self.state == SUCCEEDED

    @property
    def busy(self):
        if self.state == UNKNOWN and self.completed_at is not None:
            return False  # an unfamiliar status on a row that has an end time is history, not work in progress
        return self.statuses.busy(self.status)

    def duration_seconds(self):
        if self.started_at and self.completed_at:
            return max(0, int((self.completed_at - self.started_at).total_seconds()))
        return None


def operation_result(operation):
    """The result keys every operation-returning module shares."""
    if operation is None:
        return dict(operation_id=None, status=None, state=None, started_at=None, completed_at=None,
                    duration_seconds=None)
    result = dict(
        operation_id=operation.operation_id,
        status=operation.status,
        state=operation.state,
        started_at=format_datetime(operation.started_at),
        completed_at=format_datetime(operation.completed_at),
        duration_seconds=operation.duration_seconds(),
    )
    if operation.error_message:
        result["error_message"] = redact(operation.error_message)
    return result
