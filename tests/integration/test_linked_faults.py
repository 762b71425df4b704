"""Faults on one side of a pair movement: the report names each side's state, and a re-run finishes what is
missing without starting anything twice (a failed refresh with rollback under a 429 storm on the Power Platform,
a 429 storm on LCS longer than the retries, the LCS quota on a backup). The person who never starts the LCS
restore: test_linked_playbooks.py."""

from __future__ import annotations

import pytest

from tests.integration.pairs_support import LCS, pairs_inventory, run_pairs, started

pytestmark = pytest.mark.xdist_group("pairs_faults")


def test_a_rolled_back_refresh_is_reported_and_only_it_is_started_again(pairs_db, tmp_path):
    emu = pairs_db
    emu.set_faults(operation_failure={"environment": "contoso-uat", "rollback": "completed"},
                   throttle={"route": "/environmentmanagement/*", "count": 6, "retry_after": 1})
    inventory = pairs_inventory(tmp_path, emu, {"contoso-uat": {"dataalm_source_environment_id": LCS["contoso-prod"]}})
    proc, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "first", "contoso-uat")
    assert proc.returncode != 0
    assert "F&O side: rolled_back" in proc.stdout or "F&O side: failed" in proc.stdout
    assert "Dataverse side: succeeded" in proc.stdout
    assert "run the same playbook with the same inputs again" in proc.stdout
    assert report["hosts"]["contoso-uat"]["status"] == "failed"
    assert started(emu) == ({"contoso-uat": 1}, {"Contoso UAT": 1})
    assert emu.counters()["throttled"]["total"] >= 1  # the storm happened and was ridden out
    emu.clear_faults()
    again, _report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "second", "contoso-uat")
    assert again.returncode == 0, again.stdout[-6000:]
    # the F&O side is started again (it rolled back); the Dataverse copy that succeeded is not
    assert started(emu) == ({"contoso-uat": 2}, {"Contoso UAT": 1})


def test_the_lcs_quota_fails_the_export_only_and_the_rerun_takes_no_second_backup(pairs_db, tmp_path):
    emu = pairs_db
    emu.set_faults(quota_exhausted="contoso-test")
    inventory = pairs_inventory(tmp_path, emu, {"contoso-test": {}}, dataalm_backup_label="quota day")
    proc, _report = run_pairs(tmp_path, "linked_backup.yml", inventory, "first", "contoso-test")
    assert proc.returncode != 0
    assert "F&O side: failed" in proc.stdout and "Dataverse side: succeeded" in proc.stdout
    assert "Maximum allowed API operations" in proc.stdout
    emu.clear_faults()
    again, _report = run_pairs(tmp_path, "linked_backup.yml", inventory, "second", "contoso-test")
    assert again.returncode == 0, again.stdout[-6000:]
    assert emu.counters().get("operations_started", {}) == {"contoso-test": 1}
    backups = {e["name"]: e for e in emu.state()["power_platform"]["environments"]}["Contoso Test"]["backups"]
    assert [b["label"] for b in backups].count("quota day") == 1


def test_an_lcs_429_storm_fails_the_fo_start_only_and_the_rerun_starts_only_it(pairs_db, tmp_path):
    emu = pairs_db
    # every refresh request of LCS answered 429 (Retry-After 1 s) for longer than the client's 8 attempts
    emu.set_faults(throttle={"route": "/databasemovement/v1/refresh/*", "method": "POST", "count": 20,
                             "retry_after": 1})
    inventory = pairs_inventory(tmp_path, emu, {"contoso-uat": {"dataalm_source_environment_id": LCS["contoso-prod"]}})
    proc, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "storm", "contoso-uat")
    assert proc.returncode != 0
    assert "F&O side: failed" in proc.stdout and "Dataverse side: succeeded" in proc.stdout, proc.stdout[-6000:]
    assert emu.counters()["throttled"]["total"] >= 8  # every attempt met the storm
    assert started(emu) == ({}, {"Contoso UAT": 1})
    sides = report["hosts"]["contoso-uat"]["pair"]["sides"]
    fo = sides["finance_and_operations"]
    assert fo["state"] == "failed" and fo["operation_id"] is None
    assert "429" in fo["message"] or "throttl" in fo["message"].lower(), fo
    assert sides["dataverse"]["state"] == "succeeded" and sides["dataverse"]["operation_id"]
    emu.clear_faults()
    again, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "after", "contoso-uat")
    assert again.returncode == 0, again.stdout[-6000:]
    # the F&O refresh is started now, once; the Dataverse copy that succeeded is not started again
    assert started(emu) == ({"contoso-uat": 1}, {"Contoso UAT": 1})
    assert report["hosts"]["contoso-uat"]["pair"]["sides"]["finance_and_operations"]["state"] == "succeeded"
