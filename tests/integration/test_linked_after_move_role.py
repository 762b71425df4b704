"""The linked_after_move role around a real pp_environment_copy of a unified pair (Fabrikam Production ->
Fabrikam UAT) in the emulator: record before, copy, after-move; then a second run that changes nothing, and
the order the emulator's event log shows (background operations back on only after the runtime configuration
is empty and the outside endpoints are neutralised)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
import yaml

from devtools.ansible_runner import run_playbook

from .linked_after_move_support import (
    ALLOW_LIST,
    CONNECTIONS,
    REPOINT,
    UAT_ERP,
    UAT_FINOPS_URL,
    UAT_ORG,
    UAT_SB,
    production_world,
)
from .pp_support import APP_SECRET, FABRIKAM_PROD, FABRIKAM_UAT

pytestmark = pytest.mark.xdist_group("linked_after_move")
PP_APP = "7a0d4c5e-9f63-4b10-a4c8-3b2f5e6d7c8a"
ENTRA_APPS = ("61a0518c-121a-421a-9ad6-f0955a88be43", "f1752846-f0df-4766-96f5-c109adf67d7f")
UAT_VAULT = "https://fabrikam-uat-kv.vault.azure.net/"
VAULT_SECRET = "uat-eventgrid-Secret-42"
LCS_UAT = "22222222-2222-4222-8222-222222222222"  # contoso-uat of the world's LCS project


def _sql(emu, name, statements):
    from tests.emulator.test_data_through_time import _environment, _libpq

    with psycopg.connect(_libpq(_environment(emu, name)["odbc_connection_string"]), autocommit=True) as conn:
        for statement, params in statements:
            conn.execute(statement, params)
        return conn.execute("SELECT NAME, KEYVAULTDNSNAME, AZUREAPPSECRET FROM BUSINESSEVENTSENDPOINT ORDER BY NAME"
                            ).fetchall()


def _register_apps(emu, name):
    rows = [("INSERT INTO SYSAADCLIENTTABLE (RECID, AADCLIENTID, USERID, NAME) VALUES "
             "((SELECT MAX(RECID) + 1 FROM SYSAADCLIENTTABLE), %s, 'Admin', %s)", (app, label))
            for app, label in ((PP_APP, "dataalm"), (ENTRA_APPS[0], "PowerPlatformApplication"),
                               (ENTRA_APPS[1], "PowerPlatRuntimeApp"))]
    return _sql(emu, name, rows)


def _prepare(emu):
    """Both F&O databases know the automation app and the Entra apps; the sandbox has its own event-grid vault,
    a data-event definition production lacks, and background operations on (as before any movement)."""
    _register_apps(emu, "Fabrikam Production")
    _sql(emu, "Fabrikam Production", [("DELETE FROM BUSINESSEVENTSENDPOINT WHERE TYPE = 5", None)])
    _register_apps(emu, "Fabrikam UAT")
    _sql(emu, "Fabrikam UAT", [
        ("UPDATE BUSINESSEVENTSENDPOINT SET KEYVAULTDNSNAME = %s WHERE TYPE = 2", (UAT_VAULT,)),
        ("INSERT INTO BUSINESSEVENTSDEFINITION (RECID, REFTABLENAME, REFENTITYNAME, CHANNEL, ENABLED) VALUES "
         "(5637999001, 'SalesTable', 'SalesOrderHeaderV2Entity', 'DataEvents', 1)", None)])


COPY = {"source_environment_id": FABRIKAM_PROD, "target_environment_id": FABRIKAM_UAT, "advanced_fo_copy": True,
        "poll_interval": 2}


def _record_task():
    return {"name": "Record before the movement", "ansible.builtin.include_role": {
        "name": "d365fo.dataalm.linked_after_move", "tasks_from": "record"}}


def _copy_task(**options):
    return {"name": "Copy production into the sandbox", "register": "_copied",
            "d365fo.dataalm.pp_environment_copy": dict(COPY, **options)}


def _after_move_tasks(out, start_given=True):
    dump = ("{{ {'verification': linked_after_move_verification, 'followups': linked_after_move_followups_found, "
            "'maps': linked_after_move_maps_to_restart, 'drift': _linked_after_move_drift, "
            "'record': _linked_after_move_record, 'changed': _changed} | to_json }}")
    steps = ["runtime", "outbound", "endpoints", "activations", "definitions", "refresh", "admin_mode"]
    changed = ("{{ %s | zip([%s] | map(attribute='changed')) | selectattr(1) | map(attribute=0) | list }}"
               % (steps, ", ".join("_linked_after_move_" + step for step in steps)))
    after = {"name": "After the move", "ansible.builtin.include_role": {"name": "d365fo.dataalm.linked_after_move"}}
    if start_given:
        after["vars"] = {"linked_after_move_started_at": "{{ _copied.started_at }}"}
    return [
        after,
        {"name": "Changed steps", "ansible.builtin.set_fact": {"_changed": changed}},
        {"name": "Dump", "no_log": True, "ansible.builtin.copy": {"content": dump, "dest": str(out), "mode": "0600"}},
    ]


def _playbook(tmp_path, emu, record_file, name, tasks=None, lcs=False):
    """Run record, copy and the after-move steps (or ``tasks``, a function of the dump path) in one play."""
    fo = {"environment_url": emu.base_url + "/fo/fabrikam-uat", "client_id": PP_APP, "client_secret": APP_SECRET,
          "tenant_id": emu.pp_module_args()["tenant_id"], "authority_url": emu.base_url, "ca_path": emu.ca_file}
    role_vars = {
        "linked_after_move_environment_id": FABRIKAM_UAT,
        "linked_after_move_organization_url": emu.dataverse_url(UAT_ORG),
        "linked_after_move_finops_url": UAT_FINOPS_URL, "linked_after_move_allow_list": ALLOW_LIST,
        "linked_after_move_repoint": REPOINT, "linked_after_move_movement": "copy",
        "linked_after_move_connection_references": CONNECTIONS,
        "linked_after_move_record_file": str(record_file), "linked_after_move_refresh_poll_interval": 1,
        "linked_after_move_source_organization_url": emu.dataverse_url("fabrikam-prod"),
        "linked_after_move_endpoint_secrets": {"Prod event grid": {"DecryptedAzureAppSecret": VAULT_SECRET}},
    }
    defaults = {"group/d365fo.dataalm.powerplatform": emu.pp_module_args(), "group/d365fo.dataalm.fo_app": fo}
    if lcs:  # the record reads the F&O deployments from the LCS environment history
        role_vars["linked_after_move_lcs_environment_id"] = LCS_UAT
        defaults["group/d365fo.dataalm.lcs"] = emu.lcs_module_args("dataalm@contoso.example", "lcs-automation")
    out = Path(tmp_path) / (name + ".json")
    tasks = tasks(out) if tasks else [_record_task(), _copy_task(), *_after_move_tasks(out)]
    play = [{"name": "Linked pair after the move", "hosts": "localhost", "connection": "local",
             "gather_facts": False, "vars": role_vars,
             "module_defaults": defaults, "tasks": tasks}]
    path = Path(tmp_path) / (name + ".yml")
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    proc = run_playbook(path, timeout=900)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    return proc, (json.loads(out.read_text()) if out.exists() else None)


def _vault_of(emu, endpoint="Prod event grid"):
    return next(vault for name, vault, _secret in _sql(emu, "Fabrikam UAT", []) if name == endpoint)


def test_after_a_copy_the_pair_is_back_in_line_in_order_and_a_second_run_changes_nothing(tmp_path, start_emulator):
    emu = start_emulator(production_world(tmp_path), databases=True, speed=60)
    _prepare(emu)
    record_file = Path(tmp_path) / "record.json"
    proc, first = _playbook(tmp_path, emu, record_file, "run1")
    [record] = json.loads(record_file.read_text())["records"]
    assert VAULT_SECRET not in record_file.read_text() + proc.stdout + proc.stderr
    assert record["background_operations"] == "enabled" and record["admin_mode"] == "disabled"

    tables = emu._admin("GET", "/dataverse/%s" % UAT_ORG)["tables"]
    assert tables["msdyn_dualwriteruntimeconfigs"] == []
    assert [e["namespaceaddress"] for e in tables["serviceendpoints"] if e["name"] == "orders-queue"] == [UAT_SB]
    assert all(s["statecode"] == 1 for s in tables["sdkmessageprocessingsteps"] if s["name"] == "send orders-webhook")
    assert {f["name"] for f in tables["workflows"] if f["statecode"] == 1} == {"Notify test team", "Orders to ERP"}
    erp = json.loads(next(f for f in tables["workflows"] if f["name"] == "Orders to ERP")["clientdata"])
    assert erp["properties"]["definition"]["actions"]["Post"]["inputs"]["uri"].startswith(UAT_ERP)
    assert [c["connectionid"] for c in tables["connectionreferences"]] == [CONNECTIONS["fabrikam_sql_ref"]]
    endpoints = _sql(emu, "Fabrikam UAT", [])
    assert [(name, vault) for name, vault, _secret in endpoints if vault] == [("Prod event grid", UAT_VAULT)]
    assert dict((n, s) for n, _v, s in endpoints)["Prod event grid"] == VAULT_SECRET  # from the vault variable
    checks = {v["name"]: v["passed"] for v in first["verification"]}
    assert all(checks.values()), first["verification"]
    reset = next(f for f in first["followups"] if f["id"] == "linked_dualwrite_reset")
    assert reset["status"] == "required" and "Reset link" in reset["screen_path"]
    drift = first["drift"]
    assert {d["name"] for d in drift["solutions"]} >= {"FabrikamSales"} and not drift["aligned"]
    state = next(e for e in emu.state()["power_platform"]["environments"] if e["id"] == FABRIKAM_UAT)
    assert state["admin_mode"] is False and state["background_operations"] is True

    events = emu.events()
    back_on = max(e["sequence"] for e in events if e["kind"] == "runtime_state_changed"
                  and e["environment"] == "Fabrikam UAT")
    emptied = max(e["sequence"] for e in events if e["kind"] == "row_deleted"
                  and e.get("table") == "msdyn_dualwriteruntimeconfigs")
    neutralised = max(e["sequence"] for e in events if e["kind"] == "row_updated"
                      and e.get("table") in ("serviceendpoints", "sdkmessageprocessingsteps", "workflows",
                                             "connectionreferences"))
    copied = max(e["sequence"] for e in events if e["kind"] == "copy_applied")
    assert copied < emptied < back_on and copied < neutralised < back_on

    before = len(emu.events())
    _proc, second = _playbook(tmp_path, emu, record_file, "run2")
    assert second["changed"] == []
    # the copy brought production's activations, the same as the sandbox's here; the rest had to change
    assert {"runtime", "outbound", "endpoints", "definitions", "refresh", "admin_mode"} <= set(first["changed"])
    assert [e for e in emu.events()[before:] if e["service"] in ("dataverse", "powerplatform", "pplifecycle")] == []


def test_a_new_movement_records_again_while_a_resumed_one_keeps_the_record_taken_before_it(tmp_path, start_emulator):
    """Movement 1 is started and interrupted; its resumed run (which records the moved state) must use the record
    taken before it. Then the sandbox gets a new vault and movement 2 starts: it must use a fresh record (the old
    code kept the first record for ever and re-created the endpoint with the old vault)."""
    world = production_world(tmp_path)
    data = yaml.safe_load(world.read_text())  # the LCS environment of the sandbox has deployed a package
    lcs_uat = next(e for e in data["projects"][0]["environments"] if e["id"] == LCS_UAT)
    lcs_uat["history"] = [{"type": "SFApplicationHotfix", "name": "Fabrikam release 2026.02", "status": "Completed",
                           "started": -1209600, "ended": -1195200, "via_api": False}]
    world.write_text(yaml.safe_dump(data, sort_keys=False))
    emu = start_emulator(world, databases=True, speed=60)
    _prepare(emu)
    record_file = Path(tmp_path) / "record.json"
    # movement 1 runs, then the controller goes away before the after-move steps
    _playbook(tmp_path, emu, record_file, "m1-start", lambda out: [_record_task(), _copy_task()])
    assert _vault_of(emu) != UAT_VAULT  # the sandbox holds production's wiring now
    # the resumed run records the moved state, joins the same copy (same start) and runs the after-move steps
    _proc, m1 = _playbook(tmp_path, emu, record_file, "m1-resumed")
    assert _vault_of(emu) == UAT_VAULT  # re-created from the record taken before movement 1
    assert all(check["passed"] for check in m1["verification"])
    m1_records = json.loads(record_file.read_text())

    # between movements the sandbox's own wiring changes: a new key vault
    new_vault = "https://fabrikam-uat-kv2.vault.azure.net/"
    _sql(emu, "Fabrikam UAT", [("UPDATE BUSINESSEVENTSENDPOINT SET KEYVAULTDNSNAME = %s WHERE NAME = %s",
                                (new_vault, "Prod event grid"))])
    emu.advance(120)
    since = emu.advance(0)["now"]
    # as in the linked playbooks: the start comes from the linked_pair role's report (the earlier of the two
    # sides), and the record keeps the F&O deployments of the LCS environment history
    pair_report = {"name": "The linked_pair role's report of the movement", "ansible.builtin.set_fact": {
        "linked_pair_report": {"sides": {"finance_and_operations": {"started_at": None},
                                         "dataverse": {"started_at": "{{ _copied.started_at }}"}}}}}
    _proc, m2 = _playbook(tmp_path, emu, record_file, "m2", lambda out: [
        _record_task(), _copy_task(not_before=since), pair_report, *_after_move_tasks(out, start_given=False)],
        lcs=True)
    assert _vault_of(emu) == new_vault  # the target's values as they were right before movement 2
    assert m2["record"]["recorded_at"] > m1["record"]["recorded_at"]
    assert [(o["type"], o["name"]) for o in m2["record"]["code"]["lcs_history"]] == [
        ("SFApplicationHotfix", "Fabrikam release 2026.02")]
    # the record before movement 1 and the resumed run's (moved state), then only movement 2's
    assert m1_records["records"][0]["recorded_at"] == m1["record"]["recorded_at"]
    assert len(m1_records["records"]) == 2
    assert [r["recorded_at"] for r in json.loads(record_file.read_text())["records"]] == [m2["record"]["recorded_at"]]


def test_the_after_move_steps_refuse_to_guess_the_record_without_the_movement_start(tmp_path, start_emulator):
    emu = start_emulator(production_world(tmp_path), databases=False, speed=60)
    record_file = Path(tmp_path) / "record.json"
    record_file.write_text(json.dumps({"records": [{"recorded_at": "2026-01-01T00:00:00Z"}]}))
    before = emu.counters()["mutating_requests"]
    _proc, refused = _playbook(tmp_path, emu, record_file, "refused", lambda out: [
        {"name": "After the move without the start", "block": [
            {"name": "After the move", "ansible.builtin.include_role": {"name": "d365fo.dataalm.linked_after_move"}}],
         "rescue": [{"name": "Keep the refusal",
                     "ansible.builtin.set_fact": {"_refusal": "{{ ansible_failed_result.msg }}"}}]},
        {"name": "Dump", "ansible.builtin.copy": {"content": "{{ {'msg': _refusal} | to_json }}", "dest": str(out),
                                                  "mode": "0600"}}])
    assert "linked_after_move_started_at is empty" in refused["msg"]
    assert emu.counters()["mutating_requests"] == before
