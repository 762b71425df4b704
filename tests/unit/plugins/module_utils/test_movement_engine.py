"""_movement: the engine driven by a toy provider (a status map and a fake service in a few lines).

The toy service is in-memory on purpose: it stands for any provider (LCS, Power Platform) and lets
each path of the engine be forced - start, locate (a start that returns no id), join, already done,
quota refusal, validation in check mode, observe-only, transient errors while waiting, timeout.
"""

from __future__ import annotations

import datetime

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import (
    EnvironmentBusy,
    MovementError,
    NotFound,
    OperationFailed,
    QuotaExceeded,
    WaitTimeout,
)
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.operation import StatusMap
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.orchestrate import Request, run_movement
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.quota import QuotaPolicy
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.waiter import Waiter

T0 = datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC)
TOY = StatusMap({"Queued": "pending", "Busy": "running", "Done": "succeeded", "Broken": "failed"},
                settled=("Done", "Broken"))


class Flaky(MovementError):
    transient = True


class ToyService:
    """A fake service: operations finish after ``polls_to_finish`` status reads."""

    def __init__(self, history=(), start_returns_id=True, polls_to_finish=3, faults=()):
        self.rows = list(history)  # (id, movement, status, started_at)
        self.start_returns_id = start_returns_id
        self.polls_to_finish = polls_to_finish
        self.faults = list(faults)  # exceptions raised by successive fetches (None = answer)
        self.starts = 0
        self.validated = 0
        self.fetches = 0


class ToyProvider:
    statuses = TOY
    label = "toy copy"
    service = "Toy"
    follow_up = "toy.collection.toy_operation_info"
    initial_status = "Queued"
    no_error_text = "Toy gave no error text"
    start_hint = "start it in the Toy portal, then re-run"
    errors = (MovementError,)

    def __init__(self, service, quota=None):
        self.svc = service
        self.quota = quota

    def history(self):
        return [TOY.operation(i, status, movement=m, started_at=at) for i, m, status, at in self.svc.rows]

    def now(self):
        return T0

    def start(self):
        self.svc.starts += 1
        self.svc.rows.insert(0, ("op-%d" % self.svc.starts, "copy", "Queued", T0))
        return "op-%d" % self.svc.starts if self.svc.start_returns_id else None  # None: "202 Accepted"

    def fetch(self, operation):
        self.svc.fetches += 1
        fault = self.svc.faults.pop(0) if self.svc.faults else None
        if fault is not None:
            raise fault
        status = "Done" if self.svc.fetches >= self.svc.polls_to_finish else "Busy"
        return TOY.operation(operation.operation_id, status, movement="copy", started_at=operation.started_at)


class ValidatingProvider(ToyProvider):
    def validate(self):
        self.svc.validated += 1


class ObserveOnlyProvider(ToyProvider):
    observe_only = True

    def start(self):
        raise AssertionError("an observe-only provider is never started")


class Clock:
    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def drive(provider, timeout=3600, **request):
    clock, warnings = Clock(), []

    def make_waiter(fetch):
        return Waiter(fetch, timeout=timeout, poll_interval=60, clock=lambda: clock.now, sleep=clock.sleep,
                      on_warning=warnings.append)

    result = run_movement(provider, Request("copy", **request), make_waiter, warnings.append, sleep=clock.sleep)
    return result, warnings


def test_start_waits_until_done():
    svc = ToyService()
    result, _warnings = drive(ToyProvider(svc))
    assert result["action"] == "started" and result["changed"] is True
    assert result["operation_id"] == "op-1" and result["state"] == "succeeded"
    assert svc.starts == 1 and svc.fetches == 3


def test_start_without_an_id_is_located_in_the_history():
    svc = ToyService(start_returns_id=False)
    result, _warnings = drive(ToyProvider(svc))
    assert result["operation_id"] == "op-1" and result["state"] == "succeeded" and svc.starts == 1


def test_start_without_an_id_that_never_appears_keeps_the_action_and_says_what_to_do():
    class Lost(ToyProvider):
        def start(self):
            self.svc.starts += 1
            return None  # accepted, but the operation is never listed

    svc = ToyService()
    with pytest.raises(NotFound) as info:
        drive(Lost(svc))
    assert info.value.to_dict() == {"action": "started", "changed": True}
    assert "re-run the task" in str(info.value) and svc.starts == 1


def test_running_operation_is_joined_not_started():
    svc = ToyService(history=[("op-9", "copy", "Busy", T0)])
    result, _warnings = drive(ToyProvider(svc))
    assert result["action"] == "joined" and result["operation_id"] == "op-9" and svc.starts == 0


