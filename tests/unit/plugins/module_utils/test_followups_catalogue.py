"""The follow-up catalogue: portable detection SQL, sources cited, applicability and status rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from ansible_collections.d365fo.dataalm.plugins.module_utils import followups
from sqlglot import exp

REPO = Path(__file__).resolve().parents[4]
REFERENCE = Path("/work/shared/reference")
FORBIDDEN = re.compile(r"\b(TOP|LIMIT|GETDATE|ISNULL|NVL|IFNULL|LEN|NOW)\b|\|\||\[|\"")
ALL_FEATURES = {"counts": {}, "features": dict.fromkeys(followups.FEATURES, True)}
NO_FEATURES = {"counts": {}, "features": dict.fromkeys(followups.FEATURES, False)}


@pytest.mark.parametrize("sql", followups.all_statements())
def test_detection_sql_parses_as_tsql_and_is_portable(sql):
    tree = sqlglot.parse_one(sql, read="tsql")
    assert isinstance(tree, exp.Select)
    assert not FORBIDDEN.search(sql), sql
    for ident in tree.find_all(exp.Identifier):
        assert ident.name == ident.name.upper() and not ident.quoted, sql
    assert sql.startswith("SELECT COUNT(")  # set-based counts only


def test_every_entry_cites_a_source_and_is_complete():
    for entry in followups.CATALOGUE:
        assert entry.handling in followups.HANDLINGS
        assert "microsoft-docs/" in entry.source or "learn.microsoft.com" in entry.source, entry.id
        page = re.search(r"microsoft-docs/[\w-]+\.md", entry.source)
        if page and REFERENCE.exists():
            assert (REFERENCE / page.group(0)).is_file(), entry.id
        assert entry.instruction and entry.reason
        if entry.handling == "handed_over":
            assert " > " in entry.screen_path, entry.id
        if entry.handling in ("automated", "checked"):
            probes = {name for probes in followups.FEATURE_PROBES.values() for name in probes}
            assert entry.check and set(entry.check) <= probes, entry.id
        if entry.handling == "automated":
            assert entry.automation


def test_the_issue_s_follow_ups_are_in_the_catalogue():
    assert {"financial_reporting_data_mart_reset", "commerce_reprovision", "document_attachments_in_blob_storage",
            "office_templates_in_blob_storage", "lcs_sql_credential_access"} <= set(followups.FOLLOW_UPS)


def _ids(found):
    return [item["id"] for item in found]


def test_pitr_from_production_with_every_feature():
    found = followups.evaluate("point_in_time_restore", "Production", "Sandbox", ALL_FEATURES)
    assert _ids(found) == ["financial_reporting_data_mart_reset", "commerce_reprovision",
                           "document_attachments_in_blob_storage", "office_templates_in_blob_storage",
                           "lcs_sql_credential_access"]


def test_refresh_does_not_reset_the_data_mart_and_sandbox_source_creates_no_credential_follow_up():
    found = followups.evaluate("refresh", "Sandbox", "Sandbox", ALL_FEATURES)
    assert "financial_reporting_data_mart_reset" not in _ids(found)
    assert "lcs_sql_credential_access" not in _ids(found)


def test_nothing_without_features_from_a_sandbox_source():
    assert followups.evaluate("point_in_time_restore", "Sandbox", "Sandbox", NO_FEATURES) == []
    assert _ids(followups.evaluate("refresh", "Production", "Sandbox", NO_FEATURES)) == ["lcs_sql_credential_access"]


def test_checked_entry_fails_with_rows_and_passes_without():
    counts = {"azure_attachments": 3, "azure_deleted_attachments": 1, "office_templates": 0}
    features = dict(NO_FEATURES["features"], azure_attachments=True, office_templates=True)
    detection = {"counts": counts, "features": features}
    found = {i["id"]: i for i in followups.evaluate("refresh", "Sandbox", "Sandbox", detection)}
    attachments = found["document_attachments_in_blob_storage"]
    assert (attachments["status"], attachments["rows"]) == ("fail", 4)
    assert found["office_templates_in_blob_storage"]["status"] == "pass"


def test_automated_entry_is_required_then_done_and_stays_listed():
    pending = {"counts": {"azure_attachments": 5}, "features": dict(NO_FEATURES["features"], azure_attachments=True)}
    done = {"counts": {"azure_attachments": 0}, "features": NO_FEATURES["features"]}
    before = followups.evaluate("post_restore_only", "Sandbox", "DevTestDev", pending)
    after = followups.evaluate("post_restore_only", "Sandbox", "DevTestDev", done)
    entry = "document_attachments_database_provider"
    assert [(i["id"], i["status"], i["rows"]) for i in before] == [(entry, "required", 5)]
    assert [(i["id"], i["status"], i["rows"]) for i in after] == [(entry, "done", 0)]


def test_summary_lists_required_and_failed():
    found = followups.evaluate("point_in_time_restore", "Production", "Sandbox",
                               {"counts": {"office_templates": 0}, "features": ALL_FEATURES["features"]})
    summary = followups.summary(found)
    assert "office_templates_in_blob_storage" not in summary["required"]
    assert "commerce_reprovision" in summary["required"]
    assert summary["counts"]["pass"] == 2  # attachments and templates: no rows


def test_plan_names_what_the_movement_can_create():
    planned = followups.plan("point_in_time_restore", "Production", "Sandbox")
    assert {"financial_reporting_data_mart_reset", "commerce_reprovision"} <= set(_ids(planned))
    assert all("status" not in item for item in planned)
    assert followups.plan("export", "Sandbox", "Sandbox") == []


def test_runbooks_doc_lists_every_entry_with_its_source():
    text = (REPO / "docs" / "runbooks.md").read_text(encoding="utf-8")
    for entry in followups.CATALOGUE:
        assert "`%s`" % entry.id in text, entry.id


def test_followups_world_declares_databases_with_and_without_features():
    import yaml

    from emulator.world import WorldError, load_world, parse_world

    world = load_world(REPO / "tests" / "worlds" / "followups.yml")
    features = {env.name: env.database.features for project in world.projects for env in project.environments}
    assert features["contoso-prod"] == tuple(followups.FEATURES)
    assert features["contoso-test"] == ()
    raw = yaml.safe_load((REPO / "tests" / "worlds" / "followups.yml").read_text(encoding="utf-8"))
    raw["projects"][0]["environments"][0]["database"]["features"] = ["loyalty"]
    with pytest.raises(WorldError, match="unknown features"):
        parse_world(raw)


def test_preflight_lists_the_follow_ups_the_movement_will_create():
    from ansible_collections.d365fo.dataalm.plugins.module_utils import preflight

    source = {"name": "prod", "type": "Production"}
    target = {"name": "uat", "type": "Sandbox"}
    findings = preflight.evaluate("point_in_time_restore", source, target, plan_followups=True,
                                  point_in_time="2026-01-01T00:00:00+00:00", now="2026-01-02T00:00:00+00:00")
    (planned,) = [f for f in findings if f["id"] == "followups_planned"]
    assert planned["severity"] == "info"
    for entry in ("financial_reporting_data_mart_reset (if financial reporting is in use)", "commerce_reprovision",
                  "document_attachments_in_blob_storage", "lcs_sql_credential_access"):
        assert entry in planned["message"]
    refresh = preflight.evaluate("refresh", dict(source, type="Sandbox"), target, plan_followups=True,
                                 now="2026-01-02T00:00:00+00:00")
    planned = next(f for f in refresh if f["id"] == "followups_planned")["message"]
    assert "financial_reporting_data_mart_reset" not in planned and "lcs_sql_credential_access" not in planned
    export = preflight.evaluate("export", source, target, plan_followups=True, now="2026-01-02T00:00:00+00:00")
    assert not any(f["id"] == "followups_planned" for f in export)


@pytest.mark.parametrize("transport, named, not_named", [
    # facts counted over SQL: the run has SQL access, fo_followup_info reads the follow-ups
    ({"sql": {"recurring_jobs_active": 0, "hold_planned": False}}, ["over SQL with fo_followup_info"],
     ["fo_app_followup_info"]),
    # the run's F&O identity was read: it works through the application layer, without SQL
    ({"identity": {"movement": "lcs_refresh", "dbmovementapi_survives_refresh": False, "source": {},
                   "target": {"signed_in": True, "mapped_user": "Admin", "identity": {"kind": "application"},
                              "users": [{"user_id": "Admin", "enabled": True}], "data_projects": []}}},
     ["through the application layer with fo_app_followup_info", "not checked"], ["fo_followup_info", "over SQL"]),
    # neither: the transport is not known to the rules, so both are named
    ({}, ["fo_followup_info reads them when the run has SQL access",
          "fo_app_followup_info through the application layer otherwise"], []),
])
def test_the_planned_follow_ups_name_the_module_that_reads_them_over_the_run_transport(transport, named, not_named):
    from ansible_collections.d365fo.dataalm.plugins.module_utils import preflight

    findings = preflight.evaluate("refresh", {"name": "prod", "type": "Production"}, {"name": "uat", "type": "Sandbox"},
                                  plan_followups=True, now="2026-01-02T00:00:00+00:00", **transport)
    (planned,) = [f for f in findings if f["id"] == "followups_planned"]
    for text in named:
        assert text in planned["remedy"], planned["remedy"]
    for text in not_named:
        assert text not in planned["remedy"], planned["remedy"]


def test_without_sql_entity_detection_lists_what_applies_and_marks_the_rest_not_checked():
    """fo_app_followup_info's detection: Commerce found through its entities, Financial Reporting's user absent,
    attachments and templates (no entity) listed as not checked with the reason, never dropped."""
    detection = followups.application_detection(
        {"commerce_channels": True, "commerce_hardware_profiles": False, "financial_reporting_service_user": False},
        {})
    assert detection["features"] == {"commerce": True, "financial_reporting": False, "azure_attachments": None,
                                     "office_templates": None}
    found = {item["id"]: item for item in followups.evaluate("point_in_time_restore", "Production", "Sandbox",
                                                             detection)}
    assert {i: item["status"] for i, item in found.items()} == {
        "commerce_reprovision": "required", "document_attachments_in_blob_storage": "not_checked",
        "office_templates_in_blob_storage": "not_checked", "lcs_sql_credential_access": "required"}
    assert "RetailChannels" in found["commerce_reprovision"]["detected_by"]
    assert "INFERRED" in found["commerce_reprovision"]["detected_by"]
    assert "DOCUTEMPLATE" in found["office_templates_in_blob_storage"]["not_checked"]
    assert followups.summary(list(found.values()))["not_checked"] == [
        "document_attachments_in_blob_storage", "office_templates_in_blob_storage"]


def test_without_sql_an_unreadable_entity_leaves_its_feature_not_checked_and_tier1_automation_is_not_done():
    detection = followups.application_detection({"financial_reporting_service_user": True},
                                                {"commerce": "reading RetailChannels failed (HTTP 403)"})
    found = {item["id"]: item for item in followups.evaluate("point_in_time_restore", "Production", "Sandbox",
                                                             detection)}
    assert found["financial_reporting_data_mart_reset"]["status"] == "required"
    assert found["commerce_reprovision"]["status"] == "not_checked"
    assert "HTTP 403" in found["commerce_reprovision"]["not_checked"]
    # an automated entry whose rows nobody counted is not claimed as done
    tier1 = followups.evaluate("post_restore_only", "Sandbox", "DevTestDev", detection)
    assert [(item["id"], item["status"]) for item in tier1] == [
        ("document_attachments_database_provider", "not_checked")]
