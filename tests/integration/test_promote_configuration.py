"""Golden configuration promotion (playbooks/promote_configuration.yml) through the real ansible-playbook.

The molecule scenario ``promote_configuration`` covers sandboxes (two targets, idempotence, the check-mode
diff, partial success, production refused without allow_production). These tests cover what it does not:
every wrong input refused before anything is read from F&O, naming the inventory variable to change; and
the production path with ``allow_production: true``: the version preflight, and the rollback archive
(the target's current records exported before the import, and imported back as docs/golden-configuration.md
says).
"""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import psycopg
import pytest
import yaml

from devtools.ansible_runner import run_playbook
from devtools.services import write_services
from emulator import fodb
from emulator.services.fo_app.entities import EXTRA_DDL
from tests.integration.fo_app_support import APP_ID, APP_SECRET, TENANT, play
from tests.integration.runbook_support import REPO, inventory

PROMOTE_INVENTORY = REPO / "extensions" / "molecule" / "promote_configuration" / "inventory.yml"
SOURCE, PROD = "contoso-uat", "contoso-prod"


class Fo:
    """Test-side SQL on the environments' databases (setup and checks only; the playbook uses F&O's API)."""

    def __init__(self, emulator, pg_server):
        self.emulator, self.pg_server = emulator, pg_server

    def sql(self, env, statement, params=None):
        dsn = fodb.database_dsn(self.pg_server.admin_dsn, self.emulator.env(env)["database"])
        with psycopg.connect(dsn) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else None

    def prepare(self, env, payment_terms, relay):
        """The F&O tables the promotion reads, the test application registered, and this environment's setup."""
        for statement in EXTRA_DDL:
            self.sql(env, statement)
        self.sql(env, "INSERT INTO SYSAADCLIENTTABLE (RECID, AADCLIENTID, USERID, NAME) SELECT MAX(RECID) + 1, %s,"
                      " 'Admin', 'dataalm tests' FROM SYSAADCLIENTTABLE", (APP_ID,))
        self.sql(env, "UPDATE SYSEMAILPARAMETERS SET SMTPRELAYSERVERNAME = %s", (relay,))
        for number, (name, days) in enumerate(payment_terms):
            self.sql(env, "INSERT INTO PAYMTERM (RECID, DATAAREAID, PAYMTERMID, DESCRIPTION, NUMOFDAYS)"
                          " VALUES (%s, 'usmf', %s, %s, %s)", (5637170000 + number, name, f"{name} terms", days))

    def payment_terms(self, env):
        return dict(self.sql(env, "SELECT PAYMTERMID, NUMOFDAYS FROM PAYMTERM WHERE DATAAREAID = 'usmf'"))

    def relay(self, env):
        return self.sql(env, "SELECT SMTPRELAYSERVERNAME FROM SYSEMAILPARAMETERS")[0][0]


def _fo_counters(emulator):
    return emulator._admin("GET", "/fo/counters")


def _projects():
    return yaml.safe_load(PROMOTE_INVENTORY.read_text())["all"]["vars"]["dataalm_promote_projects"]


def _run(emulator, tmp_path, targets, hosts=None, check=False, **extra_vars):
    """The playbook as a user runs it: the shared inventory (with per-host overrides) plus the scenario's
    promotion variables (F&O sign-in, data projects); the artifacts go to tmp_path/promotion."""
    services = tmp_path / "services.json"
    if not services.exists():
        write_services(emulator, services)
    extra = {"dataalm_targets": targets, "dataalm_promote_artifact_dir": str(tmp_path / "promotion"), **extra_vars}
    return run_playbook(REPO / "playbooks" / "promote_configuration.yml", inventory=inventory(tmp_path, hosts),
                        args=["-i", str(PROMOTE_INVENTORY)], extra_vars=extra, check=check, timeout=600,
                        env={"DATAALM_SERVICES": str(services), "DATAALM_SNAPSHOT_DIR": str(tmp_path)})


@pytest.fixture
def promote(emulator, tmp_path):
    emulator.set_speed(600)  # a 60 s data package execution takes 0.1 s

    def run(targets, hosts=None, check=False, **extra_vars):
        return _run(emulator, tmp_path, targets, hosts, check, **extra_vars)

    run.artifacts = tmp_path / "promotion"
    return run


def _output(proc):
    return " ".join((proc.stdout + " " + proc.stderr).split())  # the callback wraps long lines


