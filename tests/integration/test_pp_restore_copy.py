"""pp_environment_restore and pp_environment_copy through real ansible-playbook against the emulator's Power
Platform world: check -> run -> check -> run, the three ways a 202 announces its operation, faults, a killed
controller, bad input with zero mutating requests, -vvvv, and the restored data row by row."""

from __future__ import annotations

import datetime
import re
import subprocess
import time

import psycopg
import pytest
import yaml

from devtools.ansible_runner import ansible_env
from tests.integration.lcs_support import VENV_BIN, kill_controller
from tests.integration.pp_support import (
    APP_SECRET,
    CONTOSO_TEST_INITIAL,
    CONTOSO_UAT,
    FABRIKAM_DEV,
    FABRIKAM_PROD,
    FABRIKAM_UAT,
    GROUP,
    play,
    pp_world_with,
    requests_made,
    task,
)

RESTORE = "d365fo.dataalm.pp_environment_restore"
COPY = "d365fo.dataalm.pp_environment_copy"
START = datetime.datetime(2026, 3, 2, 8, tzinfo=datetime.UTC)
TWO_HOURS_AGO = "2026-03-02T06:00:00Z"


def _fast(tmp_path, start_emulator, speed=120, databases=False, announcement=None, **changes):
    """The Power Platform world at ``speed`` (a 1-hour restore takes 30 s at 120x)."""
    world = pp_world_with(tmp_path, **changes)
    if announcement:
        data = yaml.safe_load(world.read_text())
        data["power_platform"]["operation_announcement"] = announcement
        world.write_text(yaml.safe_dump(data, sort_keys=False))
    return start_emulator(world, databases=databases, speed=speed)


def _short(env):
    env["durations"] = {"queue": 30, "run": 600}


def restores(emu, env="Fabrikam UAT"):
    return emu.counters()["pp_restores_started"].get(env, 0)


def copies(emu, env="Fabrikam UAT"):
    return emu.counters()["pp_copies_started"].get(env, 0)


def restore_task(name="restore", **args):
    args.setdefault("target_environment_id", FABRIKAM_UAT)
    args.setdefault("poll_interval", 2)
    return task(name, RESTORE, **args)


def test_restore_check_run_check_run(tmp_path, start_emulator):
    emu = _fast(tmp_path, start_emulator, **{FABRIKAM_UAT: _short})
    args = emu.pp_module_args()
    restore = restore_task(restore_point="latest")
    _proc, r = play(tmp_path, args, [dict(restore)], check=True, name="check1.yml")
    result = r["restore"]
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True and result["action"] == "started" and result["operation_id"] is None
    assert result["validation"] == {"passed": True, "field_errors": []}
    assert restores(emu) == 0 and sum(emu.counters()["mutating_requests"].values()) == 0
    proc, r = play(tmp_path, args, [dict(restore)], name="run1.yml", vars={"d365fo_dataalm_progress_interval": 3})
    result = r["restore"]
    assert not result.get("failed"), result.get("msg")
    assert (result["action"], result["status"], result["state"]) == ("started", "Succeeded", "succeeded")
    assert result["instant"].endswith("Z") and result["instant_source"] == "latest"
    assert [s["status"] for s in result["stages"]] == ["Succeeded"] * 4
    assert result["duration_seconds"] > 0 and result["completed_at"] >= result["started_at"]
    assert re.search(r"pp_environment_restore: operation %s status \w+, elapsed" % result["operation_id"],
                     proc.stdout)
    _proc, r = play(tmp_path, args, [dict(restore)], check=True, name="check2.yml")
    assert r["restore"]["changed"] is False and r["restore"]["action"] == "none"
    _proc, r = play(tmp_path, args, [dict(restore)], name="run2.yml")
    assert r["restore"]["changed"] is False and r["restore"]["operation_id"] == result["operation_id"]
    assert restores(emu) == 1


@pytest.mark.parametrize("announcement", ["location", "operation_url", "none"])
def test_each_announcement_ends_with_exactly_one_restore(tmp_path, start_emulator, announcement):
    emu = _fast(tmp_path, start_emulator, announcement=announcement, **{FABRIKAM_UAT: _short})
    tasks = [restore_task(restore_point=TWO_HOURS_AGO), restore_task("again", restore_point=TWO_HOURS_AGO)]
    _proc, r = play(tmp_path, emu.pp_module_args(), tasks)
    first, again = r["restore"], r["again"]
    assert not first.get("failed"), first.get("msg")
    assert first["state"] == "succeeded" and first["action"] == "started" and first["operation_id"]
    assert first["instant"] == TWO_HOURS_AGO and first["instant_source"] == "given"
    assert again["action"] == "none" and again["operation_id"] == first["operation_id"]
    assert restores(emu) == 1
    env = next(e for e in emu.state()["power_platform"]["environments"] if e["id"] == FABRIKAM_UAT)
    assert env["admin_mode"] is True  # the service leaves a restored environment in admin mode