def test_success_inside_the_window_is_already_done():
    svc = ToyService(history=[("op-8", "copy", "Done", T0 - datetime.timedelta(hours=2))])
    result, _warnings = drive(ToyProvider(svc), max_age=3 * 3600)
    assert result["action"] == "none" and result["changed"] is False and svc.starts == 0 and svc.fetches == 0
    assert drive(ToyProvider(svc), max_age=3600)[0]["action"] == "started"


def test_other_work_on_the_environment_is_refused_before_any_start():
    svc = ToyService(history=[("op-7", None, "Busy", T0)])
    with pytest.raises(EnvironmentBusy, match="toy_operation_info can wait"):
        drive(ToyProvider(svc))
    assert svc.starts == 0


def test_quota_refusal_names_the_next_allowed_start():
    class Refusing(ToyProvider):
        def start(self):
            raise QuotaExceeded("no more starts today")

    starts = [("op-%d" % n, "copy", "Done", T0 - datetime.timedelta(hours=n)) for n in (1, 2, 3)]
    quota = QuotaPolicy(3, datetime.timedelta(hours=24), "3-per-24h", "Toy allows 3 copies a day", service="Toy")
    with pytest.raises(QuotaExceeded) as info:
        drive(Refusing(ToyService(history=starts), quota=quota))
    assert info.value.next_allowed_at == T0 + datetime.timedelta(hours=21)
    assert "Toy said: no more starts today" in str(info.value)


def test_check_mode_validates_on_the_server_and_warns_about_the_quota_without_starting():
    starts = [("op-%d" % n, "copy", "Done", T0 - datetime.timedelta(hours=n)) for n in (1, 2, 3)]
    svc = ToyService(history=starts)
    quota = QuotaPolicy(3, datetime.timedelta(hours=24), "3-per-24h", "Toy allows 3 copies a day", service="Toy")
    result, warnings = drive(ValidatingProvider(svc, quota=quota), check_mode=True)
    assert result["action"] == "started" and result["operation_id"] is None
    assert result["msg"] == "would start a new toy copy" and result["next_allowed_at"] == "2026-11-22T09:00:00Z"
    assert svc.validated == 1 and svc.starts == 0 and svc.fetches == 0
    assert "3-per-24h" in warnings[0]


def test_observe_only_follows_a_running_operation_and_never_starts():
    svc = ToyService(history=[("op-5", "copy", "Busy", T0)])
    result, _warnings = drive(ObserveOnlyProvider(svc))
    assert result["action"] == "joined" and result["state"] == "succeeded"
    with pytest.raises(NotFound, match="never started here") as info:
        drive(ObserveOnlyProvider(ToyService()))
    assert "Toy portal" in str(info.value)


def test_wait_survives_transient_errors():
    svc = ToyService(polls_to_finish=6, faults=[None, Flaky("429"), Flaky("503")])
    result, warnings = drive(ToyProvider(svc))
    assert result["state"] == "succeeded" and svc.fetches == 6
    assert len(warnings) == 1 and "transiently" in warnings[0]


def test_timeout_keeps_the_operation_id():
    svc = ToyService(polls_to_finish=10 ** 6)
    with pytest.raises(WaitTimeout) as info:
        drive(ToyProvider(svc), timeout=600)
    assert info.value.operation.operation_id == "op-1" and info.value.operation.status == "Busy"


def test_failed_operation_fails_the_task_with_its_result():
    class Breaking(ToyProvider):
        def fetch(self, operation):
            return TOY.operation(operation.operation_id, "Broken", movement="copy")

    with pytest.raises(OperationFailed) as info:
        drive(Breaking(ToyService()))
    assert info.value.to_dict()["state"] == "failed" and "Toy gave no error text" in str(info.value)


def test_following_a_given_id_does_not_start():
    svc = ToyService(history=[("op-3", "copy", "Busy", T0)])
    result, _warnings = drive(ToyProvider(svc), operation_id="op-3")
    assert result["action"] == "joined" and result["state"] == "succeeded" and svc.starts == 0


def test_lost_start_answer_is_adopted_from_the_history_not_started_again():
    class LostAnswer(ToyProvider):
        def start(self):
            super().start()
            raise Flaky("connection dropped after the request was sent")

    svc = ToyService()
    result, warnings = drive(LostAnswer(svc))
    assert result["operation_id"] == "op-1" and svc.starts == 1
    assert "Toy history shows operation op-1" in warnings[0]
