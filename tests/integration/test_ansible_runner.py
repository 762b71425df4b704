"""The runbooks under ansible-runner, AWX's own job runner, against the emulator and PostgreSQL.

Each job gets a private data directory of its own, as an AWX job gets a new container: the only
thing two jobs share is the run state the runbook keeps outside them (the snapshot directory, a
volume or artifact store in AWX) and the environment's own database and LCS history.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import ansible_runner
import pytest
import yaml

from devtools.collection import ensure_collection_tree
from devtools.services import write_services

REPO = Path(__file__).resolve().parents[2]
INVENTORY = REPO / "extensions" / "molecule" / "shared" / "inventory.yml"
VENV_BIN = Path(sys.executable).parent
TARGET = "contoso-uat"


def private_data_dir(root: Path, name: str, services: Path, state: Path, extravars: dict) -> Path:
    """An ansible-runner private data directory laid out as AWX lays out a job's."""
    pdd = root / name
    (pdd / "env").mkdir(parents=True)
    (pdd / "inventory").mkdir()
    (pdd / "project").symlink_to(REPO / "playbooks")
    (pdd / "inventory" / "hosts.yml").write_text(INVENTORY.read_text())
    envvars = {
        "ANSIBLE_COLLECTIONS_PATH": str(ensure_collection_tree()),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_CALLBACKS_ENABLED": "d365fo.dataalm.report",
        "ANSIBLE_NOCOLOR": "1",
        "DATAALM_SERVICES": str(services),
        "DATAALM_SNAPSHOT_DIR": str(state),
        "DATAALM_REPORT_DIR": str(pdd / "artifacts" / name / "dataalm-report"),
        "DATAALM_REPORT_RUN_NAME": name,
        "PATH": "%s%s%s" % (VENV_BIN, os.pathsep, os.environ.get("PATH", "")),
        "PYTHONPATH": str(REPO),
    }
    (pdd / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    (pdd / "env" / "extravars").write_text(yaml.safe_dump(extravars))
    return pdd


@pytest.fixture
def job(emulator, tmp_path):
    """Factory for ansible-runner jobs of playbooks/refresh.yml sharing one run-state directory."""
    emulator.set_speed(2000)
    services = tmp_path / "services.json"
    write_services(emulator, services)
    state = tmp_path / "run-state"
    state.mkdir()
    not_before = emulator.state()["clock"]["now"]

    def make(name: str, **extravars) -> Path:
        base = {"dataalm_targets": TARGET, "dataalm_not_before": not_before, "dataalm_max_age": "3650d",
                "d365fo_dataalm_progress_interval": 1}
        return private_data_dir(tmp_path, name, services, state, dict(base, **extravars))

    make.emulator = emulator
    return make


def stdout_lines(events) -> list[str]:
    return [line for event in events for line in (event.get("stdout") or "").splitlines()]


def test_refresh_runbook_under_ansible_runner_streams_progress_and_keeps_reports(job):
    pdd = job("job1")
    run = ansible_runner.run(private_data_dir=str(pdd), playbook="refresh.yml", ident="job1", quiet=True)
    lines = stdout_lines(run.events)
    assert run.status == "successful", "\n".join(lines[-60:])
    progress = [line for line in lines if "operation" in line and "status" in line and "elapsed" in line]
    assert progress, "no live progress line among the job events:\n" + "\n".join(lines[-60:])
    reports = pdd / "artifacts" / "job1" / "dataalm-report" / "job1"
    assert {"report.json", "summary.md", "junit.xml"} <= {p.name for p in reports.iterdir()}
    report = json.loads((reports / "report.json").read_text())
    assert report["hosts"][TARGET]["status"] == "ok"
    assert job.emulator.counters()["operations_started"] == {TARGET: 1}


def test_a_job_killed_after_the_start_is_finished_by_a_second_job(job):
    first = job("start-job")
    # The CLI, in a process group of its own, so the whole job can be killed as AWX kills a container.
    proc = subprocess.Popen([str(VENV_BIN / "ansible-runner"), "run", str(first), "-p", "refresh.yml",
                             "--ident", "start-job"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while job.emulator.counters()["operations_started"].get(TARGET, 0) < 1:
            assert proc.poll() is None, "the first job ended before it started the refresh"
            assert time.monotonic() < deadline, "the first job did not start the refresh"
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)

    second = job("finish-job")
    run = ansible_runner.run(private_data_dir=str(second), playbook="refresh.yml", ident="finish-job", quiet=True)
    lines = stdout_lines(run.events)
    assert run.status == "successful", "\n".join(lines[-80:])
    assert job.emulator.counters()["operations_started"] == {TARGET: 1}
    report = json.loads((second / "artifacts" / "finish-job" / "dataalm-report" / "finish-job" / "report.json")
                        .read_text())
    assert report["hosts"][TARGET]["status"] == "ok"


def test_start_without_waiting_then_join_in_a_later_job(job):
    """The pipeline/AWX shape: a start job returns while the refresh runs; a later job joins and cleans."""
    job.emulator.set_speed(20)  # the refresh outlasts the start job by minutes of real time
    first = job("start-only", dataalm_wait=False)
    run = ansible_runner.run(private_data_dir=str(first), playbook="refresh.yml", ident="start-only", quiet=True)
    lines = stdout_lines(run.events)
    assert run.status == "successful", "\n".join(lines[-60:])
    assert any("run the same runbook again" in line.lower() for line in lines), "\n".join(lines[-40:])
    assert job.emulator.counters()["operations_started"] == {TARGET: 1}
    report = json.loads((first / "artifacts" / "start-only" / "dataalm-report" / "start-only" / "report.json")
                        .read_text())
    started = [op for op in report["hosts"][TARGET]["operations"] if op.get("action") == "started"]
    assert started and started[0]["state"] in ("pending", "running"), report["hosts"][TARGET]["operations"]
    ran = [task["name"] for task in report["hosts"][TARGET]["tasks"]
           if task["phase"] in ("clean-up", "verification") and task["status"] != "skipped"]
    assert ran == [], "clean-up ran while the refresh was running"

    job.emulator.set_speed(2000)
    second = job("join-later")
    run = ansible_runner.run(private_data_dir=str(second), playbook="refresh.yml", ident="join-later", quiet=True)
    lines = stdout_lines(run.events)
    assert run.status == "successful", "\n".join(lines[-80:])
    assert job.emulator.counters()["operations_started"] == {TARGET: 1}
    report = json.loads((second / "artifacts" / "join-later" / "dataalm-report" / "join-later" / "report.json")
                        .read_text())
    assert report["hosts"][TARGET]["status"] == "ok"
    # joined while running, or found done in the history: never started again
    assert {op["action"] for op in report["hosts"][TARGET]["operations"] if op.get("action")} <= {"joined", "none"}
    cleaned = [task["name"] for task in report["hosts"][TARGET]["tasks"]
               if task["phase"] == "verification" and task["status"] == "ok"]
    assert cleaned, "the later job did not clean up and verify"
