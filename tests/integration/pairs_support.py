"""Helpers for the linked-pair tests: the pairs world (tests/worlds/pairs.yml), its ids, module options, runs.

The fixture ``pairs_db`` (that world with its databases) is in conftest.py.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PAIRS_WORLD = REPO / "tests" / "worlds" / "pairs.yml"
LCS = {"contoso-prod": "11111111-1111-4111-8111-111111111111", "contoso-uat": "22222222-2222-4222-8222-222222222222",
       "contoso-test": "33333333-3333-4333-8333-333333333333", "contoso-dev": "44444444-4444-4444-8444-444444444444"}
PP = {"contoso-prod": "a1000000-0000-4000-8000-000000000001", "contoso-uat": "a1000000-0000-4000-8000-000000000002",
      "contoso-test": "a1000000-0000-4000-8000-000000000003", "contoso-dev": "a1000000-0000-4000-8000-000000000004"}
PP_NAMES = {"contoso-prod": "Contoso Production", "contoso-uat": "Contoso UAT", "contoso-test": "Contoso Test"}


def lcs_args(emu):
    return emu.lcs_module_args()


def pp_args(emu):
    return emu.pp_module_args(app="pp-automation")


def started(emu):
    """Starts so far, per target: (LCS operations by environment name, Power Platform copies by environment name)."""
    counters = emu.counters()
    return counters.get("operations_started", {}), counters.get("pp_copies_started", {})


def pairs_inventory(tmp_path, emu, hosts, **common):
    """An inventory of target pairs (host = target LCS environment) against the pairs emulator."""
    import yaml

    lcs, pp = lcs_args(emu), pp_args(emu)
    state = emu.state()
    odbc = {env["name"]: env.get("odbc_connection_string") for env in state["environments"]}
    variables = {
        "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "lcs_project_id": lcs["project_id"], "lcs_client_id": lcs["client_id"], "lcs_username": lcs["username"],
        "lcs_password": lcs["password"], "lcs_tenant_id": lcs["tenant_id"], "lcs_authority_url": lcs["authority_url"],
        "lcs_api_url": lcs["lcs_api_url"], "lcs_ca_path": lcs["ca_path"],
        "pp_client_id": pp["client_id"], "pp_client_secret": pp["client_secret"], "pp_tenant_id": pp["tenant_id"],
        "pp_authority_url": pp["authority_url"], "pp_api_url": pp["pp_api_url"], "pp_bap_api_url": pp["bap_api_url"],
        "pp_ca_path": pp["ca_path"], "dataalm_poll_interval": 1, "dataalm_max_age": "3d",
        "dataalm_snapshot_dir": str(tmp_path / "state"),
    }
    variables.update(common)
    host_vars = {}
    for name, overrides in hosts.items():
        entry = {"dataalm_target_environment_id": LCS[name]}
        if odbc.get(name):
            entry["dataalm_sql_connection_string"] = odbc[name]
            entry["dataalm_confirm_database"] = odbc[name].split("Database=")[1].split(";")[0]
        entry.update(overrides)
        host_vars[name] = entry
    path = tmp_path / "pairs-inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"vars": variables, "hosts": host_vars}}, sort_keys=False))
    return path


def unified_inventory(tmp_path, emu, environment_id, host="fabrikam-uat", **host_vars):
    """An inventory of one unified target (tests/worlds/powerplatform.yml), named by its Power Platform id alone."""
    import yaml

    args = emu.pp_module_args()
    variables = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                 "pp_client_id": args["client_id"], "pp_client_secret": args["client_secret"],
                 "pp_tenant_id": args["tenant_id"], "pp_authority_url": args["authority_url"],
                 "pp_api_url": args["pp_api_url"], "pp_bap_api_url": args["bap_api_url"], "pp_ca_path": args["ca_path"],
                 "dataalm_snapshot_dir": str(tmp_path / "state"), "dataalm_poll_interval": 1, "dataalm_max_age": "3d"}
    # no dataalm_target_environment_id: a unified environment has no LCS environment
    hosts = {host: {"dataalm_pp_target_environment_id": environment_id, **host_vars}}
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"vars": variables, "hosts": hosts}}))
    return path


def run_pairs(tmp_path, playbook, inventory, name, targets, check=False, extra_vars=None, timeout=600):
    """Run playbooks/<playbook> with the run report; returns (process, report of this run or None)."""
    import json

    from devtools.ansible_runner import run_playbook

    proc = run_playbook(REPO / "playbooks" / playbook, inventory=inventory, check=check, timeout=timeout,
                        extra_vars=dict(extra_vars or {}, dataalm_targets=targets),
                        env={"ANSIBLE_CALLBACKS_ENABLED": "d365fo.dataalm.report",
                             "DATAALM_REPORT_DIR": str(tmp_path / "reports"), "DATAALM_REPORT_RUN_NAME": name})
    (tmp_path / ("%s.out" % name)).write_text(proc.stdout + proc.stderr)
    report = tmp_path / "reports" / name / "report.json"
    return proc, json.loads(report.read_text()) if report.exists() else None


def task_offsets(report, host, prefix):
    """Real seconds from the run's start at which the tasks whose name starts with ``prefix`` started."""
    return [t["started_offset_seconds"] for t in report["hosts"][host]["tasks"] if prefix in t["name"]
            and t["status"] != "skipped"]