def test_copy_check_run_check_run(tmp_path, start_emulator):
    emu = _fast(tmp_path, start_emulator, **{FABRIKAM_UAT: _short})
    args = emu.pp_module_args()
    copy = task("copy", COPY, source_environment_id=FABRIKAM_PROD, target_environment_id=FABRIKAM_UAT,
                advanced_fo_copy=True, poll_interval=2)
    _proc, r = play(tmp_path, args, [dict(copy)], check=True, name="check1.yml")
    assert r["copy"]["changed"] is True and r["copy"]["validation"]["passed"] is True
    assert copies(emu) == 0 and sum(emu.counters()["mutating_requests"].values()) == 0
    _proc, r = play(tmp_path, args, [dict(copy)], name="run1.yml")
    result = r["copy"]
    assert not result.get("failed"), result.get("msg")
    assert result["state"] == "succeeded" and result["copy_type"] == "full" and result["instant"]
    _proc, r = play(tmp_path, args, [dict(copy)], check=True, name="check2.yml")
    assert r["copy"]["changed"] is False
    _proc, r = play(tmp_path, args, [dict(copy)], name="run2.yml")
    assert r["copy"]["changed"] is False and copies(emu) == 1
    env = next(e for e in emu.state()["power_platform"]["environments"] if e["id"] == FABRIKAM_UAT)
    assert env["admin_mode"] is True and env["background_operations"] is False


OPERATION_ROUTE = "/environmentmanagement/environments/*/operations/*"
UNKNOWN = "c0ffee00-0000-4000-8000-000000000000"
BAD_INPUT = [
    (restore_task("r_target_not_guid", target_environment_id="fabrikam-uat", restore_point="latest"),
     "target_environment_id must be a Power Platform environment id"),
    (restore_task("r_source_not_guid", source_environment_id="prod", restore_point="latest"),
     "source_environment_id must be a Power Platform environment id"),
    (restore_task("r_point_naive", restore_point="2026-03-02T06:00:00"), "with an offset"),
    (restore_task("r_point_words", restore_point="yesterday"), "restore_point must be an RFC 3339"),
    (restore_task("r_point_future", restore_point="2026-03-09T06:00:00Z"), "in the future"),
    (restore_task("r_point_out_of_retention", restore_point="2026-02-20T06:00:00Z"), "retention window"),
    (restore_task("r_both", restore_point="latest", backup_label="monthly"), "mutually exclusive"),
    (restore_task("r_neither"), "give restore_point"),
    (restore_task("r_unknown_label", backup_label="no-such-label"), "backup_label: no backup labelled"),
    (restore_task("r_production_target", target_environment_id=FABRIKAM_PROD, source_environment_id=FABRIKAM_UAT,
                  restore_point="latest"), "never the target"),
    (restore_task("r_other_region", target_environment_id=FABRIKAM_DEV, source_environment_id=FABRIKAM_PROD,
                  restore_point="latest"), "different regions"),
    (restore_task("r_no_dataverse", target_environment_id=CONTOSO_TEST_INITIAL, source_environment_id=CONTOSO_UAT,
                  restore_point="latest"), "has no Dataverse"),
    (restore_task("r_unknown_source", source_environment_id=UNKNOWN, restore_point="latest"),
     "source_environment_id: environment %s was not found" % UNKNOWN),
    (restore_task("r_bad_operation_id", restore_point="latest", operation_id="42"), "operation_id must be a GUID"),
    (restore_task("r_bad_group", restore_point="latest", security_group_id="admins"),
     "security_group_id must be a GUID"),
    (task("c_same", COPY, source_environment_id=FABRIKAM_UAT, target_environment_id=FABRIKAM_UAT), "the same"),
    (task("c_matrix", COPY, source_environment_id=FABRIKAM_DEV, target_environment_id=FABRIKAM_UAT),
     "not supported"),
    (task("c_advanced_minimal", COPY, source_environment_id=FABRIKAM_PROD, target_environment_id=FABRIKAM_UAT,
          copy_type="minimal", advanced_fo_copy=True), "advanced_fo_copy needs copy_type full"),
    (task("c_advanced_lcs_target", COPY, source_environment_id=FABRIKAM_PROD, target_environment_id=CONTOSO_UAT,
          advanced_fo_copy=True), "advanced_fo_copy needs"),
    (task("c_copy_type", COPY, source_environment_id=FABRIKAM_PROD, target_environment_id=FABRIKAM_UAT,
          copy_type="everything"), "copy_type"),
]


