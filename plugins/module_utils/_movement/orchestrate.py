# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one movement through a provider: follow a given id, or plan, then start/locate/join/skip, then wait.

See the package docstring for the provider interface. Check mode never calls ``start()``; it may
call the provider's ``validate()``. A started operation's id is never lost: every failure after the
start carries it.
"""

from __future__ import annotations

import time

from .._dates import format_datetime
from .errors import EnvironmentBusy, MovementError, NotFound, OperationFailed, QuotaExceeded, WaitTimeout, error_details
from .operation import operation_result
from .planner import JOINED, NONE, STARTED, locate_started, plan_movement, window_start
from .waiter import is_transient, poll_schedule

# a start answered with "accepted" but no id: look for the operation this many times before giving up
LOCATE_ATTEMPTS = 6


class Request:
    """What the task asked for: the movement kind, an id to follow, the idempotency window, check mode, wait."""

    def __init__(self, movement, operation_id=None, not_before=None, max_age=None, check_mode=False, wait=True):
        self.movement = movement
        self.operation_id = operation_id
        self.not_before = not_before
        self.max_age = max_age
        self.check_mode = check_mode
        self.wait = wait


class Movement:
    """One run of the engine. ``make_waiter(fetch)`` builds the Waiter; ``warn(text)`` reports a warning."""

    def __init__(self, provider, request, make_waiter, warn, sleep=time.sleep):
        self.provider = provider
        self.request = request
        self.make_waiter = make_waiter
        self.warn = warn
        self.sleep = sleep
        self.errors = getattr(provider, "errors", (MovementError,))

    def run(self):
        """The result dict of the task; raises MovementError subclasses for failures."""
        history = self.provider.history()
        if self.request.operation_id:
            return self.follow_given(history)
        now = self.provider.now()  # windows are measured in the service's clock, like its history times
        plan = plan_movement(history, self.request.movement, now, not_before=self.request.not_before,
                             max_age=self.request.max_age, label=self.provider.label,
                             follow_up=short_name(self.provider.follow_up),
                             busy_error=getattr(self.provider, "busy_error", EnvironmentBusy))
        if plan.action == NONE:
            return self.outcome(NONE, plan.operation, {"msg": plan.reason})
        if plan.action == JOINED:
            if self.request.check_mode:
                return self.outcome(JOINED, plan.operation, {"msg": "would join: " + plan.reason})
            return self.outcome(JOINED, self.wait_for(plan.operation), {"msg": plan.reason})
        if getattr(self.provider, "observe_only", False):
            windowed = window_start(now, self.request.not_before, self.request.max_age) is not None
            raise NotFound("no %s is running on the environment%s, and this one is followed, never started here"
                           % (self.provider.label, " or finished inside the window" if windowed else ""),
                           hint=self.provider.start_hint, details={"action": None, "changed": False})
        if self.request.check_mode:
            return self.would_start(history, now)
        return self.start_and_follow()

    # -- an id the user gave ---------------------------------------------------------------------
    def follow_given(self, history):
        known = [op for op in history if op.operation_id == self.request.operation_id]
        seed = self.seed(self.request.operation_id, "Unknown", known[0].started_at if known else None)
        operation = self.provider.fetch(seed)
        action = NONE if operation.succeeded else JOINED
        if operation.done:
            return self.outcome(action, operation)
        return self.outcome(action, self.wait_for(operation))

    # -- check mode ------------------------------------------------------------------------------
    def would_start(self, history, now):
        extra = {"msg": "would start a new %s" % self.provider.label}
        quota = getattr(self.provider, "quota", None)
        next_allowed = quota.next_allowed(history, now) if quota is not None else None
        if next_allowed is not None:
            self.warn(quota.warning(next_allowed))
            extra["next_allowed_at"] = format_datetime(next_allowed)
        validate = getattr(self.provider, "validate", None)
        if validate is not None:
            validate()  # the service's own check of the request, without starting anything
        return self.outcome(STARTED, None, extra)

    # -- start -----------------------------------------------------------------------------------
    def start_and_follow(self):
        operation = self.start()
        try:
            operation = self.wait_for(operation)
        except WaitTimeout:
            raise
        except self.errors as exc:
            # never lose the id of an operation we started: the caller needs it to follow or resume
            details = error_details(exc)
            details.update(operation_result(operation), action=STARTED, changed=True)
            raise MovementError("%s %s started, but following it failed: %s"
                                % (self.provider.label, operation.operation_id, exc), details=details) from None
        return self.outcome(STARTED, operation, {"msg": "started a new %s" % self.provider.label})

    def start(self):
        """The one mutating call, then the operation it created (by id, or located in the history)."""
        provider = self.provider
        attempted_at = provider.now()
        try:
            operation_id = provider.start()
            attempted_at = provider.now()
        except QuotaExceeded as exc:
            quota = getattr(provider, "quota", None)
            if quota is None:
                raise
            raise quota.refused(exc, provider.history(), provider.now()) from None
        except self.errors as exc:
            if not is_transient(exc):
                raise
            # the answer was lost (dropped connection, 5xx): look before ever starting again
            adopted = locate_started(provider.history(), self.request.movement, attempted_at)
            if adopted is None:
                raise
            self.warn("the start call failed (%s) but %s history shows operation %s started; following it"
                      % (exc.__class__.__name__, provider.service, adopted.operation_id))
            operation_id = adopted.operation_id
        if operation_id is None:
            return self.locate(attempted_at)
        return self.seed(operation_id, provider.initial_status, attempted_at)

    def locate(self, attempted_at):
        """Find the operation a start accepted without an id (HTTP 202) in the environment's operations."""
        schedule = poll_schedule(60)
        for attempt in range(LOCATE_ATTEMPTS):
            found = locate_started(self.provider.history(), self.request.movement, attempted_at)
            if found is not None:
                return found
            if attempt + 1 < LOCATE_ATTEMPTS:
                self.sleep(next(schedule))
        raise NotFound("%s accepted the %s but it did not appear among the environment's operations"
                       % (self.provider.service, self.provider.label),
                       hint="re-run the task: it joins the operation once %s lists it" % self.provider.service,
                       details={"action": STARTED, "changed": True})

    # -- waiting and the result ------------------------------------------------------------------
    def seed(self, operation_id, status, started_at):
        return self.provider.statuses.operation(operation_id, status, started_at=started_at,
                                                movement=self.request.movement)

    def wait_for(self, operation):
        """Wait on ``operation`` (unless check mode or wait: false) and return the newest Operation."""
        if self.request.check_mode:
            return operation
        if not self.request.wait:
            try:
                return self.provider.fetch(operation)
            except self.errors as exc:
                if not is_transient(exc):
                    raise
                # the operation exists; a throttled status read must not hide its id
                self.warn("could not read the status of operation %s yet (%s); follow it with %s"
                          % (operation.operation_id, exc.__class__.__name__, short_name(self.provider.follow_up)))
                return operation
        return self.make_waiter(lambda: self.provider.fetch(operation)).wait().operation

    def outcome(self, action, operation, extra=None):
        """The final result; raises OperationFailed when the operation did not succeed."""
        return movement_outcome(self.provider, action, operation, extra)


def movement_outcome(provider, action, operation, extra=None):
    """The result dict of a movement task; raises OperationFailed when the operation did not succeed."""
    result = dict(action=action, changed=action != NONE)
    result.update(operation_result(operation))
    result.update(extra or {})
    if operation is not None and operation.done and not operation.succeeded:
        raise OperationFailed("the %s operation %s ended with status %s (%s): %s" % (
            provider.label, operation.operation_id, operation.status, operation.state,
            operation.error_message or provider.no_error_text), details=result)
    return result


def short_name(fqcn):
    """``lcs_operation_info`` from ``d365fo.dataalm.lcs_operation_info``."""
    return fqcn.rsplit(".", 1)[-1]


def run_movement(provider, request, make_waiter, warn, sleep=time.sleep):
    """Start, join or skip one movement, then optionally wait; returns the result dict."""
    return Movement(provider, request, make_waiter, warn, sleep).run()
