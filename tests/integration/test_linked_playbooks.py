"""playbooks/linked_*.yml through real ansible-playbook against the pairs world with databases: each side
started exactly once, both starts close together, re-runs start nothing, data as of one instant row by row,
and faults on one side only."""

from __future__ import annotations

import json
import re

import pytest

from tests.integration.pairs_support import PAIRS_WORLD, pairs_inventory, run_pairs, task_offsets

pytestmark = pytest.mark.xdist_group("pairs")

FO_START = "F&O side: start or join"
DV_START = "Dataverse side: start or join"


def _counters(emu):
    counters = emu.counters()
    return (counters.get("operations_started", {}), counters.get("pp_copies_started", {}),
            counters.get("pp_restores_started", {}))


def _dataverse(emu, domain, as_of=None):
    url = emu.admin_url + "/dataverse/" + domain + ("?as_of=" + as_of if as_of else "")
    response = emu.http.get(url, timeout=30)
    response.raise_for_status()
    return response.json()


@pytest.fixture
def pairs_db(start_emulator):
    return start_emulator(PAIRS_WORLD, databases=True, speed=600)


def test_linked_refresh_starts_each_side_once_and_reruns_start_nothing(pairs_db, tmp_path):
    emu = pairs_db
    inventory = pairs_inventory(tmp_path, emu, {"contoso-uat": {
        "dataalm_source_environment_id": "11111111-1111-4111-8111-111111111111"}})
    proc, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "first", "contoso-uat")
    assert proc.returncode == 0, proc.stdout[-6000:]
    lcs_started, copies, _restores = _counters(emu)
    assert lcs_started == {"contoso-uat": 1} and copies == {"Contoso UAT": 1}
    fo, dv = task_offsets(report, "contoso-uat", FO_START), task_offsets(report, "contoso-uat", DV_START)
    assert len(fo) == 1 and len(dv) == 1 and abs(fo[0] - dv[0]) < 60
    # both sides were started before either was waited on
    waits = task_offsets(report, "contoso-uat", "F&O side: wait") + task_offsets(report, "contoso-uat",
                                                                                 "Dataverse side: wait")
    assert waits and min(waits) > max(fo[0], dv[0])
    assert "F&O side: succeeded" in proc.stdout and "Dataverse side: succeeded" in proc.stdout
    solutions = _dataverse(emu, "contoso-uat")
    assert "2.4.0.0" in str(solutions) and "2.3.0.0" not in str(solutions)

    record = json.loads((tmp_path / "state" / "contoso-uat-refresh.linked.json").read_text())
    assert record["quiesce"]["dual_write_maps_stopped"] == 2
    assert record["sides"]["dataverse"]["state"] == record["sides"]["finance_and_operations"]["state"] == "succeeded"

    again, _report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "second", "contoso-uat")
    assert again.returncode == 0, again.stdout[-6000:]
    assert _counters(emu)[:2] == ({"contoso-uat": 1}, {"Contoso UAT": 1})
    assert json.loads((tmp_path / "state" / "contoso-uat-refresh.linked.json").read_text()) == record
    assert re.search(r"contoso-uat\s+: ok=\d+\s+changed=0 ", again.stdout), again.stdout[-3000:]


def _change_after_the_instant(emu):
    """Change both sides of contoso-test after the instant: one F&O row (SQL) and one Dataverse row (Web API)."""
    import pyodbc

    odbc = next(e for e in emu.state()["environments"] if e["name"] == "contoso-test")["odbc_connection_string"]
    with pyodbc.connect(odbc, autocommit=True) as conn:
        assert conn.execute("UPDATE USERINFO SET NAME = 'changed after the instant' WHERE ID = 'Admin'").rowcount == 1
    url = emu.dataverse_url("contoso-test")
    token = emu.app_token(scope=url + "/.default")
    response = emu.http.patch(url + "/api/data/v9.2/solutions(53000000-0000-4000-8000-000000000001)",
                              json={"version": "9.9.9.9"}, headers={"Authorization": "Bearer " + token}, timeout=30)
    assert response.status_code == 204, response.text


def _fo_rows(emu, as_of=None):
    url = emu.admin_url + "/databases/contoso-test" + ("?as_of=" + as_of if as_of else "")
    response = emu.http.get(url, timeout=60)
    response.raise_for_status()
    return response.json()["tables"]


def _cleaned_tables():
    """The tables the standard clean-up profile changes, and its run state (lower case, as the admin API names them)."""
    from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup

    steps = cleanup.select_steps(profile="standard")
    return {table.lower() for step in steps for table in step.tables} | {"dataalmstate"}


def _names(tables):
    return sorted((row["id"], row["name"]) for row in tables["userinfo"])