def test_bad_input_fails_before_any_mutating_request(tmp_path, pp_emulator):
    tasks = [dict(item) for item, _words in BAD_INPUT]
    _proc, r = play(tmp_path, pp_emulator.pp_module_args(), tasks)
    problems = ["%s: %r" % (item["register"], (r.get(item["register"]) or {}).get("msg"))
                for item, words in BAD_INPUT
                if not (r.get(item["register"]) or {}).get("failed")
                or words not in (r.get(item["register"]) or {}).get("msg", "")]
    assert not problems, "\n".join(problems)
    assert len(BAD_INPUT) >= 15
    assert requests_made(pp_emulator, mutating_only=True) == 0
    assert sum(pp_emulator.counters()["mutating_requests"].values()) == 0


def test_capacity_below_1_gb_is_refused_before_the_restore(tmp_path, start_emulator):
    world = pp_world_with(tmp_path)
    data = yaml.safe_load(world.read_text())
    data["power_platform"]["free_capacity_gb"] = 0.5
    world.write_text(yaml.safe_dump(data, sort_keys=False))
    emu = start_emulator(world, databases=False)
    _proc, r = play(tmp_path, emu.pp_module_args(), [restore_task(restore_point="latest")])
    assert r["restore"]["failed"] and "at least 1 GB" in r["restore"]["msg"]
    assert requests_made(emu, mutating_only=True) == 0


def test_service_side_refusal_is_reported_field_by_field(tmp_path, pp_emulator):
    # the environment response carries no retention window the module could check: the service refuses
    pp_emulator.set_faults({"kind": "busy", "environment": FABRIKAM_UAT})
    _proc, r = play(tmp_path, pp_emulator.pp_module_args(), [restore_task(restore_point="latest")], check=True)
    assert r["restore"]["failed"] and r["restore"]["http_status"] == 409
    assert r["restore"]["error_code"] == "EnvironmentBusy" and "busy" in r["restore"]["msg"]
    assert restores(pp_emulator) == 0


def test_a_running_restore_is_joined_and_other_work_makes_the_target_busy(tmp_path, start_emulator):
    running = {"id": "e5000000-0000-4000-8000-000000000077", "name": "Restore environment", "started": -60,
               "run_seconds": 72000}
    emu = _fast(tmp_path, start_emulator, **{FABRIKAM_UAT: lambda env: env["operations"].append(running)})
    _proc, r = play(tmp_path, emu.pp_module_args(), [restore_task(restore_point=TWO_HOURS_AGO, wait=False)])
    assert r["restore"]["action"] == "joined" and r["restore"]["operation_id"] == running["id"]
    assert r["restore"]["state"] == "running" and restores(emu) == 0
    backup = dict(running, id="e5000000-0000-4000-8000-000000000078", name="Backup", started=0, run_seconds=72000)
    (tmp_path / "busy").mkdir()
    emu2 = _fast(tmp_path / "busy", start_emulator, **{FABRIKAM_UAT: lambda env: env["operations"].append(backup)})
    _proc, r = play(tmp_path, emu2.pp_module_args(), [restore_task(restore_point=TWO_HOURS_AGO)], name="busy.yml")
    assert r["restore"]["failed"] and "busy with Backup" in r["restore"]["msg"]
    assert requests_made(emu2, mutating_only=True) == 0


def test_fault_matrix_429_5xx_dropped_connections_one_restore(tmp_path, start_emulator):
    emu = _fast(tmp_path, start_emulator, **{FABRIKAM_UAT: _short})
    emu.set_faults({"kind": "throttle", "route": "/environmentmanagement/environments/*/restore", "count": 3,
                    "retry_after": 1},
                   {"kind": "http_error", "route": OPERATION_ROUTE, "status": 503, "count": 3},
                   {"kind": "drop_connection", "route": OPERATION_ROUTE, "count": 2})
    _proc, r = play(tmp_path, emu.pp_module_args(), [restore_task(restore_point=TWO_HOURS_AGO)])
    assert not r["restore"].get("failed"), r["restore"].get("msg")
    assert r["restore"]["state"] == "succeeded" and restores(emu) == 1
    fired = {f["kind"]: f["fired"] for f in emu.http.get(f"{emu.admin_url}/faults", timeout=30).json()["faults"]}
    assert fired == {"throttle": 3, "http_error": 3, "drop_connection": 2}


