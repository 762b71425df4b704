"""The F&O database clean-up of playbooks/linked_refresh.yml (the post_restore role, once both halves moved), through
real ansible-playbook against the pairs world with PostgreSQL databases: the copy is cleaned once (the target's own
settings re-applied from the snapshot taken before the refresh, production's outgoing mail gone, the run state in
the database names the F&O side's operation), a re-run, a preview and a clean-up-only run change nothing, a
controller killed during the movement is resumed and cleans once, and a bad clean-up variable stops the run before
either side starts."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import pytest

from devtools.ansible_runner import VENV_BIN, ansible_env
from tests.integration.pairs_support import LCS, REPO, pairs_inventory, run_pairs, started, task_offsets

pytestmark = pytest.mark.xdist_group("pairs")

CLEANUP = "Run the clean-up profile"
QUEUED_MAIL = "SELECT COUNT(*) FROM SYSOUTGOINGEMAILTABLE WHERE STATUS IN (0, 2, 4, 5)"


def _query(emu, name, sql):
    import pyodbc

    odbc = next(e for e in emu.state()["environments"] if e["name"] == name)["odbc_connection_string"]
    with pyodbc.connect(odbc, autocommit=True) as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]


def _marker(emu):
    return dict(_query(emu, "contoso-uat", "SELECT NAME, VALUE FROM DATAALMSTATE"))


def _inventory(tmp_path, emu, **host_vars):
    return pairs_inventory(tmp_path, emu, {"contoso-uat": dict(
        {"dataalm_source_environment_id": LCS["contoso-prod"]}, **host_vars)})


def _unchanged(proc):
    return re.search(r"contoso-uat\s+: ok=\d+\s+changed=0 ", proc.stdout)


def test_the_refreshed_copy_is_cleaned_once_and_reruns_preview_and_tag_runs_change_nothing(pairs_db, tmp_path):
    emu = pairs_db
    own_relay = _query(emu, "contoso-uat", "SELECT SMTPRELAYSERVERNAME FROM SYSEMAILPARAMETERS")
    assert own_relay == [("smtp-contoso-uat.contoso.example",)], own_relay
    assert _query(emu, "contoso-prod", QUEUED_MAIL)[0][0]
    inventory = _inventory(tmp_path, emu)

    proc, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "first", "contoso-uat")
    assert proc.returncode == 0, proc.stdout[-6000:]
    host = report["hosts"]["contoso-uat"]
    fo_side = host["pair"]["sides"]["finance_and_operations"]
    # the clean-up ran once both sides finished, on the copy the F&O side's refresh produced
    waits = task_offsets(report, "contoso-uat", "side: wait")
    cleanup = task_offsets(report, "contoso-uat", CLEANUP)
    assert len(cleanup) == 1 and cleanup[0] > max(waits)
    assert _marker(emu)["GENERATION"] == fo_side["operation_id"] and _marker(emu)["STATE"] == "verified"
    # the target's own SMTP relay (snapshot taken before the refresh) is back; production's queued mail is gone
    assert _query(emu, "contoso-uat", "SELECT SMTPRELAYSERVERNAME FROM SYSEMAILPARAMETERS") == own_relay
    assert _query(emu, "contoso-uat", QUEUED_MAIL) == [(0,)]
    assert _query(emu, "contoso-uat", "SELECT COUNT(*) FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR LIKE '%@%'") \
        == [(0,)]
    # the sandbox's own users (the snapshot's), disabled by LCS on the copy, are enabled again
    assert ("alice",) in _query(emu, "contoso-uat", "SELECT ID FROM USERINFO WHERE ENABLE = 1")
    # the run report shows the clean-up as refresh.yml's does: its steps, its verification, the follow-ups
    assert {step["name"] for step in host["cleanup_steps"]} >= {"hold_batch_jobs", "email_addresses", "disable_users"}
    assert host["verification"] and all(check["passed"] for check in host["verification"])
    assert host["followups"]
    assert host["status"] == "ok"

    again, _report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "again", "contoso-uat")
    assert again.returncode == 0 and _unchanged(again), again.stdout[-4000:]
    preview, _report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "preview", "contoso-uat", check=True)
    assert preview.returncode == 0 and _unchanged(preview), preview.stdout[-4000:]
    # only the clean-up (nothing of the movement runs): the copy is found verified
    tagged = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), str(REPO / "playbooks" / "linked_refresh.yml"), "-i", str(inventory),
         "-e", "dataalm_targets=contoso-uat", "--tags", "post_restore"],
        env=ansible_env(), capture_output=True, text=True, timeout=600, check=False)
    assert tagged.returncode == 0 and _unchanged(tagged), tagged.stdout[-4000:]
    assert "side: start or join" not in tagged.stdout and "Verify the invariants" in tagged.stdout
    assert started(emu) == ({"contoso-uat": 1}, {"Contoso UAT": 1})


def test_a_controller_killed_during_the_movement_is_resumed_and_cleans_once(pairs_db, tmp_path):
    emu = pairs_db
    emu.set_speed(30)  # both sides run long enough to kill the controller while it waits
    inventory = _inventory(tmp_path, emu)
    (tmp_path / "reports").mkdir()
    argv = [str(VENV_BIN / "ansible-playbook"), str(REPO / "playbooks" / "linked_refresh.yml"), "-i", str(inventory),
            "-e", "dataalm_targets=contoso-uat"]
    proc = subprocess.Popen(argv, env=ansible_env(), cwd=str(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + 180
    while started(emu) != ({"contoso-uat": 1}, {"Contoso UAT": 1}):
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the movements never started"
        time.sleep(0.5)
    time.sleep(3)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)

    emu.set_speed(600)
    resumed, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "resumed", "contoso-uat")
    assert resumed.returncode == 0, resumed.stdout[-6000:]
    assert started(emu) == ({"contoso-uat": 1}, {"Contoso UAT": 1}), "a side was started a second time"
    fo_side = report["hosts"]["contoso-uat"]["pair"]["sides"]["finance_and_operations"]
    assert fo_side["action"] == "joined" or fo_side["state"] == "succeeded"
    assert _marker(emu)["GENERATION"] == fo_side["operation_id"] and _marker(emu)["STATE"] == "verified"
    assert len(task_offsets(report, "contoso-uat", CLEANUP)) == 1
    again, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "again", "contoso-uat")
    assert again.returncode == 0 and _unchanged(again), again.stdout[-4000:]
    assert not task_offsets(report, "contoso-uat", CLEANUP)


def test_a_bad_cleanup_variable_stops_the_run_before_either_side_starts(pairs_db, tmp_path):
    emu = pairs_db
    inventory = _inventory(tmp_path, emu, dataalm_resume_batch_jobs=["*"], dataalm_keep_user=["tester1"])
    proc, _report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "refused", "contoso-uat")
    assert proc.returncode != 0
    assert "dataalm_resume_batch_jobs" in proc.stdout and "did you mean dataalm_keep_users" in proc.stdout
    assert started(emu) == ({}, {})


def _register_app(emu, client_id):
    """The automation app registered in F&O (mapped to Admin, whom LCS keeps enabled) in both databases, so it signs
    in to the copy through the application layer; what an administrator does once per environment."""
    import pyodbc

    for name in ("contoso-prod", "contoso-uat"):
        odbc = next(e for e in emu.state()["environments"] if e["name"] == name)["odbc_connection_string"]
        with pyodbc.connect(odbc, autocommit=True) as conn:
            conn.execute("INSERT INTO SYSAADCLIENTTABLE (RECID, AADCLIENTID, USERID, NAME) VALUES (?, ?, 'Admin', ?)",
                         900000101, client_id, "dataalm")


def test_without_sql_the_copy_is_cleaned_through_the_application_layer(pairs_db, tmp_path):
    import yaml

    emu = pairs_db
    inventory = _inventory(tmp_path, emu)
    document = yaml.safe_load(inventory.read_text())
    variables, host = document["all"]["vars"], document["all"]["hosts"]["contoso-uat"]
    del host["dataalm_sql_connection_string"], host["dataalm_confirm_database"]
    variables.update({"fo_environment_url": emu.base_url + "/fo/contoso-uat", "fo_client_id": variables["pp_client_id"],
                      "fo_client_secret": variables["pp_client_secret"], "fo_tenant_id": variables["pp_tenant_id"],
                      "fo_authority_url": variables["pp_authority_url"], "fo_ca_path": variables["pp_ca_path"]})
    inventory.write_text(yaml.safe_dump(document, sort_keys=False))
    _register_app(emu, variables["pp_client_id"])

    proc, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "first", "contoso-uat")
    assert proc.returncode == 0, proc.stdout[-6000:]
    host = report["hosts"]["contoso-uat"]
    assert len(task_offsets(report, "contoso-uat", "Run the clean-up profile (the steps an entity")) == 1
    # the steps an entity cannot express are listed with the reason; the others ran and were verified
    assert host["not_run"] and all(step.get("reason") for step in host["not_run"])
    assert host["verification"] and all(check["passed"] for check in host["verification"])
    assert _query(emu, "contoso-uat", "SELECT COUNT(*) FROM BATCHJOB WHERE STATUS IN (1, 2, 5, 9)") == [(0,)]
    again, _report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "again", "contoso-uat")
    assert again.returncode == 0 and _unchanged(again), again.stdout[-4000:]


def test_a_preview_of_a_fresh_refresh_starts_nothing_and_cleans_nothing(pairs_db, tmp_path):
    emu = pairs_db
    inventory = _inventory(tmp_path, emu)
    proc, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "preview", "contoso-uat", check=True)
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert started(emu) == ({}, {})
    # nothing moved, so nothing is cleaned or previewed as cleaned: the clean-up waits for both halves
    assert not task_offsets(report, "contoso-uat", CLEANUP)
    assert _query(emu, "contoso-uat", "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE UPPER(TABLE_NAME) = "
                                      "'DATAALMSTATE'") == [(0,)]
