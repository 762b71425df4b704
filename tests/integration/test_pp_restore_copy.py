"""pp_environment_restore and pp_environment_copy through real ansible-playbook against the emulator's Power
Platform world: check -> run -> check -> run, the three ways a 202 announces its operation, faults, a killed
controller, bad input with zero mutating requests, -vvvv, and the restored data row by row."""

from __future__ import annotations

import datetime
import re
import time

import psycopg
import pytest

from tests.integration.lcs_support import kill_controller
from tests.integration.pp_support import (
    APP_SECRET,
    CONTOSO_TEST_INITIAL,
    CONTOSO_UAT,
    FABRIKAM_DEV,
    FABRIKAM_PROD,
    FABRIKAM_UAT,
    play,
    pp_world_with,
    requests_made,
    task,
)

RESTORE = "d365fo.dataalm.pp_environment_restore"
COPY = "d365fo.dataalm.pp_environment_copy"
START = datetime.datetime(2026, 3, 2, 8, tzinfo=datetime.timezone.utc)
TWO_HOURS_AGO = "2026-03-02T06:00:00Z"


def _fast(tmp_path, start_emulator, speed=120, databases=False, announcement=None, **changes):
    """The Power Platform world at ``speed`` (a 1-hour restore takes 30 s at 120x)."""
    world = pp_world_with(tmp_path, **changes)
    if announcement:
        import yaml
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
    _proc, r = play(tmp_path, emu.pp_module_args(), [restore_task(restore_point=TWO_HOURS_AGO),
                                                      restore_task("again", restore_point=TWO_HOURS_AGO)])
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