# (case id, per-host inventory overrides, extra vars, the inventory variable the message must name)
BAD_INPUTS = [
    ("source_missing", None, {"dataalm_promote_source": ""}, "dataalm_promote_source"),
    ("source_not_in_inventory", None, {"dataalm_promote_source": "contoso-uta"}, "dataalm_promote_source"),
    ("source_is_a_target", None, {"dataalm_promote_source": "contoso-test"}, "dataalm_promote_source"),
    ("source_without_url", {SOURCE: {"dataalm_fo_environment_url": ""}}, {}, "dataalm_fo_environment_url"),
    ("target_without_url", {"contoso-test": {"dataalm_fo_environment_url": ""}}, {}, "dataalm_fo_environment_url"),
    ("artifact_dir_relative", None, {"dataalm_promote_artifact_dir": "promotion"}, "dataalm_promote_artifact_dir"),
    ("legal_entity_with_space", None, {"dataalm_promote_legal_entity": "US MF"}, "dataalm_promote_legal_entity"),
    ("projects_empty", None, {"dataalm_promote_projects": []}, "dataalm_promote_projects"),
    ("projects_a_mapping", None, {"dataalm_promote_projects": {"name": "golden"}}, "dataalm_promote_projects"),
    ("project_twice", None, {"dataalm_promote_projects": _projects()[:1] * 2}, "dataalm_promote_projects"),
    ("entity_without_key_fields", None,
     {"dataalm_promote_projects": [{"name": "golden", "entities": [{"entity": "Terms of payment",
                                                                    "entity_set": "PaymentTerms"}]}]},
     "dataalm_promote_projects"),
    ("users_never_move", None,
     {"dataalm_promote_projects": [{"name": "golden", "entities": [{"entity": "Users", "entity_set": "SystemUsers",
                                                                    "key_fields": ["UserID"]}]}]},
     "dataalm_promote_projects"),
    ("allow_production_typo", {PROD: {"allow_production": "perhaps"}}, {}, "allow_production"),
    ("poll_interval_zero", None, {"dataalm_poll_interval": 0}, "dataalm_poll_interval"),
]


@pytest.mark.parametrize(("hosts", "extra_vars", "variable"), [c[1:] for c in BAD_INPUTS],
                         ids=[c[0] for c in BAD_INPUTS])
def test_a_wrong_input_is_refused_before_anything_is_read_from_fo(emulator, promote, hosts, extra_vars, variable):
    proc = promote("contoso-test:contoso-prod", hosts=hosts, **extra_vars)
    output = _output(proc)
    assert proc.returncode != 0, output[-3000:]
    assert variable in output and "Nothing was exported or imported" in output, output[-3000:]
    counters = _fo_counters(emulator)
    # not one request reached F&O (no read, no data project, no export, no import), and no package was written
    assert counters["requests"] == {} and counters["exports_started"] == counters["imports_started"] == 0
    assert not (promote.artifacts / "packages").exists()


def test_production_with_allow_production_archives_its_records_first_and_can_be_rolled_back(
        emulator, pg_server, promote, tmp_path):
    fo = Fo(emulator, pg_server)
    fo.prepare(SOURCE, [("Net30", 30), ("CurMth15", 15)], "smtp.golden.contoso.example")
    fo.prepare(PROD, [("Net30", 45)], "smtp.prod.contoso.example")
    allowed = {PROD: {"allow_production": True}}

    # the change board's diff first: nothing exported, archived or imported
    proc = promote(PROD, hosts=allowed, check=True, dataalm_promote_run_id="plan")
    assert proc.returncode == 0, _output(proc)[-3000:]
    assert _fo_counters(emulator)["exports_started"] == _fo_counters(emulator)["imports_started"] == 0
    assert fo.payment_terms(PROD) == {"Net30": 45}

    proc = promote(PROD, hosts=allowed, dataalm_promote_run_id="run")
    assert proc.returncode == 0, _output(proc)[-3000:]
    assert fo.payment_terms(PROD) == {"Net30": 30, "CurMth15": 15}
    assert fo.relay(PROD) == "smtp.golden.contoso.example"

    # the rollback archive: prod's records of the same entities, exported before the first import into prod
    rollback = promote.artifacts / "rollback" / PROD
    packages = sorted(rollback.glob("*.zip"))
    assert [p.name.rsplit("-", 1)[0] for p in packages] == ["golden-parameters-rollback", "golden-receivables-rollback"]
    sums = dict(reversed(line.split("  ")) for line in (rollback / "SHA256SUMS").read_text().splitlines())
    assert sums == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in packages}
    assert _package_values(packages[1], "Terms of payment", "NumberOfDays") == ["45"]
    assert _package_values(packages[0], "Email parameters", "SMTPRelayServerName") == ["smtp.prod.contoso.example"]
    events = [e["kind"] for e in emulator.events(environment=PROD, service="fo_app")]
    assert events == ["export_started", "export_started", "import_started", "import_started"]
    report = yaml.safe_load((promote.artifacts / "reports" / f"run-run-{PROD}.json").read_text())
    assert sorted(Path(r["dest"]).name for r in report["rollback"]) == [p.name for p in packages]

    # rolling back as the guide says: import the archive into production with the promotion's import projects
    tasks = [{"name": f"Put {PROD} back ({p.name})", "register": f"rollback{n}",
              "d365fo.dataalm.fo_data_package_import": {
                  "src": str(p), "definition_group_id": p.name.split("-rollback-")[0], "legal_entity_id": "USMF",
                  "overwrite": True, "poll_interval": 1}} for n, p in enumerate(packages)]
    defaults = {"environment_url": f"{emulator.base_url}/fo/{PROD}", "client_id": APP_ID, "client_secret": APP_SECRET,
                "tenant_id": TENANT, "authority_url": emulator.base_url, "ca_path": emulator.ca_file}
    proc, _results = play(tmp_path, tasks, defaults, name="rollback.yml")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert fo.relay(PROD) == "smtp.prod.contoso.example"
    # an import upserts: the record the promotion created stays (the report names it for removal)
    assert fo.payment_terms(PROD) == {"Net30": 45, "CurMth15": 15}
    assert "usmf|CurMth15" in [k for e in report["entities"] for k in e["to_create"]]


