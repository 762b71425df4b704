"""galaxy.yml is complete and claims only what the collection does in this release (issue 9, item 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
GALAXY = yaml.safe_load((REPO / "galaxy.yml").read_text())
MODULES = {p.stem for p in (REPO / "plugins" / "modules").glob("*.py")}
# ansible-lint's galaxy rule wants at least one of these
CERTIFICATION_TAGS = {"application", "cloud", "database", "eda", "infrastructure", "linux", "monitoring",
                      "networking", "security", "storage", "tools", "windows"}
# A capability the description names -> the modules that must exist for the claim to be true.
CLAIMS = {
    r"refresh": {"lcs_database_refresh"},
    r"export": {"lcs_database_export"},
    r"point[- ]in[- ]time|power platform|dataverse": {"pp_environment_restore"},
    r"download": {"lcs_database_backup_download"},
    r"odata|data (management|package)|entit": {"fo_entity", "fo_data_package_export"},
    r"preflight|checks before": {"dataalm_preflight"},
    r"clean-?up|sql": {"fo_database_cleanup", "fo_sql"},
    r"report": set(),  # the callback, checked below
}


@pytest.mark.parametrize("field", ["namespace", "name", "version", "readme", "authors", "description", "license",
                                   "tags", "repository", "documentation", "homepage", "issues"])
def test_field_is_filled(field):
    assert GALAXY.get(field), "galaxy.yml: %s is empty" % field


def test_dependencies_are_declared_and_match_what_the_content_uses():
    assert isinstance(GALAXY.get("dependencies"), dict)
    used = set()
    for path in [*REPO.glob("roles/**/*.yml"), *REPO.glob("playbooks/*.yml")]:
        used |= set(re.findall(r"^\s*-?\s*([a-z0-9_]+\.[a-z0-9_]+)\.[a-z0-9_]+:", path.read_text(), re.MULTILINE))
    used -= {"ansible.builtin", "d365fo.dataalm"}
    assert used <= set(GALAXY["dependencies"]), "undeclared collections: %s" % sorted(used)


def test_tags_are_valid_and_include_a_certification_tag():
    tags = GALAXY["tags"]
    assert len(tags) <= 20 and all(re.fullmatch(r"[a-z0-9_]{1,64}", tag) for tag in tags)
    assert CERTIFICATION_TAGS & set(tags)


def unmet_claims(description, modules):
    """The capabilities ``description`` names whose modules are not in ``modules``."""
    return {pattern: sorted(needed - modules) for pattern, needed in CLAIMS.items()
            if re.search(pattern, description.lower()) and needed - modules}


def test_description_claims_only_existing_capabilities():
    assert unmet_claims(GALAXY["description"], MODULES) == {}
    if "report" in GALAXY["description"].lower():
        assert (REPO / "plugins" / "callback" / "report.py").exists()


def test_a_promise_of_a_missing_module_is_caught():
    claimed = unmet_claims("Refresh, export and point-in-time restore through the Power Platform API",
                           {"lcs_database_refresh", "lcs_database_export"})
    assert list(claimed.values()) == [["pp_environment_restore"]]
