"""plugin_utils/sliced_wait: the controller's wait in slices that the waiting action plugins share.

The loop is driven here with a fake module (a function returning results) and a fake clock that advances by
the length of each slice, as a module that waits its whole slice would; so every assertion is exact. The
plugins' own use of it (progress lines, resumed waits, a killed controller) runs through ansible-playbook in
tests/integration/test_lcs_*.py, test_pp_*.py and test_fo_app_packages.py; their print rules are below too.
"""

from __future__ import annotations

import pytest
from ansible.module_utils import _internal

_WAS_CONTROLLER = _internal.is_controller  # see tests/unit/plugins/callback/test_report.py
from ansible_collections.d365fo.dataalm.plugins.action import lcs_restore_watch  # noqa: E402
from ansible_collections.d365fo.dataalm.plugins.plugin_utils import fo_app_wait, lcs_wait, sliced_wait  # noqa: E402

_internal.is_controller = _WAS_CONTROLLER
CONTROLLER_GONE, DEADLINE, FINISHED = sliced_wait.CONTROLLER_GONE, sliced_wait.DEADLINE, sliced_wait.FINISHED
wait_in_slices = sliced_wait.wait_in_slices

RUNNING = {"failed": True, "timed_out": True, "status": "InProgress"}
DONE = {"changed": False, "status": "Completed", "state": "succeeded"}


class FakeModule:
    """Answers the given results in turn; every run takes the whole slice it was given on the fake clock."""

    def __init__(self, *results, clock):
        self.results = list(results)
        self.clock = clock
        self.slices = []

    def __call__(self, seconds):
        self.slices.append(seconds)
        self.clock.now += seconds
        return dict(self.results.pop(0))


class FakeClock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def wait(module, clock, wait_timeout, slice_seconds, **kwargs):
    calls = []
    kwargs.setdefault("controller_alive", lambda: True)
    outcome = wait_in_slices(module, wait_timeout, slice_seconds, lambda *call: calls.append(call), clock=clock,
                             **kwargs)
    return outcome, calls


def test_an_operation_that_ends_early_ends_the_wait_with_its_result():
    clock = FakeClock()
    module = FakeModule(RUNNING, DONE, RUNNING, clock=clock)
    outcome, calls = wait(module, clock, 3600, 30)
    assert outcome == (DONE, 60, FINISHED)
    assert module.slices == [30, 30]  # the third answer is never asked for
    # the progress callback sees every slice: the first with another one to come, the last as finished
    assert calls == [(RUNNING, 30, None), (DONE, 60, FINISHED)]


def test_a_failure_that_is_not_a_timed_out_slice_ends_the_wait_at_once():
    clock = FakeClock()
    refused = {"failed": True, "msg": "operation op-1 ended with status Failed"}
    outcome, calls = wait(FakeModule(refused, clock=clock), clock, 3600, 30)
    assert outcome.ended == FINISHED and outcome.result == refused and len(calls) == 1


def test_the_deadline_shortens_the_last_slice_and_ends_the_wait():
    clock = FakeClock()
    module = FakeModule(*[RUNNING] * 10, clock=clock)
    outcome, calls = wait(module, clock, 100, 30)
    assert module.slices == [30, 30, 30, 10]  # never beyond wait_timeout
    assert outcome.ended == DEADLINE and outcome.elapsed == 100 and outcome.result == RUNNING
    assert [ended for _result, _elapsed, ended in calls] == [None, None, None, DEADLINE]
    assert [elapsed for _result, elapsed, _ended in calls] == [30, 60, 90, 100]


def test_time_spent_before_the_first_slice_counts_against_the_deadline():
    clock = FakeClock()
    module = FakeModule(*[RUNNING] * 10, clock=clock)
    outcome, _calls = wait(module, clock, 100, 30, started=clock.now - 80)  # starting the operation took 80 s
    assert module.slices == [20] and outcome.ended == DEADLINE and outcome.elapsed == 100


def test_a_slice_is_a_whole_number_of_seconds_and_never_shorter_than_one():
    clock = FakeClock()
    module = FakeModule(*[RUNNING] * 3, clock=clock)
    outcome, _calls = wait(module, clock, 30.5, 30)
    # 30 s, then 0.5 s left: a module refuses wait_timeout 0, so the last slice is 1 s
    assert module.slices == [30, 1] and outcome.ended == DEADLINE
    assert all(isinstance(seconds, int) for seconds in module.slices)


def test_no_slice_runs_and_nothing_is_printed_once_the_controller_is_gone():
    clock = FakeClock()
    module = FakeModule(*[RUNNING] * 10, clock=clock)
    alive = iter([True, False])
    outcome, calls = wait(module, clock, 3600, 30, controller_alive=lambda: next(alive))
    assert module.slices == [30, 30] and outcome.ended == CONTROLLER_GONE
    assert calls == [(RUNNING, 30, None)]  # the slice that found the controller gone is not reported


