"""The collection as users get it: the built tarball, installed with ansible-galaxy into a clean
directory, run from a fresh virtualenv that holds only ansible-core and requirements.txt.

Nothing here sees the repository: the commands run in a scratch directory with no PYTHONPATH, and the
only collections path is the one the tarball was installed into. The demo's refresh runbook runs by its
FQCN (``d365fo.dataalm.refresh``) against the emulator and a private PostgreSQL server, which the
project's own start-up tooling starts from the development virtualenv.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integration.report_browser import chromium_command, measured_layout

REPO = Path(__file__).resolve().parents[2]
COLLECTION = "d365fo.dataalm"
SHARED_INVENTORY = REPO / "extensions" / "molecule" / "shared" / "inventory.yml"
DEMO_WORLD = REPO / "emulator" / "worlds" / "demo.yml"
FAST = 2000  # virtual seconds per real second: the demo's two-hour refresh takes a few real seconds

# Both build and install the collection from the same tree; run on one worker (make integration uses
# --dist loadgroup): the introspection once came back empty while the other test built alongside it.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("collection-build")]


def _run(argv, env=None, cwd=None, timeout=900):
    proc = subprocess.run([str(a) for a in argv], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert proc.returncode == 0, "%s failed (%d):\n%s\n%s" % (argv[:3], proc.returncode, proc.stdout[-4000:],
                                                              proc.stderr[-4000:])
    return proc


def _ansible_core_pin():
    """ansible-core as pinned for development: the controller the tests run on."""
    for line in (REPO / "requirements-dev.txt").read_text().splitlines():
        if re.match(r"ansible-core==", line.strip()):
            return line.strip()
    raise AssertionError("requirements-dev.txt pins no ansible-core")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin directory, collections path, environment) of the installed collection."""
    root = tmp_path_factory.mktemp("installed")
    dev_bin = Path(sys.executable).parent
    _run([dev_bin / "ansible-galaxy", "collection", "build", "--output-path", root / "dist", REPO])
    tarball = next((root / "dist").glob("d365fo-dataalm-*.tar.gz"))

    _run([sys.executable, "-m", "venv", root / "venv"])
    venv_bin = root / "venv" / "bin"
    _run([venv_bin / "pip", "install", "-q", _ansible_core_pin(), "-r", REPO / "requirements.txt"])

    collections = root / "collections"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ANSIBLE_", "PYTHON", "VIRTUAL_ENV", "DATAALM_"))}
    env.update(PATH="%s%s%s" % (venv_bin, os.pathsep, env.get("PATH", "")), ANSIBLE_COLLECTIONS_PATH=str(collections),
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False", ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="False",
               ANSIBLE_PYTHON_INTERPRETER=str(venv_bin / "python"), HOME=str(root))
    (root / "work").mkdir()
    _run([venv_bin / "ansible-galaxy", "collection", "install", "-p", collections, tarball], env=env, cwd=root / "work")
    return venv_bin, collections, env, root / "work"


def test_fresh_venv_holds_only_ansible_core_and_the_runtime_requirements(installed):
    venv_bin, collections, env, work = installed
    listed = _run([venv_bin / "ansible-galaxy", "collection", "list", COLLECTION], env=env, cwd=work).stdout
    assert str(collections / "ansible_collections") in listed
    frozen = _run([venv_bin / "pip", "freeze"], env=env).stdout.lower()
    for dev_only in ("pytest", "psycopg", "sqlglot", "flask", "molecule", "ansible-lint"):
        assert dev_only not in frozen, "%s leaked into the fresh virtualenv" % dev_only


