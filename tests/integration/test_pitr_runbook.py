"""playbooks/point_in_time_restore.yml through real ansible-playbook against the emulator's Power Platform world
(with PostgreSQL databases): one restore, admin mode back to its recorded state, the post_restore role over SQL,
a re-run that changes nothing, and wrong inputs refused before any mutating request."""

from __future__ import annotations

import json
import re
import sys
from urllib.parse import urlsplit

import pytest
import yaml
from ansible_collections.d365fo.dataalm.plugins.module_utils.cleanup import ACTIVE_BATCH_STATUSES, kept_user

from devtools.ansible_runner import run_playbook
from tests.integration.pp_support import FABRIKAM_UAT, pp_world_with, requests_made

from .runbook_support import REPO

RUNBOOK = REPO / "playbooks" / "point_in_time_restore.yml"
TWO_HOURS_AGO = "2026-03-02T06:00:00Z"


def _short(env):
    env["durations"] = {"queue": 30, "run": 600}


def _inventory(tmp_path, emu, sql=False, **host_vars):
    args = emu.pp_module_args()
    variables = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                 "pp_client_id": args["client_id"], "pp_client_secret": args["client_secret"],
                 "pp_tenant_id": args["tenant_id"], "pp_authority_url": args["authority_url"],
                 "pp_api_url": args["pp_api_url"], "pp_bap_api_url": args["bap_api_url"], "pp_ca_path": args["ca_path"],
                 "dataalm_snapshot_dir": str(tmp_path / "record"), "dataalm_poll_interval": 1,
                 "dataalm_max_age": "3d", "dataalm_restore_point": TWO_HOURS_AGO}
    host = {"dataalm_target_environment_id": FABRIKAM_UAT}
    if sql:
        env = next(e for e in emu.state()["power_platform"]["environments"] if e["id"] == FABRIKAM_UAT)
        host["dataalm_sql_connection_string"] = env["odbc_connection_string"]
        host["dataalm_confirm_database"] = re.search(r"Database=([^;]+)", env["odbc_connection_string"]).group(1)
    host.update(host_vars)
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"vars": variables, "hosts": {"fabrikam-uat": host}}}))
    return path


def _run(tmp_path, inventory, extra_vars=None):
    return run_playbook(RUNBOOK, inventory=inventory, extra_vars=extra_vars, timeout=600,
                        env={"DATAALM_REPORT_DIR": str(tmp_path / "reports")})


def _recap(proc):
    match = re.search(r"fabrikam-uat\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)", proc.stdout)
    assert match, proc.stdout[-3000:]
    return {"ok": int(match.group(1)), "changed": int(match.group(2)), "failed": int(match.group(3))}


def _target(emu):
    return next(e for e in emu.state()["power_platform"]["environments"] if e["id"] == FABRIKAM_UAT)


def test_restore_admin_mode_back_post_restore_over_sql_then_nothing(tmp_path, start_emulator):
    emu = start_emulator(pp_world_with(tmp_path, **{FABRIKAM_UAT: _short}), databases=True, speed=120)
    assert _target(emu)["admin_mode"] is False
    inventory = _inventory(tmp_path, emu, sql=True)
    proc = _run(tmp_path, inventory)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert emu.counters()["pp_restores_started"] == {"Fabrikam UAT": 1}
    record = json.loads((tmp_path / "record" / "fabrikam-uat.point_in_time_restore.json").read_text())
    assert record["admin_mode"] == "disabled" and record["target_environment_id"] == FABRIKAM_UAT
    assert _target(emu)["admin_mode"] is False  # the restore turned it on; the runbook set it back
    assert re.search(r"pp_environment_restore: operation [0-9a-f-]+ status \w+", proc.stdout)  # live progress
    # the post_restore role cleaned the restored database (not skipped)
    assert re.search(r"post_restore : Run the clean-up profile\]\s*\**\s*\nchanged: \[fabrikam-uat\]", proc.stdout), \
        proc.stdout[-6000:]
    assert (tmp_path / "record" / "fabrikam-uat.json").exists()  # the configuration snapshot before the restore
    again = _run(tmp_path, inventory)
    assert again.returncode == 0, (again.stdout + again.stderr)[-4000:]
    assert _recap(again)["changed"] == 0, again.stdout[-4000:]
    assert emu.counters()["pp_restores_started"] == {"Fabrikam UAT": 1}


def test_a_restore_started_elsewhere_is_joined_and_admin_mode_left_on_with_the_reason(tmp_path, start_emulator):
    emu = start_emulator(pp_world_with(tmp_path, **{FABRIKAM_UAT: _short}), databases=False, speed=120)
    response = emu.http.post(f"{emu.base_url}/environmentmanagement/environments/{FABRIKAM_UAT}/restore",
                             params={"api-version": "2024-10-01"}, timeout=30,
                             headers={"Authorization": "Bearer " + emu.app_token("pp-automation")},
                             json={"sourceEnvironmentId": FABRIKAM_UAT, "restorePointDateTime": TWO_HOURS_AGO})
    assert response.status_code == 202, response.text
    proc = _run(tmp_path, _inventory(tmp_path, emu))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert emu.counters()["pp_restores_started"] == {"Fabrikam UAT": 1}
    assert "no state recorded before the restore" in proc.stdout
    assert _target(emu)["admin_mode"] is True


