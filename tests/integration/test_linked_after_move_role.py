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

from .linked_after_move_support import ALLOW_LIST, REPOINT, UAT_FINOPS_URL, UAT_ORG, UAT_SB, production_world
from .pp_support import APP_SECRET, FABRIKAM_PROD, FABRIKAM_UAT

pytestmark = pytest.mark.xdist_group("linked_after_move")
PP_APP = "7a0d4c5e-9f63-4b10-a4c8-3b2f5e6d7c8a"
ENTRA_APPS = ("61a0518c-121a-421a-9ad6-f0955a88be43", "f1752846-f0df-4766-96f5-c109adf67d7f")
UAT_VAULT = "https://fabrikam-uat-kv.vault.azure.net/"
VAULT_SECRET = "uat-eventgrid-Secret-42"


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


def _playbook(tmp_path, emu, record_file, name):
    fo = {"environment_url": emu.base_url + "/fo/fabrikam-uat", "client_id": PP_APP, "client_secret": APP_SECRET,
          "tenant_id": emu.pp_module_args()["tenant_id"], "authority_url": emu.base_url, "ca_path": emu.ca_file}
    role_vars = {
        "linked_after_move_environment_id": FABRIKAM_UAT,
        "linked_after_move_organization_url": emu.dataverse_url(UAT_ORG),
        "linked_after_move_finops_url": UAT_FINOPS_URL, "linked_after_move_allow_list": ALLOW_LIST,
        "linked_after_move_repoint": REPOINT, "linked_after_move_movement": "copy",
        "linked_after_move_record_file": str(record_file), "linked_after_move_refresh_poll_interval": 1,
        "linked_after_move_source_organization_url": emu.dataverse_url("fabrikam-prod"),
        "linked_after_move_endpoint_secrets": {"Prod event grid": {"DecryptedAzureAppSecret": VAULT_SECRET}},
    }
    out = Path(tmp_path) / (name + ".json")
    dump = ("{{ {'verification': linked_after_move_verification, 'followups': linked_after_move_followups_found, "
            "'maps': linked_after_move_maps_to_restart, 'drift': _linked_after_move_drift, "
            "'changed': _changed} | to_json }}")
    steps = ["runtime", "outbound", "endpoints", "activations", "definitions", "refresh", "admin_mode"]
    changed = ("{{ %s | zip([%s] | map(attribute='changed')) | selectattr(1) | map(attribute=0) | list }}"
               % (steps, ", ".join("_linked_after_move_" + step for step in steps)))
    tasks = [
        {"name": "Record before the movement", "ansible.builtin.include_role": {
            "name": "d365fo.dataalm.linked_after_move", "tasks_from": "record"}},
        {"name": "Copy production into the sandbox", "d365fo.dataalm.pp_environment_copy": {
            "source_environment_id": FABRIKAM_PROD, "target_environment_id": FABRIKAM_UAT,
            "advanced_fo_copy": True, "poll_interval": 2}},
        {"name": "After the move", "ansible.builtin.include_role": {"name": "d365fo.dataalm.linked_after_move"}},
        {"name": "Changed steps", "ansible.builtin.set_fact": {"_changed": changed}},
        {"name": "Dump", "no_log": True, "ansible.builtin.copy": {"content": dump, "dest": str(out), "mode": "0600"}},
    ]
    play = [{"name": "Linked pair after the move", "hosts": "localhost", "connection": "local",
             "gather_facts": False, "vars": role_vars,
             "module_defaults": {"group/d365fo.dataalm.powerplatform": emu.pp_module_args(),
                                 "group/d365fo.dataalm.fo_app": fo}, "tasks": tasks}]
    path = Path(tmp_path) / (name + ".yml")
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    proc = run_playbook(path, timeout=900)
    assert proc.returncode == 0 and out.exists(), proc.stdout[-6000:] + proc.stderr[-2000:]
    return proc, json.loads(out.read_text())


def test_after_a_copy_the_pair_is_back_in_line_in_order_and_a_second_run_changes_nothing(tmp_path, start_emulator):
    emu = start_emulator(production_world(tmp_path), databases=True, speed=60)
    _prepare(emu)
    record_file = Path(tmp_path) / "record.json"
    proc, first = _playbook(tmp_path, emu, record_file, "run1")
    record = json.loads(record_file.read_text())
    assert VAULT_SECRET not in record_file.read_text() + proc.stdout + proc.stderr
    assert record["background_operations"] == "enabled" and record["admin_mode"] == "disabled"

    tables = emu._admin("GET", "/dataverse/%s" % UAT_ORG)["tables"]
    assert tables["msdyn_dualwriteruntimeconfigs"] == []
    assert [e["namespaceaddress"] for e in tables["serviceendpoints"] if e["name"] == "orders-queue"] == [UAT_SB]
    assert all(s["statecode"] == 1 for s in tables["sdkmessageprocessingsteps"] if s["name"] == "send orders-webhook")
    assert {f["name"] for f in tables["workflows"] if f["statecode"] == 1} == {"Notify test team"}
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
                      and e.get("table") in ("serviceendpoints", "sdkmessageprocessingsteps", "workflows"))
    copied = max(e["sequence"] for e in events if e["kind"] == "copy_applied")
    assert copied < emptied < back_on and copied < neutralised < back_on

    before = len(emu.events())
    _proc, second = _playbook(tmp_path, emu, record_file, "run2")
    assert second["changed"] == []
    # the copy brought production's activations, the same as the sandbox's here; the rest had to change
    assert {"runtime", "outbound", "endpoints", "definitions", "refresh", "admin_mode"} <= set(first["changed"])
    assert [e for e in emu.events()[before:] if e["service"] in ("dataverse", "powerplatform", "pplifecycle")] == []
