"""F&O facts are defined once, in plugins/module_utils/cleanup.py, and never re-written in role YAML.

Batch statuses, the recurring-integration query and the service-account patterns used to be copied
into the roles (which had already lost status 7, Cancelling). Roles now call modules; these tests fail
when SQL or a copy of those facts comes back into roles/ or playbooks/, or into another plugin file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup

REPO = Path(__file__).resolve().parents[2]
YAML_FILES = sorted(p for d in ("roles", "playbooks") for p in (REPO / d).rglob("*.yml"))
PLUGIN_FILES = sorted((REPO / "plugins").rglob("*.py"))
SQL_IN_YAML = re.compile(r"\b(SELECT|UPDATE|DELETE|INSERT)\b.*\b(FROM|SET|INTO)\b|\bSTATUS\s+IN\b")


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_sql_in_role_or_playbook_yaml(path):
    text = path.read_text()
    assert not SQL_IN_YAML.search(text), "SQL belongs in a module: %s" % SQL_IN_YAML.search(text).group(0)
    assert "INTEGRATIONACTIVITYRUNTIMETABLE" not in text


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_service_account_copy_in_yaml(path):
    domains = [pattern.split("@", 1)[1].lower() for pattern in cleanup.SERVICE_ACCOUNT_PATTERNS]
    text = path.read_text().lower()
    assert not [domain for domain in domains if domain in text]


def test_batch_statuses_and_service_accounts_are_written_once_in_plugins():
    # The "will run" status list and the recurring-integration subquery exist only in cleanup.py.
    literal = re.compile(r"1,\s*2,\s*5,\s*(7,\s*)?9|INTEGRATIONACTIVITYRUNTIMETABLE|@dynamics\.com", re.IGNORECASE)
    owners = {p.relative_to(REPO).as_posix() for p in PLUGIN_FILES if literal.search(_code(p))}
    assert owners == {"plugins/module_utils/cleanup.py"}


def test_the_active_statuses_include_cancelling_and_scheduled():
    assert cleanup.BATCH_STATUS["cancelling"] in cleanup.ACTIVE_BATCH_STATUS_VALUES
    assert cleanup.BATCH_STATUS["scheduled"] in cleanup.ACTIVE_BATCH_STATUS_VALUES
    assert cleanup.ACTIVE_BATCH_STATUSES == "1, 2, 5, 7, 9"


def _code(path):
    """Source without the DOCUMENTATION/EXAMPLES/RETURN strings (documentation may name the values)."""
    text = path.read_text()
    return re.sub(r'(DOCUMENTATION|EXAMPLES|RETURN) = r"""(.|\n)*?"""', "", text)


def test_action_groups_promise_only_modules_that_exist():
    # Issue 9 item 15: an empty powerplatform group promised modules that do not exist yet.
    import yaml

    groups = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())["action_groups"]
    modules = {p.stem for p in (REPO / "plugins" / "modules").glob("*.py")}
    for name, members in groups.items():
        assert members, "empty action group %s" % name
        plain = [m for m in members if isinstance(m, str)]
        assert set(plain) <= modules, name
    extended = groups["all"][0]["metadata"]["extend_group"]
    assert {g.split(".")[-1] for g in extended} <= set(groups)
