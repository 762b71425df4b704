"""Preflight of a run without SQL, through the real ansible-playbook against the emulator: the identity the run
signs in to F&O as after the move, the automation user enabled in production, a data project missing in the
target. Each blocking finding stops the runbook before any mutating request and names what to change."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.integration.fo_app_support import APP_ID, APP_SECRET, TENANT, FoApp, play
from tests.integration.runbook_support import REPO, Runbooks

NO_SQL_INVENTORY = REPO / "extensions" / "molecule" / "refresh_without_sql" / "inventory.yml"
PROD = "contoso-prod"


def no_sql_inventory(tmp_path, **host_vars):
    """refresh_without_sql's inventory (no SQL anywhere), its token cache in the test's own directory."""
    data = yaml.safe_load(NO_SQL_INVENTORY.read_text())
    data["all"]["vars"]["molecule_token_cache"] = str(tmp_path / "token_cache.json")
    data["all"]["hosts"]["contoso-uat"].update(host_vars)
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def application(emulator, tmp_path, **host_vars):
    """The inventory signing in to F&O as the test's Entra application (client credentials)."""
    return no_sql_inventory(tmp_path, fo_client_id=APP_ID, fo_client_secret=APP_SECRET, fo_tenant_id=TENANT,
                            **host_vars)


def findings(report, host="contoso-uat"):
    return {f["id"]: f for f in report["hosts"][host]["findings"]}


def assert_nothing_changed(emulator):
    counters = emulator.counters()
    assert counters["operations_started"] == {} and counters["mutating_requests"] == {}
    fo_requests = emulator._admin("GET", "/fo/counters")["requests"]
    assert not [r for r in fo_requests if not r.startswith("GET ")], fo_requests  # reads only


def add_user(fo, user_id, enabled=True):
    fo.sql("INSERT INTO USERINFO (RECID, ID, NAME, ENABLE, NETWORKALIAS) VALUES "
           "((SELECT MAX(RECID) + 1 FROM USERINFO), %s, %s, %s, %s)", (user_id, user_id, int(enabled),
                                                                       user_id.lower() + "@contoso.example"))


def test_an_application_mapped_to_a_user_the_refresh_disables_blocks_before_any_change(emulator, pg_server,
                                                                                       tmp_path):
    emulator.set_speed(600)
    target, prod = FoApp(emulator, pg_server), FoApp(emulator, pg_server, env=PROD)
    target.reset()
    for fo in (target, prod):  # the automation's user, enabled in production too
        add_user(fo, "automation")
        fo.register_app(user="automation")
    inventory = application(emulator, tmp_path, fo_source_environment_url=prod.url)
    runbooks = Runbooks(emulator, tmp_path)

    proc, report = runbooks("refresh.yml", "contoso-uat", inventory_path=inventory)
    assert proc.returncode != 0, proc.stdout
    found = findings(report)
    blocked = found["identity_cannot_sign_in_after_move"]
    assert blocked["severity"] == "blocking"
    assert "mapped to F&O user automation in contoso-prod" in blocked["message"]
    assert "fo_client_secret" in blocked["remedy"] and "dataalm@contoso.example" in blocked["remedy"]
    assert found["automation_user_enabled_in_production"]["severity"] == "warning"
    assert "identity_cannot_sign_in_after_move" in proc.stdout  # the failure message lists it
    assert_nothing_changed(emulator)

    # disabled in production (Microsoft: it may stay disabled there): production refuses, no warning; the
    # mapping is then read from the target, and the refresh still disables the user: still blocked
    prod.sql("UPDATE USERINFO SET ENABLE = 0 WHERE ID = 'automation'")
    proc, report = runbooks("refresh.yml", "contoso-uat", inventory_path=inventory)
    found = findings(report)
    assert proc.returncode != 0 and "automation_user_enabled_in_production" not in found
    assert "as contoso-uat maps it now" in found["identity_cannot_sign_in_after_move"]["message"]
    assert_nothing_changed(emulator)


