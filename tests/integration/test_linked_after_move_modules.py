"""The after-move modules of a linked pair against the emulated Dataverse: check -> run -> check -> run,
diff, bad input before any change, one virtual-entity refresh at a time, and no secret at -vvvv."""

from __future__ import annotations

import json

import pytest
import requests

from .linked_after_move_support import (
    ALLOW_LIST,
    CODE,
    CONNECTIONS,
    DRIFT,
    DUALWRITE,
    INTEGRATION,
    OUTBOUND,
    PROD_HOOK,
    REFRESH,
    REPOINT,
    UAT_ERP,
    UAT_FINOPS_URL,
    UAT_ORG,
    UAT_SB,
    after_copy_world,
    writes,
)
from .pp_support import APP_SECRET, play, task

pytestmark = pytest.mark.xdist_group("linked_after_move")


@pytest.fixture
def emu(tmp_path, start_emulator):
    return start_emulator(after_copy_world(tmp_path), databases=False, speed=60)


def _args(emu, domain=UAT_ORG):
    return dict(emu.pp_module_args(), organization_url=emu.dataverse_url(domain))


def _tables(emu, domain=UAT_ORG):
    return emu._admin("GET", "/dataverse/%s" % domain)["tables"]


def test_runtime_configuration_check_run_check_run(tmp_path, emu):
    clear = task("clear", DUALWRITE, state="absent")
    proc, r = play(tmp_path, _args(emu), [dict(clear)], check=True, diff=True, name="check1.yml")
    assert r["clear"]["changed"] is True and [d["name"] for d in r["clear"]["deleted"]] == ["customers", "vendors"]
    assert "customers" in proc.stdout and writes(emu) == 0
    _proc, r = play(tmp_path, _args(emu), [dict(clear)], name="run1.yml")
    assert r["clear"]["changed"] is True and r["clear"]["remaining"] == 0
    assert _tables(emu)["msdyn_dualwriteruntimeconfigs"] == []
    for name in ("check2", "run2"):
        _proc, r = play(tmp_path, _args(emu), [dict(clear)], check=name == "check2", name=name + ".yml")
        assert r["clear"]["changed"] is False and r["clear"]["deleted"] == []
    assert writes(emu) == 2


def test_outbound_wiring_is_repointed_or_disabled_and_a_rerun_changes_nothing(tmp_path, emu):
    neutralise = task("out", OUTBOUND, allow_list=ALLOW_LIST, repoint=REPOINT, connection_references=CONNECTIONS)
    _proc, r = play(tmp_path, _args(emu), [dict(neutralise)], check=True, diff=True, name="check1.yml")
    planned = {(a["kind"], a["name"], a["action"]) for a in r["out"]["actions"]}
    assert planned == {("endpoint", "orders-queue", "repoint"), ("step", "send orders-webhook", "disable"),
                       ("flow", "Invoice to ERP archive", "disable"), ("flow", "Orders to ERP", "repoint"),
                       ("connection_reference", "fabrikam_sql_ref", "repoint")}
    assert all("clientdata" not in a for a in r["out"]["actions"])  # the definition is not echoed
    assert writes(emu) == 0
    _proc, r = play(tmp_path, _args(emu), [dict(neutralise)], name="run1.yml")
    assert r["out"]["changed"] is True and not [o for o in r["out"]["outside"] if o["on"]]
    tables = _tables(emu)
    queue = next(e for e in tables["serviceendpoints"] if e["name"] == "orders-queue")
    assert queue["namespaceaddress"] == UAT_SB
    states = {s["name"]: s["statecode"] for s in tables["sdkmessageprocessingsteps"]}
    assert states == {"send orders-queue": 0, "send orders-webhook": 1, "send test-webhook": 0}
    flows = {f["name"]: f["statecode"] for f in tables["workflows"]}
    assert flows == {"Invoice to ERP archive": 0, "Notify test team": 1, "Old export": 0, "Orders to ERP": 1}
    erp = json.loads(next(f for f in tables["workflows"] if f["name"] == "Orders to ERP")["clientdata"])
    assert erp["properties"]["definition"]["actions"]["Post"]["inputs"]["uri"] == UAT_ERP + "api/orders"
    assert erp["properties"]["definition"]["$schema"].startswith("https://schema.management.azure.com/")
    assert [c["connectionid"] for c in tables["connectionreferences"]] == ["shared-sql-uat-0001"]
    assert {o["url"] for o in r["out"]["outside"]} >= {PROD_HOOK}
    assert "Orders to ERP" not in {o["name"] for o in r["out"]["outside"]}
    for name in ("check2", "run2"):
        _proc, r = play(tmp_path, _args(emu), [dict(neutralise)], check=name == "check2", name=name + ".yml")
        assert r["out"]["changed"] is False and r["out"]["actions"] == []
    assert writes(emu) == 5


