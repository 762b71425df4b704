"""What the hosts of one run share about an LCS project: one listing, informative reads, the rate gate."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from types import SimpleNamespace

import pytest
from ansible.module_utils import _internal
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.project_run import (
    ADMIT_MARGIN,
    ProjectRun,
    limit_of,
    open_project_run,
)

_WAS_CONTROLLER = _internal.is_controller  # see tests/unit/plugins/callback/test_report.py
from ansible_collections.d365fo.dataalm.plugins.plugin_utils import lcs_project_run  # noqa: E402

_internal.is_controller = _WAS_CONTROLLER

ROWS = [{"EnvironmentId": "1" * 32, "EnvironmentName": "prod"}, {"EnvironmentId": "2" * 32, "EnvironmentName": "uat"}]


def _host(directory, reads_log, results, index):
    """One fork: asks the run for the listing; a read takes a while, as a paged listing does."""

    def read():
        with open(reads_log, "a") as handle:
            handle.write("read by %d\n" % index)
        time.sleep(0.3)
        return ROWS

    rows = ProjectRun(directory).environments(read)
    with open(os.path.join(results, str(index)), "w") as handle:
        json.dump(rows, handle)


def test_concurrent_processes_share_one_listing(tmp_path):
    reads_log, results = tmp_path / "reads.log", tmp_path / "results"
    results.mkdir()
    context = multiprocessing.get_context("fork")
    hosts = [context.Process(target=_host, args=(str(tmp_path), str(reads_log), str(results), i)) for i in range(8)]
    for host in hosts:
        host.start()
    for host in hosts:
        host.join(30)
    assert [host.exitcode for host in hosts] == [0] * 8
    assert len(reads_log.read_text().splitlines()) == 1  # one host listed, seven waited for its listing
    assert all(json.loads((results / str(i)).read_text()) == ROWS for i in range(8))


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_gate_admits_six_calls_per_minute_across_hosts(tmp_path):
    clock = FakeTime()
    hosts = [ProjectRun(str(tmp_path), sleep=clock.sleep, clock=lambda: clock.now) for _attempt in range(3)]
    for i in range(6):
        hosts[i % 3].admit("history")
    assert clock.slept == []
    hosts[0].admit("history")  # the seventh call of the project waits for the first to leave the window
    assert clock.now == 1000.0 + 60 + ADMIT_MARGIN
    hosts[1].admit("metadata")  # another limit has its own window
    assert clock.now == 1000.0 + 60 + ADMIT_MARGIN


def test_a_429_closes_the_gate_for_every_host_once(tmp_path):
    clock = FakeTime()
    first, second = (ProjectRun(str(tmp_path), sleep=clock.sleep, clock=lambda: clock.now) for _attempt in range(2))
    first.close("metadata", 42)
    second.admit("metadata")
    assert clock.slept == [42]
    first.admit("metadata")  # the wait is over for everyone: no second wait
    assert clock.slept == [42]


def test_gate_stops_waiting_when_the_controller_is_gone(tmp_path):
    clock = FakeTime()
    run = ProjectRun(str(tmp_path), sleep=clock.sleep, clock=lambda: clock.now, alive=lambda: False)
    run.close("history", 600)
    run.admit("history")
    assert clock.slept == []


def test_a_call_counts_from_its_answer_not_from_its_admission(tmp_path):
    clock = FakeTime()
    run = ProjectRun(str(tmp_path), sleep=clock.sleep, clock=lambda: clock.now)
    slots = [run.admit("history") for _attempt in range(6)]
    clock.now += 20  # the first call waited for a sign-in before LCS saw it
    run.settle("history", slots[0])
    clock.now = 1062.0  # the other five have left the window, the first has not
    for _attempt in range(5):
        run.admit("history")
    assert clock.slept == []
    run.admit("history")
    assert clock.now == 1020.0 + 60 + ADMIT_MARGIN


def test_a_start_is_recorded_on_top_of_the_runs_read_only(tmp_path):
    run = ProjectRun(str(tmp_path))
    run.record_start("3" * 32, {"ActivityId": "new"})
    assert run.history("3" * 32, lambda: [{"ActivityId": "old"}]) == [{"ActivityId": "old"}]
    run.record_start("3" * 32, {"ActivityId": "new"})
    assert run.history("3" * 32, lambda: []) == [{"ActivityId": "new"}, {"ActivityId": "old"}]


def test_informative_history_is_read_once_and_forgotten_after_a_start(tmp_path):
    run = ProjectRun(str(tmp_path))
    reads = []

    def read():
        reads.append(1)
        return [{"Status": "InProgress", "call": len(reads)}]

    assert run.history("2" * 32, read) == run.history("2" * 32, read) == [{"Status": "InProgress", "call": 1}]
    run.forget_history("2" * 32)
    assert run.history("2" * 32, read) == [{"Status": "InProgress", "call": 2}]


def test_limits_by_route_and_no_sharing_without_a_directory(tmp_path):
    assert limit_of("environmentinfo/v1/detail/project/1/") == "metadata"
    assert limit_of("environmentinfo/v1/history/project/1/environment/x/") == "history"
    assert limit_of("databasemovement/v1/fetchstatus/project/1/environment/x/operationactivity/y") is None
    assert open_project_run(None) is None and open_project_run(str(tmp_path / "absent")) is None
    assert isinstance(open_project_run(str(tmp_path)), ProjectRun)


def test_run_directory_per_project_and_run_and_ended_runs_removed(tmp_path):
    ended = tmp_path / "run-999999999-1-0123456789abcdef"
    ended.mkdir()
    mine = lcs_project_run.project_run_dir(1234567, "https://lcsapi.example/", base=str(tmp_path), run_id="7-70")
    other_project = lcs_project_run.project_run_dir(7654321, "https://lcsapi.example", base=str(tmp_path),
                                                    run_id="7-70")
    assert mine != other_project and os.path.isdir(mine) and oct(os.stat(mine).st_mode & 0o777) == "0o700"
    assert not ended.exists()  # its controller (pid 999999999) is gone
    assert lcs_project_run.project_run_dir(1234567, "https://lcsapi.example", base=str(tmp_path),
                                           run_id="7-70") == mine


def test_only_tasks_of_a_known_project_that_do_not_poll_share(tmp_path, monkeypatch):
    monkeypatch.delenv("LCS_PROJECT_ID", raising=False)
    task = SimpleNamespace(until=None)
    shared = lcs_project_run.with_project_run(task, {"project_id": 1}, run_id="7-70", base=str(tmp_path))
    assert shared["project_run_dir"].startswith(str(tmp_path))
    assert "project_run_dir" not in lcs_project_run.with_project_run(task, {}, base=str(tmp_path))
    polling = SimpleNamespace(until=["not info.environments[0].busy"])
    assert "project_run_dir" not in lcs_project_run.with_project_run(polling, {"project_id": 1}, base=str(tmp_path))


def test_tasks_signing_in_as_someone_else_share_nothing_with_the_run(tmp_path, monkeypatch):
    for name in ("LCS_PROJECT_ID", "LCS_USERNAME", "LCS_CLIENT_ID", "LCS_TENANT_ID", "LCS_TOKEN_CACHE"):
        monkeypatch.delenv(name, raising=False)
    task = SimpleNamespace(until=None)

    def run_dir(**args):
        return lcs_project_run.with_project_run(task, dict(project_id=1, **args), run_id="7-70",
                                                base=str(tmp_path))["project_run_dir"]

    admin = run_dir(username="admin@contoso.example", password="one secret")
    assert run_dir(username="admin@contoso.example", password="another secret") == admin  # secrets are no key
    assert run_dir(username="outsider@contoso.example") != admin
    monkeypatch.setenv("LCS_USERNAME", "admin@contoso.example")
    assert run_dir() == admin  # the variable the module falls back to names the same person


def test_controller_run_id_tells_a_reused_pid_apart():
    own = lcs_project_run.controller_run_id(os.getpid())
    assert own.startswith("%d-" % os.getpid()) and own != "%d-0" % os.getpid()
    assert lcs_project_run.controller_run_id(999999999) == "999999999-0"


def test_an_environment_already_read_is_answered_on_the_controller(tmp_path):
    run = ProjectRun(str(tmp_path))
    args = {"project_run_dir": str(tmp_path), "environment_id": "22222222-2222-2222-2222-222222222222"}
    assert lcs_project_run.shared_environment_facts(args) is None  # nothing read yet: the module reads
    run.environments(lambda: ROWS)
    facts = lcs_project_run.shared_environment_facts(args)
    assert facts == {"changed": False, "environments": [dict(facts["environments"][0], name="uat")]}
    with_history = dict(args, include_history=True)
    assert lcs_project_run.shared_environment_facts(with_history) is None  # its history is not read yet
    running = {"Name": "Refresh database", "Type": "SFSourceDbToSandbox", "StartDateTimeUTC": "2026-03-02T09:00:00",
               "Status": "InProgress", "ActivityId": "9" * 32}
    run.history(args["environment_id"], lambda: [running], read_at=lambda: "2026-03-02T10:00:00Z")
    environment = lcs_project_run.shared_environment_facts(with_history)["environments"][0]
    assert environment["busy"] is True and environment["operation_starts_24h"] == 1
    assert [op["state"] for op in environment["operations"]] == ["running"]
    absent = dict(args, environment_id="33333333-3333-3333-3333-333333333333")
    assert lcs_project_run.shared_environment_facts(absent) is None  # the module says it is not in the project


@pytest.mark.parametrize("state, answered", [
    ("Finished", True), ("finished", True), ("InProgress", False), ("Servicing", False), (None, False)])
def test_a_finished_environment_skips_its_history_only_when_asked(tmp_path, state, answered):
    """lcs_environment_info(skip_history_when_finished): only LCS's Finished saves the read; any other or unknown
    state waits for the history (issue 18)."""
    run = ProjectRun(str(tmp_path))
    run.environments(lambda: [dict(ROWS[1], DeploymentState=state)])
    args = {"project_run_dir": str(tmp_path), "environment_id": "22222222-2222-2222-2222-222222222222",
            "include_history": True}
    assert lcs_project_run.shared_environment_facts(args) is None  # not asked: the history is needed
    answer = lcs_project_run.shared_environment_facts(dict(args, skip_history_when_finished=True))
    if answered:
        assert answer["environments"][0]["history_read"] is False
        assert answer["environments"][0]["busy"] is False and "operations" not in answer["environments"][0]
    else:
        assert answer is None


def test_a_task_without_calls_of_its_own_measures_in_lcs_clock(tmp_path):
    import datetime

    from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.client import LcsClient

    run = ProjectRun(str(tmp_path))
    client = LcsClient(SimpleNamespace(server_now=lambda: None), 1234567, run=run)
    local = datetime.datetime.now(datetime.UTC)
    assert abs((client.now() - local).total_seconds()) < 5  # nothing seen yet: the controller's clock
    run.note_clock_offset(86400.0)  # another host saw LCS's Date header a day ahead of us
    assert abs((client.now() - local).total_seconds() - 86400) < 5


def test_statuses_this_run_fetched_update_its_read(tmp_path):
    run = ProjectRun(str(tmp_path))
    environment = "22222222-2222-2222-2222-222222222222"
    run.history(environment, lambda: [{"ActivityId": "AAAAAAAA-0000-4000-8000-000000000000", "Status": "InProgress"},
                                      {"ActivityId": "bbbbbbbb000040008000000000000000", "Status": "Completed"}])
    run.record_status(environment, "aaaaaaaa000040008000000000000000", "Completed", "2026-03-02T10:00:00")
    rows = run.history(environment, lambda: [])
    assert [(row["Status"], row.get("EndDateTimeUTC")) for row in rows] == [
        ("Completed", "2026-03-02T10:00:00"), ("Completed", None)]
