"""A unified environment through playbooks/linked_point_in_time_restore.yml (issue 16): the target has no LCS id,
its pair is found from the Power Platform side (finOpsMetadata), and one Power Platform restore restores its F&O
database and its Dataverse together; the report names both sides with that one operation, a re-run starts nothing.
Real ansible-playbook against the emulator's Power Platform world with PostgreSQL databases."""

from __future__ import annotations

import json
import re

import pytest

from tests.integration.pairs_support import run_pairs, unified_inventory
from tests.integration.pp_support import FABRIKAM_UAT, pp_world_with

pytestmark = pytest.mark.xdist_group("pairs")
PAIR_INFO = "d365fo.dataalm.linked_pair_info"


def _short(env):
    env["durations"] = {"queue": 30, "run": 600}


def _tables(emu, path, as_of=None):
    response = emu.http.get(emu.admin_url + path, params={"as_of": as_of} if as_of else None, timeout=60)
    response.raise_for_status()
    return response.json()["tables"]


def _change_after_the_instant(emu):
    """One F&O row (SQL) and one Dataverse solution (a deployment) changed after the instant."""
    import pyodbc

    env = next(e for e in emu.state()["power_platform"]["environments"] if e["id"] == FABRIKAM_UAT)
    with pyodbc.connect(env["odbc_connection_string"], autocommit=True) as conn:
        assert conn.execute("UPDATE USERINFO SET NAME = 'changed after the instant' WHERE ID = 'Admin'").rowcount == 1
    emu.http.post(emu.admin_url + "/pplifecycle/deployments", timeout=30, json={
        "environment": "Fabrikam UAT", "solution": "fab_Portal", "version": "9.9.9.9"}).raise_for_status()


def test_a_unified_target_without_lcs_id_is_restored_by_one_power_platform_restore(tmp_path, start_emulator):
    emu = start_emulator(pp_world_with(tmp_path, **{FABRIKAM_UAT: _short}), databases=True, speed=120)
    instant = emu.advance(60)["now"][:19] + "Z"
    emu.advance(60)
    _change_after_the_instant(emu)
    fo_then = _tables(emu, "/databases/Fabrikam%20UAT", instant)
    dv_then = _tables(emu, "/dataverse/fabrikam-uat", instant)
    assert fo_then != _tables(emu, "/databases/Fabrikam%20UAT")
    assert dv_then != _tables(emu, "/dataverse/fabrikam-uat")
    inventory = unified_inventory(tmp_path, emu, FABRIKAM_UAT, dataalm_restore_point=instant)

    proc, report = run_pairs(tmp_path, "linked_point_in_time_restore.yml", inventory, "first", "fabrikam-uat")
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert "is a unified environment: one Power Platform operation moves" in proc.stdout
    assert "ACTION NEEDED in LCS" not in proc.stdout
    # neither SQL nor the F&O URL: the run says the clean-up did not run and what to set, and does not fail
    assert re.search(r"the F&O database clean-up \(users, [^)]*\) did not run", proc.stdout), proc.stdout[-4000:]
    assert "dataalm_sql_connection_string" in proc.stdout and "fo_environment_url" in proc.stdout
    counters = emu.counters()
    assert counters["pp_restores_started"] == {"Fabrikam UAT": 1}
    assert counters.get("operations_started", {}) == {}  # nothing asked of LCS
    # both halves of the unified environment as of the one instant, row by row
    assert _tables(emu, "/databases/Fabrikam%20UAT") == fo_then
    assert _tables(emu, "/dataverse/fabrikam-uat") == dv_then
    sides = report["hosts"]["fabrikam-uat"]["pair"]["sides"]
    fo, dv = sides["finance_and_operations"], sides["dataverse"]
    assert fo["state"] == dv["state"] == "succeeded", sides
    assert fo["operation_id"] == dv["operation_id"] and dv["completed_at"] and fo["completed_at"] == dv["completed_at"]
    assert "restored with Dataverse by one Power Platform restore" in fo["message"]
    assert report["hosts"]["fabrikam-uat"]["pair"]["instant"] == instant

    again, _report = run_pairs(tmp_path, "linked_point_in_time_restore.yml", inventory, "second", "fabrikam-uat")
    assert again.returncode == 0, again.stdout[-6000:]
    assert emu.counters()["pp_restores_started"] == {"Fabrikam UAT": 1}
    assert re.search(r"fabrikam-uat\s+: ok=\d+\s+changed=0 ", again.stdout), again.stdout[-3000:]
    record = json.loads((tmp_path / "state" / "fabrikam-uat-point_in_time_restore.linked.json").read_text())
    assert record["sides"]["finance_and_operations"]["operation_id"] == dv["operation_id"]


@pytest.mark.parametrize("extra, expected", [
    # a unified environment is only restored without an LCS id: a refresh names the LCS environments
    ({"dataalm_source_environment_id": "11111111-1111-4111-8111-111111111111"}, "dataalm_target_environment_id"),
])
def test_a_refresh_of_a_target_without_lcs_id_is_refused_before_any_change(tmp_path, start_emulator, extra, expected):
    emu = start_emulator(pp_world_with(tmp_path), databases=False, speed=120)
    inventory = unified_inventory(tmp_path, emu, FABRIKAM_UAT, **extra)
    proc, _report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "refused", "fabrikam-uat")
    assert proc.returncode != 0
    assert expected in proc.stdout and "pp_environment_copy" in proc.stdout, proc.stdout[-4000:]
    assert emu.counters().get("pp_copies_started", {}) == {} and emu.counters().get("operations_started", {}) == {}


def test_a_linked_target_named_only_by_its_power_platform_id_is_refused_before_any_restore(tmp_path, start_emulator):
    from tests.integration.pp_support import CONTOSO_UAT

    emu = start_emulator(pp_world_with(tmp_path), databases=False, speed=120)
    inventory = unified_inventory(tmp_path, emu, CONTOSO_UAT, dataalm_restore_point="2026-03-02T07:00:00Z")
    proc, _report = run_pairs(tmp_path, "linked_point_in_time_restore.yml", inventory, "refused", "fabrikam-uat")
    assert proc.returncode != 0
    assert "name its LCS environment in dataalm_target_environment_id" in proc.stdout, proc.stdout[-4000:]
    assert emu.counters().get("pp_restores_started", {}) == {}
