# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The waiter: poll until a terminal state, the deadline, or the controller is gone.

It owns no clock: ``clock`` (monotonic seconds) and ``sleep`` are injected, so tests and benchmarks
run a 24-hour wait against a virtual clock in milliseconds. Transient failures of a poll
(throttling, 5xx, dropped connections, a token renewal) never end a wait; only the deadline, a
terminal status, a permanent error or the loss of the controller (``alive()`` false) do.
"""

from __future__ import annotations

import time

from .errors import Abandoned, WaitTimeout
from .operation import UNKNOWN


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


class _Progress:
    """What one wait has seen so far."""

    def __init__(self, start):
        self.start = start
        self.last = None
        self.polls = 0
        self.transient_errors = 0
        self.in_error_burst = False
        self.unknown_warned = set()


class Waiter:
    """Poll ``fetch()`` (returns an Operation) until a terminal state or the deadline.

    ``on_progress(operation, elapsed)`` is called after every successful poll; ``on_warning(text)``
    once per distinct unknown status and once per burst of transient errors. ``alive()``, when given,
    is asked before every poll; once it answers False the wait ends with :class:`Abandoned`.
    """

    def __init__(self, fetch, timeout, poll_interval=60, clock=time.monotonic, sleep=time.sleep,
                 on_progress=None, on_warning=None, first_delay=5.0, alive=None):
        self.fetch = fetch
        self.timeout = float(timeout)
        self.poll_interval = max(1.0, float(poll_interval))
        self.clock = clock
        self.sleep = sleep
        self.on_progress = on_progress
        self.on_warning = on_warning
        self.first_delay = first_delay
        self.alive = alive

    def wait(self):
        seen = _Progress(self.clock())
        deadline = seen.start + self.timeout
        schedule = poll_schedule(self.poll_interval, self.first_delay)
        while True:
            if self.alive is not None and not self.alive():
                raise Abandoned("the controller that asked for this wait is gone; stopped following operation %s "
                                "(it keeps running)" % getattr(seen.last, "operation_id", "?"),
                                operation=seen.last, elapsed=self.clock() - seen.start, polls=seen.polls)
            operation = self._poll(seen)
            if operation is not None and operation.done:
                return WaitResult(operation, self.clock() - seen.start, seen.polls, seen.transient_errors)
            now = self.clock()
            remaining = deadline - now
            if remaining <= 0:
                raise WaitTimeout("timed out after %d s waiting for operation %s (last status %s)"
                                  % (int(now - seen.start), getattr(seen.last, "operation_id", "?"),
                                     getattr(seen.last, "status", "unknown")),
                                  operation=seen.last, elapsed=now - seen.start, polls=seen.polls)
            # the final poll lands exactly on the deadline so a timeout reports the freshest status
            self.sleep(min(next(schedule), remaining))

    def _poll(self, seen):
        """One poll; None when it failed transiently (permanent errors propagate)."""
        seen.polls += 1
        try:
            operation = self.fetch()
        except Exception as exc:  # classify: permanent errors end the wait, transient ones do not
            if not is_transient(exc):
                raise
            seen.transient_errors += 1
            if not seen.in_error_burst:
                seen.in_error_burst = True
                self._warn("polling failed transiently, still waiting: %s" % exc)
            return None
        seen.in_error_burst = False
        seen.last = operation
        if operation.state == UNKNOWN and operation.status not in seen.unknown_warned:
            seen.unknown_warned.add(operation.status)
            self._warn("unknown operation status %r; treating it as still running" % operation.status)
        if self.on_progress is not None:
            self.on_progress(operation, self.clock() - seen.start)
        return operation

    def _warn(self, text):
        if self.on_warning is not None:
            self.on_warning(text)