def test_linked_restore_waits_for_the_person_and_restores_both_sides_to_one_instant(pairs_db, tmp_path):
    emu = pairs_db
    instant = emu.advance(0)["now"].split(".")[0].replace("+00:00", "") + "Z"
    emu.advance(5)
    _change_after_the_instant(emu)
    emu.advance(5)
    expected_fo, expected_dv = _fo_rows(emu, instant), _dataverse(emu, "contoso-test", instant)
    assert expected_fo != _fo_rows(emu) and expected_dv["tables"] != _dataverse(emu, "contoso-test")["tables"]
    inventory = pairs_inventory(tmp_path, emu, {"contoso-test": {}}, dataalm_restore_point=instant,
                                dataalm_person_deadline=8)
    # nobody starts the LCS restore: the F&O side fails under its deadline, the Dataverse side completes
    proc, report = run_pairs(tmp_path, "linked_point_in_time_restore.yml", inventory, "first", "contoso-test")
    assert proc.returncode != 0
    assert "ACTION NEEDED in LCS" in proc.stdout and instant in proc.stdout
    assert "F&O side: failed" in proc.stdout and "Dataverse side: succeeded" in proc.stdout
    assert "start it in the LCS portal" in proc.stdout
    assert _counters(emu)[2] == {"Contoso Test": 1} and _counters(emu)[0] == {}
    assert report["hosts"]["contoso-test"]["status"] == "failed"
    # the person starts it now (the emulator's admin API stands in for the LCS portal); the re-run finds it
    started = emu.http.post(emu.admin_url + "/lcs/point_in_time_restore", timeout=30, json={
        "environment": "contoso-test", "instant": instant, "run_seconds": 1800})
    assert started.status_code == 201, started.text
    again, _report = run_pairs(tmp_path, "linked_point_in_time_restore.yml", inventory, "second", "contoso-test")
    assert again.returncode == 0, again.stdout[-6000:]
    assert started.json()["operation_id"] in again.stdout
    assert _counters(emu)[2] == {"Contoso Test": 1}, "Dataverse was restored a second time"
    # the F&O data as of the instant, then cleaned up once in the same run: every table the clean-up leaves alone is
    # the instant's row by row; the row changed after the instant is back as it was
    restored = _fo_rows(emu)
    cleaned = _cleaned_tables()
    assert {k: v for k, v in restored.items() if k not in cleaned} == \
        {k: v for k, v in expected_fo.items() if k not in cleaned}
    assert _names(restored) == _names(expected_fo)
    marker = {row["name"]: row["value"] for row in restored["dataalmstate"]}
    assert marker["STATE"] == "verified" and marker["GENERATION"] == started.json()["operation_id"]
    assert _dataverse(emu, "contoso-test")["tables"] == expected_dv["tables"]
    third, _report = run_pairs(tmp_path, "linked_point_in_time_restore.yml", inventory, "third", "contoso-test")
    assert third.returncode == 0 and _counters(emu)[2] == {"Contoso Test": 1}
    assert re.search(r"contoso-test\s+: ok=\d+\s+changed=0 ", third.stdout), third.stdout[-3000:]


def test_linked_backup_one_label_one_instant_and_production_records_the_instant(pairs_db, tmp_path):
    emu = pairs_db
    inventory = pairs_inventory(tmp_path, emu, {"contoso-test": {}, "contoso-prod": {}},
                                dataalm_backup_label="before release 7")
    proc, report = run_pairs(tmp_path, "linked_backup.yml", inventory, "first", "contoso-test:contoso-prod")
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert emu.counters().get("operations_started", {}) == {"contoso-test": 1}  # no export of production
    assert "counts against LCS's quota of 3 database operations per 24 hours" in proc.stdout
    fo = task_offsets(report, "contoso-test", FO_START)
    dv = task_offsets(report, "contoso-test", "Dataverse side: take")
    assert len(fo) == 1 and len(dv) == 1 and abs(fo[0] - dv[0]) < 60
    backups = {e["name"]: e for e in emu.state()["power_platform"]["environments"]}
    labels = [b["label"] for name in ("Contoso Test", "Contoso Production") for b in backups[name]["backups"]]
    assert labels.count("before release 7") == 2
    production = json.loads((tmp_path / "state" / "contoso-prod-backup.linked.json").read_text())
    prod_backup = next(b for b in backups["Contoso Production"]["backups"] if b["label"] == "before release 7")
    assert production["instant"] == prod_backup["backupPointDateTime"].replace(".000Z", "Z") or \
        production["instant"][:19] == prod_backup["backupPointDateTime"][:19]
    assert production["sides"]["finance_and_operations"]["status"] == "PointInTimeBackup"
    again, _report = run_pairs(tmp_path, "linked_backup.yml", inventory, "second", "contoso-test:contoso-prod")
    assert again.returncode == 0, again.stdout[-6000:]
    assert emu.counters().get("operations_started", {}) == {"contoso-test": 1}
    backups = {e["name"]: e for e in emu.state()["power_platform"]["environments"]}
    assert [b["label"] for b in backups["Contoso Test"]["backups"]].count("before release 7") == 1
    # the export found done carries no type: the recorded one stays, so the record is not rewritten
    assert re.search(r"contoso-test\s+: ok=\d+\s+changed=0 ", again.stdout), again.stdout[-3000:]
    assert re.search(r"contoso-prod\s+: ok=\d+\s+changed=0 ", again.stdout), again.stdout[-3000:]