def test_a_5xx_on_the_start_fails_without_starting_and_a_rerun_starts_one(tmp_path, start_emulator):
    emu = _fast(tmp_path, start_emulator, **{FABRIKAM_UAT: _short})
    emu.set_faults({"kind": "http_error", "route": "/environmentmanagement/environments/*/restore", "method": "POST",
                    "status": 500, "count": 1})
    tasks = [restore_task(restore_point=TWO_HOURS_AGO), restore_task("rerun", restore_point=TWO_HOURS_AGO)]
    _proc, r = play(tmp_path, emu.pp_module_args(), tasks)
    assert r["restore"]["failed"] and r["restore"]["http_status"] == 500
    assert r["rerun"]["state"] == "succeeded" and r["rerun"]["action"] == "started" and restores(emu) == 1


def test_a_failed_restore_fails_the_task_with_its_id(tmp_path, start_emulator):
    emu = _fast(tmp_path, start_emulator, **{FABRIKAM_UAT: _short})
    emu.set_faults({"kind": "operation_failure", "environment": FABRIKAM_UAT})
    _proc, r = play(tmp_path, emu.pp_module_args(), [restore_task(restore_point=TWO_HOURS_AGO)])
    result = r["restore"]
    assert result["failed"] and result["state"] == "failed" and result["operation_id"]
    assert "OperationFailed" in result["msg"] and restores(emu) == 1


def test_token_expiry_during_a_24_hour_restore(tmp_path, start_emulator):
    emu = _fast(tmp_path, start_emulator, speed=2400,
                **{FABRIKAM_UAT: lambda env: env.update(durations={"queue": 60, "run": 86400})})
    emu.set_faults(token_lifetime=1800)
    _proc, r = play(tmp_path, emu.pp_module_args(), [restore_task(restore_point=TWO_HOURS_AGO, poll_interval=3)])
    assert not r["restore"].get("failed"), r["restore"].get("msg")
    assert r["restore"]["state"] == "succeeded" and r["restore"]["duration_seconds"] >= 86400
    refused = sum(statuses.get("401", 0) for route, statuses in emu.counters()["requests"].items()
                  if "/operations/" in route)
    assert refused >= 2 and restores(emu) == 1


