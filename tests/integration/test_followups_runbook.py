"""The refresh runbook on the follow-ups world (tests/worlds/followups.yml): the run report lists exactly the
follow-ups that apply to what was copied, each with its source page, and nothing for a copy of a sandbox
that uses none of the features.

contoso-prod uses Commerce, Financial Reporting, Azure-stored attachments and Office templates;
contoso-uat and contoso-test use none of them (issue 23's acceptance: worlds with and without them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.integration.runbook_support import Runbooks, inventory

REPO = Path(__file__).resolve().parents[2]
WORLD = REPO / "tests" / "worlds" / "followups.yml"
NO_SQL_INVENTORY = REPO / "extensions" / "molecule" / "refresh_without_sql" / "inventory.yml"
FAST = 20000  # virtual seconds per real second: a two-hour refresh takes well under a second

pytestmark = pytest.mark.xdist_group("followups_world")


@pytest.fixture
def runbooks(start_emulator, tmp_path):
    emulator = start_emulator(WORLD, databases=True, speed=FAST)
    return Runbooks(emulator, tmp_path, defaults={"dataalm_max_age": "3650d",
                                                  "dataalm_not_before": emulator.state()["clock"]["now"]})


def refreshed(runbooks, target, source, tmp_path):
    proc, report = runbooks("refresh.yml", target,
                            inventory_path=inventory(tmp_path, hosts={target: {"dataalm_source_name": source}}))
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert report["hosts"][target]["status"] == "ok"
    return report, (tmp_path / "reports" / ("run%d" % (runbooks.runs - 1)) / "summary.md").read_text()


def test_a_copy_of_a_sandbox_without_the_features_lists_no_follow_up(runbooks, tmp_path):
    report, summary = refreshed(runbooks, "contoso-test", "contoso-uat", tmp_path)
    assert runbooks.emulator.counters()["operations_started"] == {"contoso-test": 1}
    # a sandbox source: no production data reached the target, so not even the LCS-credentials hand-over
    assert report["hosts"]["contoso-test"]["followups"] == []
    assert "### Follow-ups" not in summary and "follow-ups required" not in summary


def test_a_copy_of_production_with_every_feature_lists_what_applies_with_its_source(runbooks, tmp_path):
    report, summary = refreshed(runbooks, "contoso-uat", "contoso-prod", tmp_path)
    # before the move, the preflight planned what the movement can create (for the change record)
    (planned,) = [f for f in report["hosts"]["contoso-uat"]["findings"] if f["id"] == "followups_planned"]
    assert "commerce_reprovision" in planned["message"] and "lcs_sql_credential_access" in planned["message"]
    found = {item["id"]: item for item in report["hosts"]["contoso-uat"]["followups"]}
    # a refresh, not a point-in-time restore: no data mart reset (Microsoft documents it for a restore)
    assert list(found) == ["commerce_reprovision", "document_attachments_in_blob_storage",
                           "office_templates_in_blob_storage", "lcs_sql_credential_access"]
    assert {i: (f["handling"], f["status"]) for i, f in found.items()} == {
        "commerce_reprovision": ("handed_over", "required"),
        "document_attachments_in_blob_storage": ("checked", "fail"),
        "office_templates_in_blob_storage": ("checked", "fail"),
        "lcs_sql_credential_access": ("handed_over", "required"),
    }
    assert found["document_attachments_in_blob_storage"]["rows"] > 0
    for item in found.values():
        assert "microsoft-docs/" in item["source"] or "learn.microsoft.com" in item["source"], item
        assert item["source"].split(" ")[0] in summary
    assert "4 follow-ups required on 1 target" in summary


def test_a_refresh_without_sql_lists_the_follow_ups_and_says_which_it_could_not_check(runbooks, tmp_path):
    """refresh.yml without dataalm_sql_connection_string (refresh_without_sql's inventory): the clean-up and the
    follow-ups go through the application layer. Commerce is detected from its entities (inferred names), the
    LCS-credentials hand-over needs no data, attachments and templates (no entity) are listed as not checked."""
    data = yaml.safe_load(NO_SQL_INVENTORY.read_text())
    data["all"]["vars"]["molecule_token_cache"] = str(tmp_path / "token_cache.json")
    path = tmp_path / "no-sql-inventory.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    proc, report = runbooks("refresh.yml", "contoso-uat", inventory_path=path)
    assert proc.returncode == 0, proc.stdout[-4000:]
    host = report["hosts"]["contoso-uat"]
    assert host["status"] == "ok" and host["cleanup_steps"][0]["transport"] == "application"
    found = {item["id"]: item for item in host["followups"]}
    assert {i: (f["handling"], f["status"]) for i, f in found.items()} == {
        "commerce_reprovision": ("handed_over", "required"),
        "document_attachments_in_blob_storage": ("checked", "not_checked"),
        "office_templates_in_blob_storage": ("checked", "not_checked"),
        "lcs_sql_credential_access": ("handed_over", "required"),
    }
    assert "RetailChannels" in found["commerce_reprovision"]["detected_by"]
    assert "needs SQL" in found["office_templates_in_blob_storage"]["not_checked"]
    summary = (tmp_path / "reports" / ("run%d" % (runbooks.runs - 1)) / "summary.md").read_text()
    assert "### Follow-ups" in summary and "not checked: needs SQL" in summary
    assert "2 follow-ups required, 2 follow-ups not checked (no SQL) on 1 target" in summary