def test_a_repoint_target_outside_the_allow_list_fails_before_any_call(tmp_path, emu):
    _proc, r = play(tmp_path, _args(emu), [task("out", OUTBOUND, allow_list=["*.fabrikam-test.com"],
                                                repoint=REPOINT)])
    assert r["out"]["failed"] and "allow_list" in r["out"]["msg"] and UAT_SB in r["out"]["msg"]
    assert writes(emu) == 0
    _proc, r = play(tmp_path, _args(emu), [task("out", OUTBOUND, allow_list=ALLOW_LIST,
                                                connection_references={"fabrikam_sql_reff": "x"})], name="typo.yml")
    assert r["out"]["failed"] and "fabrikam_sql_reff" in r["out"]["msg"] and "connection_references" in r["out"]["msg"]
    assert writes(emu) == 0
    _proc, r = play(tmp_path, dict(_args(emu), organization_url="http://fabrikam-uat"),
                    [task("bad", DUALWRITE)], name="bad-url.yml")
    assert r["bad"]["failed"] and "organization_url must be the https URL" in r["bad"]["msg"]
    assert writes(emu) == 0


def test_integration_details_name_the_target_finops(tmp_path, emu):
    _proc, r = play(tmp_path, _args(emu), [
        task("good", INTEGRATION, expected_finops_url=UAT_FINOPS_URL + "/"),
        task("wrong", INTEGRATION, expected_finops_url="https://fabrikam-prod.operations.eu.dynamics.com"),
    ], check=True)
    assert r["good"]["linked"] is True and r["good"]["matches"] is True and r["good"]["changed"] is False
    assert r["good"]["url"].rstrip("/") == UAT_FINOPS_URL
    assert r["wrong"]["matches"] is False
    _proc, r = play(tmp_path, _args(emu, "powerapps-prod"), [task("unlinked", INTEGRATION, expected_finops_url="https://x")],
                    name="unlinked.yml")
    assert r["unlinked"]["linked"] is False and r["unlinked"]["matches"] is False and not r["unlinked"].get("failed")


def test_virtual_entities_are_refreshed_one_at_a_time_and_a_rerun_changes_nothing(tmp_path, emu):
    since = emu.advance(0)["now"]
    refresh = task("refresh", REFRESH, refreshed_since=since, poll_interval=1)
    _proc, r = play(tmp_path, _args(emu), [dict(refresh)], check=True, name="check.yml")
    assert [e["name"] for e in r["refresh"]["refreshed"]] == ["CustCustomerV3Entity", "ReleasedProductV2Entity",
                                                              "VendVendorV2Entity"]
    assert writes(emu) == 0
    _proc, r = play(tmp_path, _args(emu), [dict(refresh)], name="run1.yml")
    assert r["refresh"]["changed"] is True and all(e["ended"] for e in r["refresh"]["refreshed"])
    kinds = [e["kind"] for e in emu.events(service="dataverse") if e["kind"].startswith("virtual_entity_refresh")]
    assert kinds == ["virtual_entity_refresh_started", "virtual_entity_refresh_completed"] * 3  # never overlapping
    _proc, r = play(tmp_path, _args(emu), [dict(refresh)], name="run2.yml")
    assert r["refresh"]["changed"] is False and r["refresh"]["refreshed"] == []
    _proc, r = play(tmp_path, _args(emu), [task("bad", REFRESH, entities=["SalesOrderHeaderV2Entity"])],
                    name="bad.yml")
    assert r["bad"]["failed"] and "SalesOrderHeaderV2Entity" in r["bad"]["msg"]


