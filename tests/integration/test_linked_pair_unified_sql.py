"""A unified target (F&O managed in the Power Platform admin center: no LCS environment id) with SQL access, through
playbooks/linked_point_in_time_restore.yml (the one linked movement a unified target may take): before the restore
the role proves the connection reaches the target's database by the id its clean-up marker carries - the unified
environment's Power Platform id, as playbooks/point_in_time_restore.yml marks it - then stops its dual-write maps and
holds its recurring integrations. A database marked for another environment is refused before anything starts.
Real ansible-playbook against the emulator's Power Platform world with PostgreSQL databases."""

from __future__ import annotations

import json

import pytest

from tests.integration.fo_support import play, sql_task
from tests.integration.pairs_support import run_pairs, task_offsets, unified_inventory
from tests.integration.pp_support import FABRIKAM_UAT, pp_world_with

pytestmark = pytest.mark.xdist_group("pairs")

QUIESCE = "Stop the target's dual-write maps"


def _short(env):
    env["durations"] = {"queue": 30, "run": 600}


def _odbc(emu):
    env = next(e for e in emu.state()["power_platform"]["environments"] if e["id"] == FABRIKAM_UAT)
    return env["odbc_connection_string"]


def _mark(tmp_path, odbc, environment_id):
    """The collection's clean-up marker, written by fo_database_target itself (as a clean-up of that id leaves it)."""
    database = odbc.split("Database=")[1].split(";")[0]
    proc, results = play(tmp_path, [sql_task(
        "fo_database_target", odbc, register="r_mark", environment_type="Sandbox", environment_id=environment_id,
        purpose="cleanup", state="verified", generation="earlier-restore", confirm_database=database)], name="mark.yml")
    assert proc.returncode == 0 and results["r_mark"]["marker"]["environment_id"] == environment_id, proc.stdout[-3000:]


def _run_a_dual_write_map(odbc):
    import pyodbc

    with pyodbc.connect(odbc, autocommit=True) as conn:
        conn.execute("DELETE FROM DUALWRITEPROJECTCONFIGURATION")
        conn.execute("INSERT INTO DUALWRITEPROJECTCONFIGURATION (RECID, PROJECTNAME, EXTERNALENTITYNAME, STATUS)"
                     " VALUES (5637199991, 'Vendors', 'msdyn_vendor', 1)")


def test_a_unified_target_with_sql_is_proven_by_its_power_platform_id_then_quiesced(tmp_path, start_emulator):
    emu = start_emulator(pp_world_with(tmp_path, **{FABRIKAM_UAT: _short}), databases=True, speed=120)
    odbc = _odbc(emu)
    _mark(tmp_path, odbc, FABRIKAM_UAT)
    _run_a_dual_write_map(odbc)
    instant = emu.advance(60)["now"][:19] + "Z"
    emu.advance(60)
    # no dataalm_confirm_database: the marker alone proves the database is the unified target's
    # hook (linkedclean): the clean-up after the restore finds the marker of an earlier clean-up and enabled users (the
    # instant's own data); cleaning that copy again is asked for in so many words (the post_restore role's rule)
    inventory = unified_inventory(tmp_path, emu, FABRIKAM_UAT, dataalm_restore_point=instant,
                                  dataalm_sql_connection_string=odbc, dataalm_force_cleanup=True)

    proc, report = run_pairs(tmp_path, "linked_point_in_time_restore.yml", inventory, "first", "fabrikam-uat")
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert emu.counters()["pp_restores_started"] == {"Fabrikam UAT": 1}
    record = json.loads((tmp_path / "state" / "fabrikam-uat-point_in_time_restore.linked.json").read_text())
    assert record["quiesce"]["dual_write_maps_stopped"] == 1
    assert record["quiesce"]["dual_write_maps"] == [{"project": "Vendors", "dataverse_table": "msdyn_vendor",
                                                    "status": 1}]
    assert report["hosts"]["fabrikam-uat"]["pair"]["sides"]["finance_and_operations"]["state"] == "succeeded"

    # a re-run resumes nothing and quiesces nothing: the record of this restore is kept
    again, report = run_pairs(tmp_path, "linked_point_in_time_restore.yml", inventory, "second", "fabrikam-uat")
    assert again.returncode == 0, again.stdout[-6000:]
    assert emu.counters()["pp_restores_started"] == {"Fabrikam UAT": 1}
    assert not task_offsets(report, "fabrikam-uat", QUIESCE)


def test_a_unified_target_whose_database_is_marked_for_another_environment_is_refused(tmp_path, start_emulator):
    emu = start_emulator(pp_world_with(tmp_path), databases=True, speed=120)
    odbc = _odbc(emu)
    other = "22222222-2222-4222-8222-222222222222"  # an LCS environment's id: the connection names the wrong database
    _mark(tmp_path, odbc, other)
    inventory = unified_inventory(tmp_path, emu, FABRIKAM_UAT, dataalm_restore_point="latest",
                                  dataalm_sql_connection_string=odbc)
    proc, _report = run_pairs(tmp_path, "linked_point_in_time_restore.yml", inventory, "refused", "fabrikam-uat")
    assert proc.returncode != 0
    assert "carries the clean-up marker of environment %s" % other in proc.stdout, proc.stdout[-4000:]
    assert "dataalm_sql_connection_string of fabrikam-uat" in proc.stdout
    assert emu.counters().get("pp_restores_started", {}) == {}
