# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provider-neutral long-running operations and the waiter that follows them.

The waiter owns no clock: ``clock`` (monotonic seconds) and ``sleep`` are injected, so tests and
benchmarks can run a 24-hour wait against a virtual clock in milliseconds. Transient failures of a
poll (throttling, 5xx, dropped connections, a token renewal) never end a wait; only the deadline, a
terminal status or a permanent error do.
"""

from __future__ import annotations

import time

PENDING = "pending"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
ROLLED_BACK = "rolled_back"
UNKNOWN = "unknown"
STATES = (PENDING, RUNNING, SUCCEEDED, FAILED, ROLLED_BACK, UNKNOWN)
TERMINAL_STATES = frozenset((SUCCEEDED, FAILED, ROLLED_BACK))

# LCS OperationStatus (and history Status) -> normalized state. A failed operation that is still
# rolling back is over for the caller (it will not succeed), but its environment is still busy.
LCS_STATES = {
    "notstarted": PENDING,
    "queued": PENDING,
    "preparingenvironment": PENDING,
    "inprogress": RUNNING,
    "running": RUNNING,
    "completed": SUCCEEDED,
    "signedoff": SUCCEEDED,
    "succeeded": SUCCEEDED,
    "failed": FAILED,
    "aborted": FAILED,
    "rollbackinprogress": FAILED,
    "rollbackfailed": FAILED,
    "rollbackcompleted": ROLLED_BACK,
}
LCS_SETTLED = frozenset(("completed", "signedoff", "succeeded", "failed", "aborted", "rollbackfailed",
                         "rollbackcompleted"))


def lcs_state(status):
    return LCS_STATES.get(str(status or "").replace(" ", "").lower(), UNKNOWN)


def lcs_busy(status):
    """True while the environment is still occupied by the operation (includes rollback and unknown values)."""
    return str(status or "").replace(" ", "").lower() not in LCS_SETTLED


class Operation:
    """One operation as seen by the last poll."""

    def __init__(self, operation_id, status, state=None, kind=None, name=None, environment_id=None,
                 started_at=None, completed_at=None, error_message=None):
        self.operation_id = operation_id
        self.status = status
        self.state = state or lcs_state(status)
        self.kind = kind
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
        return lcs_busy(self.status)

    def duration_seconds(self):
        if self.started_at and self.completed_at:
            return max(0, int((self.completed_at - self.started_at).total_seconds()))
        return None


class WaitTimeout(Exception):
    """The deadline passed; ``operation`` is the last status seen (may be None if no poll succeeded)."""

    def __init__(self, message, operation=None, elapsed=0.0, polls=0):
        self.operation = operation
        self.elapsed = elapsed
        self.polls = polls
        super().__init__(message)


class WaitResult:
    def __init__(self, operation, elapsed, polls, transient_errors):
        self.operation = operation
        self.elapsed = elapsed
        self.polls = polls
        self.transient_errors = transient_errors


def poll_schedule(poll_interval, first=5.0):
    """Sleep lengths between polls: quick at first (early failures are common), then ``poll_interval``.

    With the default 60 s this is 5, 10, 20, 40, 60, 60, ... - four extra polls in total.
    """
    delay = min(first, poll_interval)
    while True:
        yield delay
        delay = min(poll_interval, delay * 2)


def is_transient(error):
    """Errors after which polling again may succeed."""
    return bool(getattr(error, "transient", False))


class Waiter:
    """Poll ``fetch()`` (returns an Operation) until a terminal state or the deadline.

    ``on_progress(operation, elapsed)`` is called after every successful poll; ``on_warning(text)``
    once per distinct unknown status and once per burst of transient errors.
    """

    def __init__(self, fetch, timeout, poll_interval=60, clock=time.monotonic, sleep=time.sleep,
                 on_progress=None, on_warning=None, first_delay=5.0):
        self.fetch = fetch
        self.timeout = float(timeout)
        self.poll_interval = max(1.0, float(poll_interval))
        self.clock = clock
        self.sleep = sleep
        self.on_progress = on_progress
        self.on_warning = on_warning
        self.first_delay = first_delay

    def wait(self):
        start = self.clock()
        deadline = start + self.timeout
        schedule = poll_schedule(self.poll_interval, self.first_delay)
        last = None
        polls = 0
        transient_errors = 0
        in_error_burst = False
        unknown_warned = set()
        while True:
            polls += 1
            try:
                operation = self.fetch()
            except Exception as exc:  # classify: permanent errors end the wait, transient ones do not
                if not is_transient(exc):
                    raise
                transient_errors += 1
                if not in_error_burst:
                    in_error_burst = True
                    self._warn("polling failed transiently, still waiting: %s" % exc)
            else:
                in_error_burst = False
                last = operation
                if operation.state == UNKNOWN and operation.status not in unknown_warned:
                    unknown_warned.add(operation.status)
                    self._warn("unknown operation status %r; treating it as still running" % operation.status)
                if self.on_progress is not None:
                    self.on_progress(operation, self.clock() - start)
                if operation.done:
                    return WaitResult(operation, self.clock() - start, polls, transient_errors)
            now = self.clock()
            remaining = deadline - now
            if remaining <= 0:
                raise WaitTimeout("timed out after %d s waiting for operation %s (last status %s)"
                                  % (int(now - start), getattr(last, "operation_id", "?"),
                                     getattr(last, "status", "unknown")),
                                  operation=last, elapsed=now - start, polls=polls)
            # the final poll lands exactly on the deadline so a timeout reports the freshest status
            self.sleep(min(next(schedule), remaining))

    def _warn(self, text):
        if self.on_warning is not None:
            self.on_warning(text)
