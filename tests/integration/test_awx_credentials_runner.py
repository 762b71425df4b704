"""A runbook job signed in only through the AWX credential types (extensions/awx/credential_types).

The credentials' injectors are rendered as AWX renders them (Jinja over the credential's inputs, a file
written for each ``file`` injector and named by ``tower.filename.<name>``), and the environment they give is
the job's: the inventory holds no sign-in option and no connection string. The SQL credential reaches the
runbook through the host variable docs/awx.md tells to set on the target it reaches. Run under
ansible-runner in a private data directory, as an AWX job is.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import ansible_runner
import jinja2
import pytest
import yaml

from devtools.collection import ensure_collection_tree
from devtools.services import write_services

REPO = Path(__file__).resolve().parents[2]
CREDENTIAL_TYPES = REPO / "extensions" / "awx" / "credential_types"
INVENTORY = REPO / "extensions" / "molecule" / "shared" / "inventory.yml"
VENV_BIN = Path(sys.executable).parent
TARGET = "contoso-uat"
SIGN_IN_VARIABLES = ("lcs_project_id", "lcs_client_id", "lcs_username", "lcs_password", "lcs_tenant_id",
                     "lcs_authority_url", "lcs_api_url", "lcs_ca_path", "dataalm_sql_connection_string")
SQL_FROM_CREDENTIAL = "{{ lookup('ansible.builtin.env', 'FO_SQL_CONNECTION_STRING') }}"


def inject(credential_type: str, inputs: dict, directory: Path) -> dict:
    """The environment variables AWX gives a job for one credential of ``credential_type``."""
    injectors = yaml.safe_load((CREDENTIAL_TYPES / credential_type).read_text())["injectors"]
    environment = jinja2.Environment(undefined=jinja2.Undefined)  # an unset field renders empty, as in AWX
    filenames = {}
    for key, template in (injectors.get("file") or {}).items():
        path = directory / ("%s-%s" % (Path(credential_type).stem, key.split(".", 1)[1]))
        path.write_text(environment.from_string(template).render(**inputs))
        filenames[key.split(".", 1)[1]] = str(path)
    context = dict(inputs, tower={"filename": filenames})
    return {name: environment.from_string(template).render(**context)
            for name, template in injectors["env"].items()}


@pytest.fixture
def awx_job(emulator, tmp_path):
    emulator.set_speed(2000)
    services = tmp_path / "services.json"
    write_services(emulator, services)
    lcs = emulator.lcs_module_args()
    secrets = tmp_path / "awx-files"
    secrets.mkdir()
    credentials = {
        **inject("lcs.yml", {"client_id": lcs["client_id"], "tenant_id": lcs["tenant_id"],
                             "project_id": str(lcs["project_id"]), "username": lcs["username"],
                             "password": lcs["password"], "api_url": lcs["lcs_api_url"],
                             "authority_url": lcs["authority_url"], "ca_bundle": Path(lcs["ca_path"]).read_text()},
                 secrets),
        **inject("fo_sql.yml", {"connection_string": emulator.env(TARGET)["odbc_connection_string"]}, secrets),
    }
    data = yaml.safe_load(INVENTORY.read_text())
    for name in SIGN_IN_VARIABLES:
        data["all"]["vars"].pop(name)
    # the SQL credential's database is this target's: a host variable (docs/awx.md, section 1)
    data["all"]["hosts"][TARGET]["dataalm_sql_connection_string"] = SQL_FROM_CREDENTIAL
    pdd = tmp_path / "job"
    (pdd / "env").mkdir(parents=True)
    (pdd / "inventory").mkdir()
    (pdd / "project").symlink_to(REPO / "playbooks")
    (pdd / "inventory" / "hosts.yml").write_text(yaml.safe_dump(data))
    state = tmp_path / "run-state"
    state.mkdir()
    envvars = dict(credentials, **{
        "ANSIBLE_COLLECTIONS_PATH": str(ensure_collection_tree()),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_CALLBACKS_ENABLED": "d365fo.dataalm.report",
        "DATAALM_SERVICES": str(services),  # the environment ids only: no credential is read from it
        "DATAALM_SNAPSHOT_DIR": str(state),
        "DATAALM_REPORT_DIR": str(pdd / "artifacts" / "reports"),
        "DATAALM_REPORT_RUN_NAME": "awx",
        "PATH": "%s%s%s" % (VENV_BIN, os.pathsep, os.environ.get("PATH", "")),
    })
    (pdd / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    extravars = {"dataalm_targets": TARGET, "dataalm_not_before": emulator.state()["clock"]["now"],
                 "dataalm_max_age": "3650d"}
    (pdd / "env" / "extravars").write_text(yaml.safe_dump(extravars))
    return pdd, credentials


def test_the_lcs_and_sql_credential_types_alone_sign_a_refresh_in_and_clean_it(awx_job, emulator):
    pdd, credentials = awx_job
    assert credentials["LCS_TENANT_ID"] and credentials["LCS_CA_PATH"] and credentials["LCS_TOKEN_CACHE"] == ""
    run = ansible_runner.run(private_data_dir=str(pdd), playbook="refresh.yml", ident="awx", quiet=True)
    lines = [line for event in run.events for line in (event.get("stdout") or "").splitlines()]
    assert run.status == "successful", "\n".join(lines[-60:])
    assert emulator.counters()["operations_started"] == {TARGET: 1}
    report = json.loads((pdd / "artifacts" / "reports" / "awx" / "report.json").read_text())
    host = report["hosts"][TARGET]
    assert host["status"] == "ok"
    # the clean-up ran over SQL, reached only through the SQL credential
    assert host["verification"] and all(check["passed"] for check in host["verification"])
    text = "\n".join(lines) + json.dumps(report)
    for name in ("LCS_PASSWORD", "FO_SQL_CONNECTION_STRING"):
        assert credentials[name] not in text, name
