"""Helpers for the runbook tests: run a ready playbook as a user would, inventories, fingerprints."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyodbc
import yaml

from devtools.ansible_runner import run_playbook
from devtools.services import write_services

REPO = Path(__file__).resolve().parents[2]
INVENTORY = REPO / "extensions" / "molecule" / "shared" / "inventory.yml"
FINGERPRINT_TABLES = ("USERINFO", "BATCHJOB", "LOGISTICSELECTRONICADDRESS", "SYSEMAILPARAMETERS",
                      "SYSEMAILSMTPPASSWORD", "SYSOUTGOINGEMAILTABLE", "PRINTMGMTSETTINGS", "SQLSYSTEMVARIABLES",
                      "INTEGRATIONCLIENTMAPTABLE")


def database_name(emulator, environment):
    return re.search(r"Database=([^;]+)", emulator.env(environment)["odbc_connection_string"]).group(1)


def fingerprint(emulator, environment):
    """A digest of every row of the tables a clean-up touches (PostgreSQL, test-only SQL)."""
    digest = {}
    with pyodbc.connect(emulator.env(environment)["odbc_connection_string"], autocommit=True) as conn:
        for table in FINGERPRINT_TABLES:
            key = "PARM" if table == "SQLSYSTEMVARIABLES" else "RECID"
            digest[table] = conn.execute(
                f"SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t.{key})), '') FROM {table} AS t").fetchone()[0]
        digest["DATAALMSTATE"] = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE upper(table_name) = 'DATAALMSTATE'").fetchone()[0]
    return digest


def inventory(tmp_path, hosts=None, drop=()):
    """The shared inventory with per-host overrides (extra vars would apply to every host)."""
    data = yaml.safe_load(INVENTORY.read_text())
    for name in drop:
        data["all"]["hosts"].pop(name)
    for name, overrides in (hosts or {}).items():
        data["all"]["hosts"].setdefault(name, {}).update(overrides)
    path = tmp_path / ("inventory-%d.yml" % len(list(tmp_path.glob("inventory-*.yml"))))
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


class Runbooks:
    """Runs playbooks/<name> against the emulator with the shared (or a given) inventory."""

    def __init__(self, emulator, tmp_path, defaults=None):
        self.emulator, self.tmp_path, self.defaults = emulator, tmp_path, dict(defaults or {})
        self.services = tmp_path / "services.json"
        write_services(emulator, self.services)
        self.snapshots = tmp_path / "snapshots"
        self.snapshots.mkdir(exist_ok=True)
        self.runs = 0

    def __call__(self, playbook, targets, extra_vars=None, check=False, inventory_path=None, snapshots=None,
                 timeout=900):
        name = "run%d" % self.runs
        self.runs += 1
        proc = run_playbook(
            REPO / "playbooks" / playbook, inventory=inventory_path or INVENTORY, check=check, timeout=timeout,
            extra_vars=dict(self.defaults, dataalm_targets=targets, **(extra_vars or {})),
            env={"DATAALM_SERVICES": str(self.services), "DATAALM_SNAPSHOT_DIR": str(snapshots or self.snapshots),
                 "ANSIBLE_CALLBACKS_ENABLED": "d365fo.dataalm.report",
                 "DATAALM_REPORT_DIR": str(self.tmp_path / "reports"), "DATAALM_REPORT_RUN_NAME": name},
        )
        report = self.tmp_path / "reports" / name / "report.json"
        return proc, json.loads(report.read_text()) if report.exists() else None
