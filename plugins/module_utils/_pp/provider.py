# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Power Platform as a provider of the movement engine (``_movement``): history, fetch, now.

The engine plans from an environment's history; here that is the environment's operations list
(``/environmentmanagement/environments/{id}/operations``), each operation's kind taken from its name.
Restore and copy (which start with HTTP 202 and no operation id, so the engine locates them in this
history) subclass it with their ``start()``.
"""

from __future__ import annotations

import datetime

from .._dates import UTC, parse_datetime
from .._movement.errors import MovementError
from .status import PP_STATUSES, operation_facts

# words in an operation's name -> the engine's neutral movement kind
MOVEMENT_WORDS = (("restore", "restore"), ("copy", "copy"), ("backup", "backup"), ("reset", "reset"))


def movement_of(name):
    """The neutral kind of an operation from the service's name for it ('Restore environment' -> 'restore')."""
    text = str(name or "").lower()
    for word, movement in MOVEMENT_WORDS:
        if word in text:
            return movement
    return None


def to_operation(facts):
    """An engine Operation from operation facts (times back as datetimes)."""
    return PP_STATUSES.operation(
        facts["operation_id"], facts["status"], kind=facts.get("name"), name=facts.get("name"),
        environment_id=facts.get("environment_id"), started_at=parse_datetime(facts.get("started_at")),
        completed_at=parse_datetime(facts.get("completed_at")), error_message=facts.get("error_message"),
        movement=movement_of(facts.get("name")))


class PowerPlatformOperations:
    """Observe the operations of one environment; subclasses add ``start()`` (and ``validate()``)."""

    statuses = PP_STATUSES
    service = "the Power Platform"
    label = "operation"
    follow_up = "d365fo.dataalm.pp_operation_info"
    errors = (MovementError,)
    initial_status = "Queued"
    no_error_text = "the Power Platform gave no error details; see the environment's history in the Power Platform " \
                    "admin center"

    def __init__(self, client, environment_id, limit=50):
        self.client = client
        self.environment_id = environment_id
        self.limit = limit

    def history(self):
        rows = self.client.operations(self.environment_id, limit=self.limit)
        operations = [to_operation(operation_facts(row, self.environment_id)) for row in rows]
        oldest = parse_datetime("1900-01-01T00:00:00Z")
        operations.sort(key=lambda operation: operation.started_at or oldest, reverse=True)
        return operations

    def fetch(self, operation):
        body = self.client.operation(operation.operation_id, self.environment_id)
        facts = operation_facts(body, self.environment_id)
        facts["operation_id"] = facts["operation_id"] or operation.operation_id
        fetched = to_operation(facts)
        fetched.started_at = fetched.started_at or operation.started_at
        fetched.movement = fetched.movement or operation.movement
        return fetched

    def now(self):
        return self.client.now() or datetime.datetime.now(UTC)