def test_ansible_doc_renders_every_module_role_and_callback_from_the_installed_copy(installed):
    venv_bin, collections, env, work = installed
    installed_root = collections / "ansible_collections" / "d365fo" / "dataalm"
    modules = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
    roles = sorted(p.name for p in (REPO / "roles").iterdir() if (p / "meta" / "argument_specs.yml").exists())
    callbacks = sorted(p.stem for p in (REPO / "plugins" / "callback").glob("*.py") if p.stem != "__init__")
    assert modules and roles and callbacks
    for kind, names in (("module", modules), ("role", roles), ("callback", callbacks)):
        fqcns = ["%s.%s" % (COLLECTION, name) for name in names]
        docs = json.loads(_run([venv_bin / "ansible-doc", "-t", kind, "--json", *fqcns], env=env, cwd=work).stdout)
        assert sorted(docs) == fqcns, "ansible-doc -t %s rendered %s" % (kind, sorted(docs))
        for fqcn, doc in docs.items():
            path = doc.get("path") or doc.get("doc", {}).get("filename") or ""
            if kind != "role":
                assert path.startswith(str(installed_root)), "%s documented from %s" % (fqcn, path)
            assert doc.get("doc") or doc.get("entry_points"), "%s has no documentation" % fqcn
        # the plain-text rendering users read
        text = _run([venv_bin / "ansible-doc", "-t", kind, *fqcns], env=env, cwd=work).stdout
        for fqcn in fqcns:
            assert fqcn in text


@pytest.fixture
def demo_services(tmp_path):
    """PostgreSQL and the emulator with the demo's world, started by the project's own tooling."""
    state = tmp_path / "services"
    start = [sys.executable, "-m", "devtools.services"]
    _run([*start, "start", "--state-dir", state, "--world", DEMO_WORLD, "--speed", FAST], cwd=REPO)
    try:
        yield state / "services.json"
    finally:
        subprocess.run([*start, "stop", "--state-dir", state], cwd=REPO, check=False, timeout=300)


def test_demo_refresh_runbook_runs_from_the_installed_copy(installed, demo_services, tmp_path):
    venv_bin, _collections, env, work = installed
    inventory = yaml.safe_load(SHARED_INVENTORY.read_text())
    inventory["all"]["vars"]["dataalm_source_name"] = "fabrikam-prod"
    inventory["all"]["hosts"] = {"fabrikam-uat": {"dataalm_keep_users": ["Admin"]}}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    (tmp_path / "snapshots").mkdir()
    run_env = dict(env, DATAALM_SERVICES=str(demo_services), DATAALM_SNAPSHOT_DIR=str(tmp_path / "snapshots"),
                   ANSIBLE_CALLBACKS_ENABLED="%s.report" % COLLECTION, DATAALM_REPORT_DIR=str(tmp_path / "reports"),
                   DATAALM_REPORT_RUN_NAME="installed")
    proc = _run([venv_bin / "ansible-playbook", "-i", tmp_path / "inventory.yml", "%s.refresh" % COLLECTION],
                env=run_env, cwd=work)
    assert re.search(r"fabrikam-uat\s*:\s*ok=\d+\s+changed=[1-9]", proc.stdout), proc.stdout[-3000:]
    report = json.loads((tmp_path / "reports" / "installed" / "report.json").read_text())
    host = report["hosts"]["fabrikam-uat"]
    assert host["status"] == "ok"
    assert [op["status"] for op in host["operations"]][-1:] == ["Completed"], host["operations"]
    assert host["verification"] and all(check["passed"] for check in host["verification"])
    # The modules ran from the installed tarball, with the fresh virtualenv's Python.
    assert str(REPO) not in proc.stdout
    # Default verbosity: progress lines, no result dumped as JSON.
    assert re.search(r"^lcs_database_refresh: operation \S+ status \w+, elapsed \d+:\d\d:\d\d$", proc.stdout, re.M)
    assert "=> {" not in proc.stdout, proc.stdout
    _report_page_is_drawn(tmp_path / "reports" / "installed", report, tmp_path)


def _report_page_is_drawn(directory, report, work):
    """The demo's report.html has its target row and a bar per phase that ran (Chromium, where present)."""
    argv, _why = chromium_command()
    page = (directory / "report.html").read_text()
    assert 'data-target="fabrikam-uat"' in page
    if argv is None:
        return  # tests/integration/test_report_html.py reports the skip; the page itself is checked above
    rows, bars, _total = measured_layout(directory / "report.html", work, argv)
    assert rows == list(report["hosts"])
    assert {box["data-phase"] for box in bars} == {"preflight", "movement", "wait", "clean-up", "verification"}