def _package_values(package, entity, field):
    with zipfile.ZipFile(io.BytesIO(package.read_bytes())) as archive:
        document = ET.fromstring(archive.read(f"{entity}.xml"))
    return [element.findtext(field) for element in document]


def test_production_on_another_application_version_is_refused_before_any_export(start_emulator, tmp_path):
    world = yaml.safe_load((REPO / "tests" / "worlds" / "default.yml").read_text())
    for env in world["projects"][0]["environments"]:
        if env["name"] == PROD:
            env["application_build"] = "10.0.2095.99"  # the source keeps the world's default build
    path = tmp_path / "world.yml"
    path.write_text(yaml.safe_dump(world, sort_keys=False))
    emulator = start_emulator(path)
    emulator.set_speed(600)
    proc = _run(emulator, tmp_path, PROD, {PROD: {"allow_production": True}})
    output = _output(proc)
    assert proc.returncode != 0, output[-3000:]
    assert "10.0.2095.99" in output and "10.0.2095.13" in output and "dataalm_targets" in output, output[-3000:]
    assert "Nothing was exported or imported" in output
    counters = _fo_counters(emulator)
    assert counters["requests"] == {} and counters["exports_started"] == counters["imports_started"] == 0
    assert not (tmp_path / "promotion").exists()


def test_customer_groups_sequenced_before_their_terms_of_payment_fail_the_target_with_the_execution_errors(
    emulator, pg_server, promote
):
    fo = Fo(emulator, pg_server)
    fo.prepare(SOURCE, [("Net30", 30)], "smtp.golden.contoso.example")
    fo.prepare("contoso-dev", [], "")
    fo.sql(SOURCE, "INSERT INTO CUSTGROUP (RECID, DATAAREAID, CUSTGROUP, NAME, PAYMTERMID)"
                   " VALUES (5637170100, 'usmf', '10', 'Wholesale', 'Net30')")
    wrong_order = [{"name": "golden-receivables", "entities": [
        {"entity": "Customer groups", "entity_set": "CustomerGroups", "key_fields": ["dataAreaId", "CustomerGroupId"],
         "level": 1},
        {"entity": "Terms of payment", "entity_set": "PaymentTerms", "key_fields": ["dataAreaId", "Name"], "level": 2},
    ]}]
    proc = promote("contoso-dev", dataalm_promote_projects=wrong_order, dataalm_promote_run_id="order")
    output = _output(proc)
    assert proc.returncode != 0, output[-3000:]
    assert "Promotion into contoso-dev failed" in output and "PaymentTermId" in output, output[-3000:]
    report = yaml.safe_load((promote.artifacts / "reports" / "order-run-contoso-dev.json").read_text())
    counts = {e["entity_set"]: (e["created"], e["failed"]) for e in report["entities"]}
    assert counts == {"CustomerGroups": (0, 1), "PaymentTerms": (1, 0)}
    assert fo.payment_terms("contoso-dev") == {"Net30": 30}