def test_an_application_mapped_to_admin_passes_and_a_missing_data_project_blocks_until_created(fo, emulator,
                                                                                               tmp_path):
    # fo: the application is registered in contoso-uat, mapped to Admin (which every refresh keeps)
    inventory = application(emulator, tmp_path, dataalm_data_projects=["Vendors-Import"])
    runbooks = Runbooks(emulator, tmp_path)
    proc, report = runbooks("preflight.yml", "contoso-uat", inventory_path=inventory)
    assert proc.returncode != 0, proc.stdout
    found = findings(report)
    assert "identity_cannot_sign_in_after_move" not in found and "identity_refused_by_target" not in found
    missing = found["data_project_missing"]
    assert missing["severity"] == "blocking" and "Vendors-Import" in missing["message"]
    assert "dataalm_data_projects" in missing["message"] and "initialize: true" in missing["remedy"]
    assert found["data_project_created_by_run"]["severity"] == "info"  # DataALM-Settings: the run creates it
    assert found["automation_user_in_production_unchecked"]["severity"] == "info"
    assert_nothing_changed(emulator)

    create = {"d365fo.dataalm.fo_data_project": {"name": "Vendors-Import", "operation": "Import", "initialize": True,
                                                 "entities": [{"entity": "Email parameters"}]}, "register": "p"}
    proc, res = play(tmp_path, [create], fo.defaults())
    assert proc.returncode == 0 and res["p"]["changed"], proc.stdout
    proc, report = runbooks("preflight.yml", "contoso-uat", inventory_path=inventory)
    assert proc.returncode == 0, proc.stdout
    assert "data_project_missing" not in findings(report)


def test_the_environment_administrator_signing_in_passes(emulator, tmp_path):
    """The delegated sign-in of contoso-uat's administrator (the molecule scenario's identity): nothing blocks."""
    emulator.set_speed(600)
    runbooks = Runbooks(emulator, tmp_path)
    proc, report = runbooks("preflight.yml", "contoso-uat", inventory_path=no_sql_inventory(tmp_path))
    assert proc.returncode == 0, proc.stdout
    found = findings(report)
    assert not [f for f in found.values() if f["severity"] == "blocking"], found
    assert "identity_unknown_after_move" not in found
    assert "data_project_created_by_run" in found  # the target was read with the person's delegated token


def test_a_target_that_refuses_the_identity_now_blocks(emulator, pg_server, tmp_path):
    target = FoApp(emulator, pg_server)
    target.reset()  # the application is not registered in contoso-uat at all
    runbooks = Runbooks(emulator, tmp_path)
    proc, report = runbooks("preflight.yml", "contoso-uat", inventory_path=application(emulator, tmp_path))
    assert proc.returncode != 0
    assert "identity_refused_by_target" in findings(report), proc.stdout[-3000:]
    refused = findings(report)["identity_refused_by_target"]
    assert refused["severity"] == "blocking" and "fo_client_id" in refused["remedy"]
    assert_nothing_changed(emulator)


def test_module_reports_the_refusal_as_a_fact_when_asked(fo, tmp_path):
    prod = FoApp(fo.emu, fo.pg_server, env=PROD)
    tasks = [{"d365fo.dataalm.fo_app_identity_info": {"data_projects": ["DataALM-Settings"]}, "register": "t"},
             {"d365fo.dataalm.fo_app_identity_info": {"environment_url": prod.url, "fail_on_refusal": False},
              "register": "s"},
             {"d365fo.dataalm.fo_app_identity_info": {"environment_url": prod.url}, "register": "f"}]
    proc, res = play(Path(tmp_path), tasks, fo.defaults(), check=True)
    assert res["t"]["signed_in"] and res["t"]["mapped_user"] == "Admin" and res["t"]["data_projects"] == []
    assert res["t"]["identity"] == {"kind": "application", "client_id": APP_ID, "username": None}
    assert {u["user_id"] for u in res["t"]["users"]} >= {"Admin"}
    assert res["s"]["signed_in"] is False and "401" in res["s"]["refusal"] and not res["s"].get("failed")
    assert res["f"]["failed"] and "401" in res["f"]["msg"]
    assert APP_SECRET not in proc.stdout + proc.stderr
