# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The LCS database movements (refresh, export) as providers of the movement engine.

LCS reports a movement in the history of the environment it polls: the target of a refresh, the
exported sandbox of an export (https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/database/api/v1/reference-get-status).
"""

from __future__ import annotations

from .._movement.planner import locate_started
from .._movement.planner import plan_movement as _plan
from .._movement.orchestrate import short_name
from .errors import LcsBusy
from .history import fetch_operation, history_operations
from .options import OPERATION_INFO
from .quota import LCS_QUOTA
from .status import INITIAL_STATUS, LCS_STATUSES

LABELS = {"refresh": "database refresh", "export": "database export"}


class LcsMovement:
    """One refresh or export on ``environment_id`` (the environment whose history and status follow it).

    ``start`` is the mutating client call (a callable returning the new operation id).
    """

    statuses = LCS_STATUSES
    service = "LCS"
    follow_up = OPERATION_INFO
    initial_status = INITIAL_STATUS
    quota = LCS_QUOTA
    busy_error = LcsBusy
    no_error_text = "LCS gave no error text; see the environment history in LCS"

    def __init__(self, client, movement, environment_id, start, errors, fresh_history=True):
        self.client = client
        self.fresh_history = fresh_history
        self.movement = movement
        self.label = LABELS[movement]
        self.environment_id = environment_id
        self._start = start
        self.errors = errors

    def history(self):
        return history_operations(self.client.history(self.environment_id, fresh=self.fresh_history))

    def now(self):
        return self.client.now()

    def start(self):
        return self._start()

    def fetch(self, operation):
        return fetch_operation(self.client, self.environment_id, operation.operation_id,
                               started_at=operation.started_at, kind=self.movement, movement=self.movement)


# -- the engine over raw LCS history rows (what the unit tests and the info module hold) -----------
def plan_movement(history_rows, kind, now, not_before=None, max_age=None, label="operation"):
    """The engine's plan for LCS history rows (a busy environment is an LcsBusy)."""
    return _plan(history_operations(history_rows), kind, now, not_before=not_before, max_age=max_age, label=label,
                 follow_up=short_name(OPERATION_INFO), busy_error=LcsBusy)


def quota_next_allowed(history_rows, now, hinted=None):
    """When LCS will accept the next start: from the history's start times, or LCS's own hint."""
    return LCS_QUOTA.next_allowed(history_operations(history_rows), now, hinted)


def adopt_started_operation(history_rows, kind, attempted_at):
    """After a start whose answer was lost, find the operation it created (same kind, started since)."""
    return locate_started(history_operations(history_rows), kind, attempted_at)