CASES = [
    ("naive_instant", {"dataalm_restore_point": "2026-03-02T06:00:00"}, "dataalm_restore_point"),
    ("future_instant", {"dataalm_restore_point": "2099-01-01T00:00:00Z"}, "dataalm_restore_point"),
    ("words_instant", {"dataalm_restore_point": "yesterday"}, "dataalm_restore_point"),
    ("point_and_label", {"dataalm_backup_label": "pre-release"}, "dataalm_restore_point"),
    ("neither", {"dataalm_restore_point": ""}, "dataalm_restore_point"),
    ("admin_mode_typo", {"dataalm_admin_mode_after_restore": "off"}, "dataalm_admin_mode_after_restore"),
    ("target_not_guid", {"dataalm_target_environment_id": "fabrikam-uat"}, "dataalm_target_environment_id"),
    ("source_not_guid", {"dataalm_source_environment_id": "prod"}, "dataalm_source_environment_id"),
    ("snapshot_dir_missing", {"dataalm_snapshot_dir": ""}, "dataalm_snapshot_dir"),
    ("max_age_zero", {"dataalm_max_age": "0"}, "dataalm_max_age"),
]


@pytest.mark.parametrize(("extra_vars", "variable"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_wrong_input_fails_before_any_mutating_request(tmp_path, pp_emulator, extra_vars, variable):
    proc = _run(tmp_path, _inventory(tmp_path, pp_emulator), extra_vars=extra_vars)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    assert variable in output, output[-3000:]
    assert requests_made(pp_emulator, mutating_only=True) == 0
    assert pp_emulator.counters()["pp_restores_started"] == {}


PP_APP = "7a0d4c5e-9f63-4b10-a4c8-3b2f5e6d7c8a"  # the world's Power Platform automation app


def _database(emu):
    import psycopg

    from tests.emulator.test_data_through_time import _libpq

    return psycopg.connect(_libpq(_target(emu)["odbc_connection_string"]), autocommit=True)


def _app_layer_vars(emu, instant):
    """No SQL string: the application layer signs in as the automation app, registered in the target (mapped to
    Admin) before the instant, so the restored data still knows it (a restore brings users back as they were)."""
    args = emu.pp_module_args()
    return {"fo_environment_url": emu.base_url + "/fo/fabrikam-uat", "fo_client_id": PP_APP,
            "fo_client_secret": args["client_secret"], "fo_tenant_id": args["tenant_id"],
            "fo_authority_url": emu.base_url, "fo_ca_path": emu.ca_file, "dataalm_restore_point": instant,
            # a restored sandbox looks live (its users enabled as at the instant): the run confirms the host it means
            "dataalm_keep_users": ["Admin"], "dataalm_confirm_environment": urlsplit(emu.base_url).hostname}


def test_restore_without_sql_cleans_up_over_the_application_layer_then_nothing(tmp_path, start_emulator):
    emu = start_emulator(pp_world_with(tmp_path, **{FABRIKAM_UAT: _short}), databases=True, speed=1)
    with _database(emu) as conn:
        conn.execute("INSERT INTO SYSAADCLIENTTABLE (RECID, AADCLIENTID, USERID, NAME) VALUES "
                     "((SELECT MAX(RECID) + 1 FROM SYSAADCLIENTTABLE), %s, 'Admin', 'dataalm')", (PP_APP,))
        conn.execute("UPDATE SYSEMAILPARAMETERS SET SMTPRELAYSERVERNAME = 'smtp-old.fabrikam.example'")
        emu.advance(60)
        instant = emu.state()["clock"]["now"]
        emu.advance(60)
        # the sandbox's own relay today: the restore brings back the old one, the settings package this one
        conn.execute("UPDATE SYSEMAILPARAMETERS SET SMTPRELAYSERVERNAME = 'smtp-uat.fabrikam.example'")
        live = conn.execute("SELECT COUNT(*) FROM USERINFO WHERE ENABLE = 1 AND ID <> 'Admin'").fetchone()[0]
        jobs = conn.execute("SELECT COUNT(*) FROM BATCHJOB WHERE STATUS IN (%s)" % ACTIVE_BATCH_STATUSES).fetchone()[0]
        assert live > 0 and jobs > 0  # the instant's data has people enabled and jobs waiting: work to do
        emu.set_speed(120)
        inventory = _inventory(tmp_path, emu, **_app_layer_vars(emu, instant))
        proc = _run(tmp_path, inventory)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]
        assert emu.counters()["pp_restores_started"] == {"Fabrikam UAT": 1}
        # the clean-up ran through the application layer (users, batch jobs, e-mail), not skipped
        assert re.search(r"post_restore : Run the clean-up profile \(the steps an entity can express[^\]]*\]\s*\**\s*\n"
                         r"changed: \[fabrikam-uat\]", proc.stdout), proc.stdout[-6000:]
        users = conn.execute("SELECT ID, NETWORKALIAS, ENABLE FROM USERINFO").fetchall()
        kept = kept_user(["Admin"])
        enabled = [user for user, alias, on in users if on and not kept({"UserID": user, "Alias": alias})]
        assert enabled == [] and sum(on for _u, _a, on in users) < live  # only Admin and service accounts
        active = "SELECT COUNT(*) FROM BATCHJOB WHERE STATUS IN (%s)" % ACTIVE_BATCH_STATUSES
        assert conn.execute(active).fetchone()[0] == 0  # every job that would run is held
        assert conn.execute("SELECT SMTPRELAYSERVERNAME FROM SYSEMAILPARAMETERS").fetchall() == [
            ("smtp-uat.fabrikam.example",)]
    # the settings package captured before the restore and imported after it
    assert (tmp_path / "record" / "fabrikam-uat-settings.zip").exists()
    assert "Import the target's own settings captured before the movement" in proc.stdout
    assert "fabrikam-uat.json" not in [p.name for p in (tmp_path / "record").iterdir()]  # no SQL snapshot
    again = _run(tmp_path, inventory)
    assert again.returncode == 0, (again.stdout + again.stderr)[-4000:]
    assert _recap(again)["changed"] == 0, again.stdout[-6000:]
    assert emu.counters()["pp_restores_started"] == {"Fabrikam UAT": 1}


def _jit_events(emu, kind):
    return [e for e in emu.events(service="dataverse") if e["kind"] == kind]


def test_sql_transport_on_just_in_time_credentials_obtained_before_and_after_the_restore(tmp_path, start_emulator):
    """Issue 15 acceptance: no connection string anywhere; the runbook asks the target's Dataverse for SQL access
    before the restore (snapshot) and again after it (the restore dropped the first login), runs the clean-up over
    SQL on it, and never shows a password, even at -vvvv."""
    emu = start_emulator(pp_world_with(tmp_path, **{FABRIKAM_UAT: _short}), databases=True, speed=120)
    inventory = _inventory(tmp_path, emu, dataalm_sql_jit=True, dataalm_sql_jit_driver="PostgreSQL Unicode",
                           dataalm_sql_jit_client_ip="203.0.113.7")
    proc = run_playbook(RUNBOOK, inventory=inventory, timeout=900, verbosity=4,
                        env={"DATAALM_REPORT_DIR": str(tmp_path / "reports")})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    assert emu.counters()["pp_restores_started"] == {"Fabrikam UAT": 1}
    granted = _jit_events(emu, "sql_jit_access_granted")
    assert [e["role"] for e in granted] == ["Writer", "Writer"] and granted[0]["user"] != granted[1]["user"]
    restored = next(e for e in emu.events(service="pplifecycle") if e["kind"] == "restore_applied")
    assert granted[0]["sequence"] < restored["sequence"] < granted[1]["sequence"]  # before and after the move
    assert {e["user"]: e["reason"] for e in _jit_events(emu, "sql_jit_access_dropped")} == {
        granted[0]["user"]: "movement"}  # the restore ended the first login; the second one is alive
    # the snapshot before the restore and the clean-up after it ran over SQL, each on its own login
    assert (tmp_path / "record" / "fabrikam-uat.json").exists()
    cleanup = proc.stdout.split("post_restore : Run the clean-up profile]", 1)[1].split("TASK [", 1)[0]
    assert "changed: [fabrikam-uat]" in cleanup, cleanup[-3000:]
    with _database(emu) as conn:  # the run state the SQL transport writes into the restored database
        state = dict(conn.execute("SELECT NAME, VALUE FROM DATAALMSTATE").fetchall())
    assert state["STATE"] == "verified", state
    for event in granted:
        assert f"as {event['user']} until" in output
    # no password in the output: every ODBC password shown is masked, the emulator's own never appears
    shown = re.findall(r"(?i)\bpwd=([^;\s\"'\\]+)", output)
    assert set(shown) <= {"********"}, shown
    admin_password = re.search(r"Pwd=([^;]+);", _target(emu)["odbc_connection_string"]).group(1)
    assert admin_password not in output and "sqljitpassword" not in output
    again = _run(tmp_path, inventory)
    assert again.returncode == 0, (again.stdout + again.stderr)[-4000:]
    assert _recap(again)["changed"] == 0, again.stdout[-6000:]
    assert emu.counters()["pp_restores_started"] == {"Fabrikam UAT": 1}
