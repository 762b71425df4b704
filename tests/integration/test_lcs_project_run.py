"""A fleet of hosts of one LCS project: one listing per run, shared informative reads, and a start that
always reads the target's history fresh (real ansible-playbook forks against the emulator)."""

from __future__ import annotations

import datetime as dt
import json
import sys

import yaml

from devtools.ansible_runner import run_playbook
from tests.integration.lcs_support import DEV, PROD, TEST, UAT, play

METADATA = "GET /environmentinfo/v1/detail/project/<projectId>/"
HISTORY = "GET /environmentinfo/v1/history/project/<projectId>/environment/<environmentId>/"


def calls(counters, route):
    return sum(counters["requests"].get(route, {}).values())


def run_fleet(tmp_path, lcs_emu, hosts, tasks, host_vars=None):
    """The tasks for every host (one environment each) at once: forks as many as hosts."""
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {
        "vars": dict({"ansible_connection": "local"}, **(host_vars or {})),
        "hosts": {name: {"environment_id": env} for name, env in hosts.items()}}}))
    playbook = tmp_path / "fleet.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "all", "gather_facts": False,
        "module_defaults": {"group/d365fo.dataalm.lcs": lcs_emu.lcs_module_args()}, "tasks": tasks}]))
    proc = run_playbook(playbook, inventory=inventory, args=["--forks", str(len(hosts))])
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_a_fleet_reads_the_project_once_and_the_source_history_once(tmp_path, lcs_emu):
    hosts = {"contoso-prod": PROD, "contoso-uat": UAT, "contoso-test": TEST, "contoso-dev": DEV}
    run_fleet(tmp_path, lcs_emu, hosts, [
        {"name": "Target", "d365fo.dataalm.lcs_environment_info": {
            "environment_id": "{{ environment_id }}", "include_history": True}, "register": "target"},
        {"name": "Source", "d365fo.dataalm.lcs_environment_info": {
            "environment_id": PROD, "include_history": True}, "register": "source"},
        {"name": "Each host got its own environment and the source",
         "ansible.builtin.assert": {"that": [
             "target.environments | map(attribute='environment_id') | list == [environment_id]",
             "source.environments[0].name == 'contoso-prod'",
             "target.environments[0].operations is defined"]}},
    ])
    counters = lcs_emu.counters()
    # without the shared run: 8 metadata calls (one per task and host) and 8 history reads
    assert calls(counters, METADATA) == 1  # the project's 4 environments fit one page
    assert calls(counters, HISTORY) == 4  # one per environment; the source's read serves all four hosts