def test_the_emulated_service_refuses_a_second_refresh_while_one_runs(emu):
    token = emu.app_token(scope=emu.dataverse_url(UAT_ORG) + "/.default")
    base = emu.dataverse_url(UAT_ORG) + "/api/data/v9.2/mserp_financeandoperationsentities"
    headers = {"Authorization": "Bearer " + token, "If-Match": "*"}
    rows = requests.get(base, headers=headers, verify=emu.ca_file, timeout=30).json()["value"]
    first, second = (r["mserp_financeandoperationsentityid"] for r in rows[:2])
    ok = requests.patch("%s(%s)" % (base, first), json={"mserp_refresh": True}, headers=headers,
                        verify=emu.ca_file, timeout=30)
    locked = requests.patch("%s(%s)" % (base, second), json={"mserp_refresh": True}, headers=headers,
                            verify=emu.ca_file, timeout=30)
    assert ok.status_code == 204 and locked.status_code == 500 and "lock" in locked.json()["error"]["message"]


def test_code_record_and_drift_with_both_remedies(tmp_path, emu):
    _proc, r = play(tmp_path, _args(emu), [task("code", CODE)], check=True)
    before = r["code"]
    assert [(s["name"], s["version"], s["managed"]) for s in before["solutions"]] == [
        ("Dynamics365Company", "9.0.4.5", True), ("FabrikamSales", "2.1.0.0", True)]
    after = dict(before, solutions=[dict(before["solutions"][1], version="2.3.0.0")])
    _proc, r = play(tmp_path, {}, [task("drift", DRIFT, before=before, after=after, movement="restore",
                                        instant="2026-02-25T00:00:00Z", source=before)], name="drift.yml")
    drift = r["drift"]
    assert drift["aligned"] is False
    expected = {("Dynamics365Company", "missing"), ("FabrikamSales", "changed")}
    assert {(d["name"], d["change"]) for d in drift["solutions"]} == expected
    assert {s["name"]: s["version"] for s in drift["remedies"]["dataverse"]["solutions_to_redeploy"]} == {
        "Dynamics365Company": "9.0.4.5", "FabrikamSales": "2.1.0.0"}
    assert drift["remedies"]["finops"]["deploy"] == "the package matching the instant"


def test_vvvv_output_contains_no_secret(tmp_path, emu):
    proc, r = play(tmp_path, _args(emu), [task("clear", DUALWRITE), task("out", OUTBOUND, allow_list=ALLOW_LIST),
                                          task("info", INTEGRATION)], verbosity=4)
    assert not r["clear"].get("failed") and not r["out"].get("failed")
    assert APP_SECRET not in proc.stdout + proc.stderr + json.dumps(r)
    assert "eyJ" not in proc.stdout + proc.stderr  # no bearer token


def test_the_lcs_environment_history_is_the_finops_record_of_the_drift(tmp_path, start_emulator):
    """lcs_environment_info's history rows (the default world: contoso-prod deployed "Contoso release 2026.02" on
    2026-02-16) feed the F&O side of the drift: after the instant of a restore, or the source's for a refresh."""
    from devtools.emulator import DEFAULT_WORLD

    emu = start_emulator(DEFAULT_WORLD, databases=False)
    read = task("hist", "d365fo.dataalm.lcs_environment_info", environment_id="11111111-1111-4111-8111-111111111111",
                include_history=True, **emu.lcs_module_args())
    _proc, r = play(tmp_path, {}, [read], name="lcs.yml")
    history = r["hist"]["environments"][0]["operations"]
    prod = {"solutions": [], "lcs_history": history}
    _proc, r = play(tmp_path, {}, [
        task("restore", DRIFT, before=prod, after=prod, movement="restore", instant="2026-02-10T00:00:00Z"),
        task("refresh", DRIFT, before={"solutions": [], "lcs_history": []}, after={"solutions": []},
             movement="refresh", source=prod)], name="drift.yml")
    assert [(d["name"], d["change"]) for d in r["restore"]["finops_deployments"]] == [
        ("Contoso release 2026.02", "after_instant")]
    assert r["restore"]["aligned"] is False and r["restore"]["remedies"]["finops"]["history"] == [
        "LCS environment history"]
    assert r["refresh"]["remedies"]["finops"]["packages"] == [{"name": "Contoso release 2026.02", "version": None}]