def test_sigkill_mid_wait_then_rerun_joins_with_one_restore(tmp_path, start_emulator):
    emu = _fast(tmp_path, start_emulator, speed=60)
    playbook = [{"hosts": "localhost", "connection": "local", "gather_facts": False,
                 "module_defaults": {GROUP: emu.pp_module_args()},
                 "tasks": [restore_task(restore_point=TWO_HOURS_AGO)]}]
    path = tmp_path / "killed.yml"
    path.write_text(yaml.safe_dump(playbook, sort_keys=False))
    proc = subprocess.Popen([str(VENV_BIN / "ansible-playbook"), str(path), "-i", "localhost,", "-c", "local"],
                            env=ansible_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while restores(emu) == 0 and time.monotonic() < deadline:
        time.sleep(1)
    assert restores(emu) == 1
    time.sleep(3)
    kill_controller(proc)
    _proc, r = play(tmp_path, emu.pp_module_args(), [restore_task(restore_point=TWO_HOURS_AGO)], name="rerun.yml")
    assert r["restore"]["action"] == "joined" and r["restore"]["state"] == "succeeded"
    assert restores(emu) == 1


SECRET_PATTERNS = [re.escape(APP_SECRET), r"eyJ[A-Za-z0-9_-]{10,}\.", r"(?i)bearer\s+[A-Za-z0-9._-]{20,}",
                   r"client_secret=\w"]


def test_vvvv_output_contains_no_secret(tmp_path, start_emulator):
    emu = _fast(tmp_path, start_emulator, **{FABRIKAM_UAT: _short})
    tasks = [restore_task(restore_point=TWO_HOURS_AGO),
             task("copy", COPY, source_environment_id=FABRIKAM_PROD, target_environment_id=FABRIKAM_UAT, wait=False)]
    proc, r = play(tmp_path, emu.pp_module_args(), tasks, verbosity=4)
    assert r["restore"]["state"] == "succeeded"
    output = proc.stdout + proc.stderr
    assert "pp_environment_restore" in output and len(output) > 10000
    leaks = [p for p in SECRET_PATTERNS if re.search(p, output)]
    assert not leaks, leaks


def test_restored_data_equals_the_data_as_of_the_instant_row_by_row(tmp_path, start_emulator):
    from tests.emulator.test_data_through_time import _as_of, _dump, _environment, _libpq, _write_after, _write_before
    from tests.emulator.test_dataverse import Dataverse

    emu = _fast(tmp_path, start_emulator, speed=1, databases=True, **{FABRIKAM_UAT: _short})
    dv = Dataverse(emu, "fabrikam-uat")
    odbc = _environment(emu, "Fabrikam UAT")["odbc_connection_string"]
    with psycopg.connect(_libpq(odbc), autocommit=True) as conn:
        emu.advance(60)
        _write_before(conn)
        dv.ok("POST", "solutions", status=204, json={"uniquename": "Before"})
        emu.advance(60)
        instant = emu.state()["clock"]["now"]
        expected_rows, expected_dv = _dump(conn), _as_of(emu, "dataverse/fabrikam-uat", instant)
        emu.advance(60)
        _write_after(conn)
        dv.ok("POST", "solutions", status=204, json={"uniquename": "After"})
        emu.set_speed(120)
        _proc, r = play(tmp_path, emu.pp_module_args(), [restore_task(restore_point=instant)])
        assert r["restore"]["state"] == "succeeded", r["restore"].get("msg")
        assert _dump(conn) == expected_rows  # every table row by row; the rows written after the instant are gone
    assert _as_of(emu, "dataverse/fabrikam-uat", emu.state()["clock"]["now"]) == expected_dv
    assert restores(emu) == 1


def _deploy(emu, **body):
    response = emu.http.post(f"{emu.admin_url}/pplifecycle/deployments", json={"environment": "Fabrikam UAT", **body},
                             timeout=30)
    assert response.status_code == 201, response.text


def test_preflight_lists_the_packages_and_solutions_the_instant_takes_back(tmp_path, start_emulator):
    emu = _fast(tmp_path, start_emulator, speed=1, **{FABRIKAM_UAT: _short})
    emu.advance(60)
    _deploy(emu, package="FabrikamExt", version="1.0.0.0")
    _deploy(emu, solution="fab_Portal", version="1.0.0.0")
    emu.advance(60)
    instant = emu.state()["clock"]["now"]
    emu.advance(60)
    _deploy(emu, package="FabrikamExt", version="2.0.0.0")
    _deploy(emu, package="FabrikamTax", version="1.0.0.0")
    _deploy(emu, solution="fab_Portal", version="1.1.0.0")
    emu.set_speed(120)
    restore = restore_task(restore_point=instant)
    _proc, r = play(tmp_path, emu.pp_module_args(), [dict(restore)], check=True, name="check.yml")
    result = r["restore"]
    assert not result.get("failed"), result.get("msg")
    after = result["deployed_after"]
    assert [(p["name"], p["version"], p["version_at_instant"]) for p in after["packages"]] == [
        ("FabrikamExt", "2.0.0.0", "1.0.0.0"), ("FabrikamTax", "1.0.0.0", None)]
    # solutions list their current row only: the version of the instant is not known from it
    assert [(s["name"], s["version"]) for s in after["solutions"]] == [("fab_Portal", "1.1.0.0")]
    ids = [f["id"] for f in result["findings"]]
    assert ids == ["restore_packages_deployed_after_instant", "restore_solutions_deployed_after_instant",
                   "restore_admin_mode", "restore_flows_off", "restore_connection_references"]
    assert "FabrikamTax" in result["findings"][0]["message"] and result["findings"][0]["remedy"]
    assert restores(emu) == 0 and sum(emu.counters()["mutating_requests"].values()) == 0
    _proc, r = play(tmp_path, emu.pp_module_args(), [dict(restore)], name="run.yml")
    assert r["restore"]["state"] == "succeeded", r["restore"].get("msg")
    # the code came back as of the instant, so nothing is deployed after it any more
    _proc, r = play(tmp_path, emu.pp_module_args(), [dict(restore)], check=True, name="again.yml")
    assert r["restore"]["deployed_after"] == {"packages": [], "solutions": []}
    assert r["restore"]["action"] == "none" and restores(emu) == 1


def test_unreadable_code_history_is_a_warning_finding_and_the_restore_goes_on(tmp_path, start_emulator):
    emu = _fast(tmp_path, start_emulator, **{FABRIKAM_UAT: _short})
    emu.set_faults({"kind": "http_error", "route": "/dataverse/*/api/data/v9.2/packagehistories", "method": "GET",
                    "status": 403, "count": 100})
    _proc, r = play(tmp_path, emu.pp_module_args(), [restore_task(restore_point=TWO_HOURS_AGO)])
    result = r["restore"]
    assert result.get("state") == "succeeded", result
    assert result["findings"][0]["id"] == "restore_code_history_unreadable" and result["deployed_after"] is None
    assert "403" in result["findings"][0]["message"]
    assert restores(emu) == 1