def _stale_cache_with_a_recent_refresh(run_dir, lcs_emu):
    """This run's informative read of UAT's history, saying a refresh succeeded ten minutes ago."""
    now = dt.datetime.fromisoformat(lcs_emu.state()["clock"]["now"]).astimezone(dt.UTC)
    stamp = (now - dt.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S")
    row = {"Name": "Refresh database", "Type": "SFSourceDbToSandbox", "TypeDisplay": "Refresh database",
           "StartDateTimeUTC": stamp, "EndDateTimeUTC": stamp, "Status": "Completed",
           "ActivityId": "99999999-9999-4999-8999-999999999999", "EnvironmentId": UAT.replace("-", ""),
           "ProjectId": 1234567}
    run_dir.mkdir()
    (run_dir / ("history-%s.json" % UAT)).write_text(json.dumps({"rows": [row], "read_at": now.isoformat()}))


def test_a_start_reads_the_target_history_fresh_never_the_shared_read(tmp_path, lcs_emu):
    run_dir = tmp_path / "run"
    _stale_cache_with_a_recent_refresh(run_dir, lcs_emu)
    task = {"d365fo.dataalm.lcs_database_refresh": {
        "source_environment_id": PROD, "target_environment_id": UAT, "max_age": "1d", "wait": False,
        "project_run_dir": str(run_dir)}, "register": "r"}

    proc, planned = play(tmp_path, lcs_emu, [dict(task)], check=True, name="plan.yml")
    assert proc.returncode == 0, proc.stdout[-4000:]
    # a check-mode plan only informs: it may use the run's read (which says "done")
    assert planned["r"]["action"] == "none"
    assert calls(lcs_emu.counters(), HISTORY) == 0

    proc, started = play(tmp_path, lcs_emu, [dict(task)], name="start.yml")
    assert proc.returncode == 0, proc.stdout[-4000:]
    # the real run read the history fresh (no refresh in LCS) and started; the run's read now shows that start
    assert started["r"]["action"] == "started" and started["r"]["changed"] is True
    assert calls(lcs_emu.counters(), HISTORY) == 1
    assert lcs_emu.counters()["operations_started"] == {"contoso-uat": 1}
    rows = json.loads((run_dir / ("history-%s.json" % UAT)).read_text())["rows"]
    assert [row["ActivityId"] for row in rows] == [started["r"]["operation_id"], "99999999-9999-4999-8999-999999999999"]
    assert rows[0]["Type"] == "SFSourceDbToSandbox" and rows[0]["Status"] == "NotStarted"


def test_a_fleet_starts_one_module_process_for_the_source_not_one_per_host(tmp_path, lcs_emu):
    """Hosts asking at once for an environment the run has not read yet wait for one host's read (issue 18)."""
    log = tmp_path / "module-runs.log"
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\necho "$@" >> "%s"\nexec "%s" "$@"\n' % (log, sys.executable))
    python.chmod(0o755)
    hosts = {"contoso-uat": UAT, "contoso-test": TEST, "contoso-dev": DEV}
    run_fleet(tmp_path, lcs_emu, hosts, [
        {"name": "Source", "d365fo.dataalm.lcs_environment_info": {
            "environment_id": PROD, "include_history": True}, "register": "source"},
        {"name": "Every host got the source's facts and history",
         "ansible.builtin.assert": {"that": [
             "source.environments[0].name == 'contoso-prod'",
             "source.environments[0].operations is defined"]}},
    ], host_vars={"ansible_python_interpreter": str(python)})
    runs = [line for line in log.read_text().splitlines() if "lcs_environment_info" in line]
    assert len(runs) == 1, runs
    assert calls(lcs_emu.counters(), HISTORY) == 1


def _fleet_source_read(tmp_path, lcs_emu):
    hosts = {"contoso-uat": UAT, "contoso-test": TEST}
    run_fleet(tmp_path, lcs_emu, hosts, [
        {"name": "Source, as a refresh's preflight reads it", "d365fo.dataalm.lcs_environment_info": {
            "environment_id": PROD, "include_history": True, "skip_history_when_finished": True},
         "register": "source"},
        {"name": "Keep what every host got", "ansible.builtin.copy": {
            "content": "{{ source.environments[0] | to_json }}",
            "dest": str(tmp_path / "{{ inventory_hostname }}.json")}},
    ])
    return [json.loads((tmp_path / ("%s.json" % name)).read_text()) for name in hosts]


def test_a_source_whose_last_operation_finished_costs_no_history_call(tmp_path, lcs_emu):
    """The history limit per project binds a fleet: LCS's DeploymentState Finished says nothing runs (issue 18)."""
    for source in _fleet_source_read(tmp_path, lcs_emu):
        assert source["deployment_state"] == "Finished"
        assert source["history_read"] is False and source["busy"] is False and "operations" not in source
    assert calls(lcs_emu.counters(), HISTORY) == 0


def test_a_source_with_a_running_operation_is_read_and_reported_busy(tmp_path, lcs_emu):
    lcs_emu.set_faults(busy="contoso-prod")
    for source in _fleet_source_read(tmp_path, lcs_emu):
        assert source["deployment_state"] != "Finished"
        assert source["history_read"] is True and source["busy"] is True and source["operations"]
    assert calls(lcs_emu.counters(), HISTORY) == 1  # one read for the run, shared by both hosts