def test_the_plugin_decides_what_an_unfinished_slice_is():
    """fo_app_wait follows an execution by its id: a timed-out slice without one cannot be followed."""
    clock = FakeClock()
    module = FakeModule(dict(RUNNING, execution_id="exec-1"), RUNNING, clock=clock)
    outcome, _calls = wait(module, clock, 3600, 60,
                           unfinished=lambda r: sliced_wait.timed_out_slice(r) and bool(r.get("execution_id")))
    assert module.slices == [60, 60] and outcome.ended == FINISHED


def test_the_controller_watch_follows_the_parent_process(monkeypatch):
    parent = [4242]
    monkeypatch.setattr(sliced_wait.os, "getppid", lambda: parent[0])
    alive = sliced_wait.controller_watch()
    assert alive()
    parent[0] = 1  # the worker was re-parented: its controller died
    assert not alive()


@pytest.mark.parametrize("result, expected", [
    (RUNNING, True), ({"failed": True}, False), ({"timed_out": True}, False), (DONE, False)])
def test_only_a_failed_timed_out_slice_is_unfinished(result, expected):
    assert sliced_wait.timed_out_slice(result) is expected


# -- the plugins' print rules: each prints what it printed before the loop was shared ---------------------------


class FakeAction:
    """What the plugins' wait methods use of an action plugin: the module runs, answered in turn."""

    def __init__(self, *results):
        self.results = list(results)
        self.runs = []

    def _execute_module(self, module_name=None, module_args=None, task_vars=None):
        self.runs.append((module_name, dict(module_args)))
        return dict(self.results.pop(0))


@pytest.fixture
def printed(monkeypatch):
    lines = []
    monkeypatch.setattr(lcs_wait.display, "display", lines.append)  # one Display object serves every plugin
    return lines


def test_lcs_wait_prints_after_every_slice_the_last_one_too(printed):
    action = FakeAction(RUNNING, dict(DONE, operation_id="op-1"))
    for name in ("connection_options", "follow_up", "status_environment_option", "shares_project_run"):
        setattr(action, name, getattr(lcs_wait.LcsWaitingAction, name))
    action.run_options = ()
    args = {"environment_id": "env-1", "poll_interval": 5}
    started = sliced_wait.time.monotonic()
    latest = lcs_wait.LcsWaitingAction._follow(action, args, {}, "lcs_database_refresh", "op-1", started, 3600)
    assert latest["status"] == "Completed"
    assert [line.rsplit(", elapsed", 1)[0] for line in printed] == [
        "lcs_database_refresh: operation op-1 status InProgress",
        "lcs_database_refresh: operation op-1 status Completed"]
    # the follow-up module, told which operation to follow, one slice of the progress interval (default 300 s)
    assert [(name, args["operation_id"], args["wait_timeout"]) for name, args in action.runs] == [
        ("d365fo.dataalm.lcs_operation_info", "op-1", 300)] * 2


def test_fo_app_wait_prints_between_slices_and_follows_the_execution_it_started(printed):
    action = FakeAction(dict(RUNNING, execution_id="exec-1", changed=True), dict(DONE, execution_id="exec-1"))
    result = fo_app_wait.PackageWaitingAction._wait(action, "d365fo.dataalm.fo_data_package_import",
                                                    {"package": "p.zip"}, {"d365fo_dataalm_progress_interval": 7})
    assert result["status"] == "Completed" and result["changed"] is True  # the first slice started it
    assert [line.rsplit(", elapsed", 1)[0] for line in printed] == [
        "fo_data_package_import: execution exec-1 status InProgress"]
    assert [args.get("execution_id") for _name, args in action.runs] == [None, "exec-1"]
    assert [args["wait_timeout"] for _name, args in action.runs] == [7, 7]


def test_restore_watch_prints_only_between_slices(printed):
    found = dict(RUNNING, found=True, operation_id="op-9")
    action = FakeAction(dict(RUNNING, found=False), found, dict(DONE, found=True, operation_id="op-9"))
    args = {"environment_id": "env-1", "poll_interval": 2}
    latest = lcs_restore_watch.ActionModule._wait(action, "d365fo.dataalm.lcs_restore_watch", args, {})
    assert latest["status"] == "Completed"
    assert [line.rsplit(", elapsed", 1)[0] for line in printed] == [
        "lcs_restore_watch: no restore started in LCS yet on env-1",
        "lcs_restore_watch: restore op-9 status InProgress"]
