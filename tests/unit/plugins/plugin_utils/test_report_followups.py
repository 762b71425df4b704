"""The follow-ups part of the run report: harvesting, Markdown section, JUnit cases, summary note."""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.module_utils import followups
from ansible_collections.d365fo.dataalm.plugins.plugin_utils import report_followups

DETECTION = {"counts": {"azure_attachments": 15, "azure_deleted_attachments": 1, "office_templates": 0},
             "features": dict.fromkeys(followups.FEATURES, True)}


def _host():
    host = {}
    found = followups.evaluate("point_in_time_restore", "Production", "Sandbox", DETECTION)
    report_followups.harvest(host, {"followups": found})
    return host


def test_harvest_takes_module_results_and_the_role_fact():
    host = _host()
    assert len(host["followups"]) == 5
    report_followups.harvest(host, {"ansible_facts": {"post_restore_followups_found": []}})
    assert host["followups"] == []
    untouched = {}
    report_followups.harvest(untouched, {"changed": False, "steps": []})
    assert "followups" not in untouched


def test_markdown_lists_each_follow_up_with_state_instruction_and_source():
    text = "\n".join(report_followups.markdown(_host()))
    assert text.startswith("### Follow-ups")
    assert "`commerce_reprovision`" in text and "**REQUIRED**" in text
    assert "check FAILED (16 rows)" in text and "check passed (0 rows)" in text
    assert "Report designer > Tools > Reset Data Mart" in text
    assert "point-in-time-restore-production-to-sandbox.md" in text
    assert report_followups.markdown({}) == []


def test_junit_required_and_failed_checks_are_skipped_with_the_instruction():
    cases = {case[0]: case[2] for case in report_followups.junit_cases(_host())}
    assert cases["follow-up: office_templates_in_blob_storage"] == ""
    assert cases["follow-up: commerce_reprovision"].startswith("<skipped message=")
    assert "Environment reprovisioning tool" in cases["follow-up: commerce_reprovision"]
    assert "Check failed (16 rows)" in cases["follow-up: document_attachments_in_blob_storage"]
    assert not any("<failure" in body for body in cases.values())


def test_summary_note_counts_required_follow_ups_per_target():
    report = {"hosts": {"uat": _host(), "test": {"followups": []}}}
    assert report_followups.summary_note(report) == " 4 follow-ups required on 1 target (see Follow-ups)."
    assert report_followups.summary_note({"hosts": {"test": {}}}) == ""


def test_another_role_s_followups_fact_is_read_too():
    # hook (issue 17): linked_after_move publishes linked_after_move_followups_found (post_restore's included)
    host = {}
    report_followups.harvest(host, {"ansible_facts": {"linked_after_move_followups_found": [
        {"id": "linked_dualwrite_reset", "status": "required"}]}})
    assert [item["id"] for item in host["followups"]] == ["linked_dualwrite_reset"]


def test_not_checked_follow_ups_are_shown_with_the_reason_in_markdown_junit_and_summary():
    detection = followups.application_detection({"commerce_channels": False}, {})
    host = {}
    report_followups.harvest(host, {"followups": followups.evaluate("refresh", "Production", "Sandbox", detection)})
    text = "\n".join(report_followups.markdown(host))
    assert "not checked: needs SQL (fo_followup_info): no data entity exposes DOCUTEMPLATE" in text
    cases = {case[0]: case[2] for case in report_followups.junit_cases(host)}
    assert cases["follow-up: office_templates_in_blob_storage"].startswith("<skipped message=\"Not checked (")
    assert report_followups.summary_note({"hosts": {"uat": host}}) == (
        " 1 follow-up required, 2 follow-ups not checked (no SQL) on 1 target (see Follow-ups).")
