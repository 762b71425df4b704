"""The pair part of the run report: each side of a linked pair (F&O through LCS, Dataverse through Power
Platform) with its operation id, state and instants, in report.json, summary.md and report.html."""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.plugin_utils import report_html, report_pairs

FACT = {"movement": "refresh", "source": "contoso-prod + Contoso Production", "target": "contoso-uat + Contoso UAT",
        "instant": None, "label": None, "quiesce": {"dual_write_maps_stopped": 2},
        "sides": {
            "finance_and_operations": {"state": "failed", "status": "Failed", "action": "started",
                                       "operation_id": "87dd2b7f", "type": None, "started_at": "2026-03-02T14:51:59Z",
                                       "completed_at": None, "message": "rolled back | by LCS"},
            "dataverse": {"state": "succeeded", "status": "Succeeded", "action": "started", "operation_id": "6cd00b91",
                          "started_at": "2026-03-02T14:52:25Z", "completed_at": "2026-03-02T15:52:25Z",
                          "message": "", "extra": "ignored"}}}


def _host():
    host = {}
    report_pairs.harvest(host, {"ansible_facts": {"linked_pair_report": FACT, "other": 1}})
    return host


def test_harvest_keeps_each_side_with_its_operation_state_and_instants():
    pair = _host()["pair"]
    assert pair["movement"] == "refresh" and pair["target"] == "contoso-uat + Contoso UAT"
    assert pair["sides"]["finance_and_operations"]["operation_id"] == "87dd2b7f"
    assert pair["sides"]["finance_and_operations"]["state"] == "failed"
    assert pair["sides"]["dataverse"]["completed_at"] == "2026-03-02T15:52:25Z"
    assert "extra" not in pair["sides"]["dataverse"] and "quiesce" not in pair


def test_harvest_ignores_results_without_the_fact_and_a_later_evaluation_wins():
    untouched = {}
    report_pairs.harvest(untouched, {"changed": True, "ansible_facts": {"linked_pair_report": "not a dict"}})
    report_pairs.harvest(untouched, {"ansible_facts": {"linked_pair_report": {"movement": "backup"}}})
    assert untouched == {}
    host = _host()
    later = dict(FACT, sides=dict(FACT["sides"], finance_and_operations=dict(
        FACT["sides"]["finance_and_operations"], state="succeeded")))
    report_pairs.harvest(host, {"ansible_facts": {"linked_pair_report": later}})
    assert host["pair"]["sides"]["finance_and_operations"]["state"] == "succeeded"


def test_markdown_has_one_row_per_side_and_nothing_for_a_target_that_is_no_pair():
    lines = report_pairs.markdown(_host())
    assert lines[0] == "### Pair"
    assert "refresh of contoso-uat + Contoso UAT from contoso-prod + Contoso Production." in lines
    fo = next(line for line in lines if line.startswith("| F&O (LCS)"))
    assert "| 87dd2b7f | failed | Failed | 2026-03-02T14:51:59Z | - | rolled back \\| by LCS |" in fo
    assert any(line.startswith("| Dataverse (Power Platform) | 6cd00b91 | succeeded") for line in lines)
    assert report_pairs.markdown({}) == [] and report_pairs.markdown({"pair": {"sides": {}}}) == []


def test_html_lists_each_side_and_the_page_carries_it():
    host = dict(_host(), status="failed", operations=[], verification=[], failures=[], findings=[], tasks=[])
    page = report_html.render_html({"run": {"playbook": "linked_refresh.yml", "started_at": "x", "duration_seconds": 1,
                                            "status": "failed"}, "hosts": {"contoso-uat": host}})
    assert '<li class="side failed">F&amp;O (LCS): <b>failed</b> <code>87dd2b7f</code>' in page
    assert "2026-03-02T14:52:25Z &rarr; 2026-03-02T15:52:25Z" in page
    assert report_pairs.html({}) == ""
