"""operations: state mapping and the waiter, driven by a fake clock (a 24-hour wait runs in milliseconds)."""

from __future__ import annotations

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.status import LcsOperation as Operation
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.status import lcs_busy, lcs_state
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import WaitTimeout
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.operation import (
    FAILED,
    PENDING,
    ROLLED_BACK,
    RUNNING,
    SUCCEEDED,
    UNKNOWN,
)
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.waiter import Waiter, poll_schedule


class VirtualTime:
    """clock() and sleep() over one virtual timeline."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


class Transient(Exception):
    transient = True


class Permanent(Exception):
    transient = False


class ScriptedOperation:
    """An operation that completes at ``finish_at`` virtual seconds; every poll is counted."""

    def __init__(self, time, finish_at, final="Completed", faults=None):
        self.time = time
        self.finish_at = finish_at
        self.final = final
        self.faults = faults or {}
        self.polls = []

    def __call__(self):
        self.polls.append(self.time.now)
        fault = self.faults.get(len(self.polls))
        if fault is not None:
            raise fault
        status = self.final if self.time.now >= self.finish_at else "InProgress"
        return Operation("op-1", status)


@pytest.mark.parametrize("status, state", [
    ("NotStarted", PENDING), ("InProgress", RUNNING), ("Completed", SUCCEEDED), ("SignedOff", SUCCEEDED),
    ("Failed", FAILED), ("Aborted", FAILED), ("RollbackInProgress", FAILED), ("RollbackFailed", FAILED),
    ("RollbackCompleted", ROLLED_BACK), ("PreServicing", UNKNOWN), (None, UNKNOWN), ("in progress", RUNNING),
])
def test_lcs_status_mapping(status, state):
    assert lcs_state(status) == state


def test_busy_includes_rollback_and_unknown_values():
    assert lcs_busy("RollbackInProgress") and lcs_busy("InProgress") and lcs_busy("Brand-new-status")
    assert not lcs_busy("Completed") and not lcs_busy("RollbackCompleted")


def test_poll_schedule_starts_fast_then_settles_on_the_interval():
    schedule = poll_schedule(60)
    assert [next(schedule) for _repeat in range(7)] == [5, 10, 20, 40, 60, 60, 60]
    assert next(poll_schedule(3)) == 3


@pytest.mark.parametrize("hours", [6, 24])
def test_long_refresh_is_noticed_within_one_interval_with_few_calls(hours):
    time = VirtualTime()
    finish = hours * 3600 + 17
    op = ScriptedOperation(time, finish)
    result = Waiter(op, timeout=90000, poll_interval=60, clock=time.clock, sleep=time.sleep).wait()
    assert result.operation.status == "Completed"
    noticed_after = time.now - finish
    assert 0 <= noticed_after <= 60
    assert len(op.polls) <= finish / 60 + 10


def test_progress_callback_sees_every_successful_poll():
    time = VirtualTime()
    seen = []
    op = ScriptedOperation(time, 600)
    Waiter(op, timeout=3600, poll_interval=60, clock=time.clock, sleep=time.sleep,
           on_progress=lambda o, elapsed: seen.append((o.status, elapsed))).wait()
    assert len(seen) == len(op.polls)
    assert seen[-1][0] == "Completed" and seen[0] == ("InProgress", 0.0)


def test_timeout_fails_with_last_status_and_never_oversleeps():
    time = VirtualTime()
    op = ScriptedOperation(time, finish_at=10 ** 9)
    with pytest.raises(WaitTimeout) as info:
        Waiter(op, timeout=1000, poll_interval=60, clock=time.clock, sleep=time.sleep).wait()
    assert info.value.operation.status == "InProgress"
    assert info.value.operation.operation_id == "op-1"
    assert time.now == 1000  # the last sleep is cut to the deadline, and the final poll lands on it
    assert op.polls[-1] == 1000


def test_transient_errors_do_not_end_the_wait_and_warn_once_per_burst():
    time = VirtualTime()
    warnings = []
    faults = {3: Transient("429"), 4: Transient("503"), 5: Transient("dropped"), 9: Transient("again")}
    op = ScriptedOperation(time, 900, faults=faults)
    result = Waiter(op, timeout=3600, poll_interval=60, clock=time.clock, sleep=time.sleep,
                    on_warning=warnings.append).wait()
    assert result.operation.succeeded
    assert result.transient_errors == 4
    assert len(warnings) == 2


def test_permanent_errors_end_the_wait():
    time = VirtualTime()
    op = ScriptedOperation(time, 900, faults={2: Permanent("404")})
    with pytest.raises(Permanent):
        Waiter(op, timeout=3600, poll_interval=60, clock=time.clock, sleep=time.sleep).wait()


def test_timeout_during_an_error_burst_still_reports_the_last_good_status():
    time = VirtualTime()
    faults = {n: Transient("down") for n in range(2, 500)}
    op = ScriptedOperation(time, 10 ** 9, faults=faults)
    with pytest.raises(WaitTimeout) as info:
        Waiter(op, timeout=600, poll_interval=60, clock=time.clock, sleep=time.sleep).wait()
    assert info.value.operation.status == "InProgress"


def test_unknown_status_keeps_waiting_with_one_warning():
    time = VirtualTime()
    warnings = []
    statuses = iter(["InProgress", "PostServicing", "PostServicing", "PostServicing", "Completed"])
    Waiter(lambda: Operation("op", next(statuses)), timeout=3600, poll_interval=60, clock=time.clock,
           sleep=time.sleep, on_warning=warnings.append).wait()
    assert len(warnings) == 1 and "PostServicing" in warnings[0]


@pytest.mark.parametrize("final, state", [("Failed", FAILED), ("RollbackCompleted", ROLLED_BACK),
                                          ("Aborted", FAILED), ("RollbackInProgress", FAILED)])
def test_failure_statuses_end_the_wait(final, state):
    time = VirtualTime()
    result = Waiter(ScriptedOperation(time, 120, final=final), timeout=3600, poll_interval=60,
                    clock=time.clock, sleep=time.sleep).wait()
    assert result.operation.state == state and not result.operation.succeeded


def test_already_finished_operation_returns_after_one_poll_without_sleeping():
    time = VirtualTime()
    op = ScriptedOperation(time, 0)
    Waiter(op, timeout=3600, poll_interval=60, clock=time.clock, sleep=time.sleep).wait()
    assert len(op.polls) == 1 and time.sleeps == []
