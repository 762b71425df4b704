"""fo_followup_info through the real ansible-playbook and psqlODBC on databases seeded with and without
Commerce, Financial Reporting, Azure-stored attachments and Office templates (emulator.fodb features)."""

from __future__ import annotations

import pytest

from tests.integration.fo_support import assert_task, new_db, play, sql_task

EVERYTHING = ("commerce", "financial_reporting", "azure_attachments", "office_templates")
PITR = {"movement_kind": "point_in_time_restore", "source_type": "Production", "target_type": "Sandbox"}
BAD_KIND = {"movement_kind": "import", "source_type": "Production", "target_type": "Sandbox"}


def ok(proc):
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]


def _info(tmp_path, conn_str, **args):
    proc, results = play(tmp_path, [sql_task("fo_followup_info", conn_str, register="r_info", **dict(PITR, **args))])
    ok(proc)
    return results["r_info"]


@pytest.mark.parametrize("features, expected", [
    (EVERYTHING, ["financial_reporting_data_mart_reset", "commerce_reprovision",
                  "document_attachments_in_blob_storage", "office_templates_in_blob_storage",
                  "lcs_sql_credential_access"]),
    (("commerce",), ["commerce_reprovision", "lcs_sql_credential_access"]),
    (("financial_reporting", "azure_attachments"), ["financial_reporting_data_mart_reset",
                                                    "document_attachments_in_blob_storage",
                                                    "lcs_sql_credential_access"]),
    ((), ["lcs_sql_credential_access"]),
])
def test_report_lists_exactly_the_follow_ups_that_apply(pg_server, tmp_path, features, expected):
    conn_str = new_db(pg_server, "fu_" + ("_".join(f[:3] for f in features) or "none"), features=features)
    info = _info(tmp_path, conn_str)
    assert info["changed"] is False
    assert [item["id"] for item in info["followups"]] == expected
    for item in info["followups"]:
        assert item["source"] and ("microsoft-docs/" in item["source"] or "learn.microsoft.com" in item["source"])


def test_world_without_features_lists_nothing_for_a_sandbox_source(pg_server, tmp_path):
    conn_str = new_db(pg_server, "fu_plain", features=())
    info = _info(tmp_path, conn_str, source_type="Sandbox")
    assert info["followups"] == []
    assert not any(info["detection"]["features"].values())
    assert info["summary"]["required"] == []


def test_attachment_check_fails_with_the_count_of_azure_rows(pg_server, tmp_path):
    conn_str = new_db(pg_server, "fu_att", features=("azure_attachments",))
    info = _info(tmp_path, conn_str, movement_kind="refresh", source_type="Sandbox")
    (check,) = info["followups"]
    # scale 1: 20 DOCUVALUE rows, every 4th in the database -> 15 in Azure, + 1 DOCUDELETEDVALUE row
    assert (check["id"], check["handling"], check["status"], check["rows"]) == (
        "document_attachments_in_blob_storage", "checked", "fail", 16)
    assert info["summary"]["required"] == ["document_attachments_in_blob_storage"]


def test_automated_tier1_follow_up_check_run_check_run(pg_server, tmp_path):
    """check (required, 15 DOCUVALUE rows) -> the named automation -> check (done) -> automation again (no change)."""
    conn_str = new_db(pg_server, "fu_tier1", features=("azure_attachments",))
    info_args = dict(movement_kind="post_restore_only", source_type="Sandbox", target_type="DevTestDev")
    cleanup_args = dict(steps=["document_storage_provider"], environment_type="DevTestDev")
    proc, results = play(tmp_path, [
        sql_task("fo_followup_info", conn_str, register="r_check1", **info_args),
        sql_task("fo_database_cleanup", conn_str, register="r_run1", **cleanup_args),
        sql_task("fo_followup_info", conn_str, register="r_check2", **info_args),
        sql_task("fo_database_cleanup", conn_str, register="r_run2", **cleanup_args),
        assert_task(["r_run1 is changed", "r_run2 is not changed"], "the automation is idempotent"),
    ])
    ok(proc)
    first, second = results["r_check1"]["followups"], results["r_check2"]["followups"]
    assert [(i["id"], i["status"], i["rows"]) for i in first] == [
        ("document_attachments_database_provider", "required", 15)]
    assert "fo_database_cleanup" in first[0]["automation"]
    assert [(i["id"], i["status"], i["rows"]) for i in second] == [
        ("document_attachments_database_provider", "done", 0)]


def test_check_mode_and_bad_input(pg_server, tmp_path):
    conn_str = new_db(pg_server, "fu_bad", features=())
    proc, results = play(tmp_path, [
        sql_task("fo_followup_info", conn_str, register="r_check", check_mode=True, **PITR),
        sql_task("fo_followup_info", conn_str, register="r_bad", ignore_errors=True, **BAD_KIND),
    ])
    ok(proc)
    assert results["r_check"]["followups"][0]["id"] == "lcs_sql_credential_access"
    assert results["r_bad"]["failed"] and "movement_kind" in results["r_bad"]["msg"]


def test_run_report_shows_follow_ups_run_stays_successful(pg_server, tmp_path):
    """Real ansible-playbook with the report callback: Follow-ups section per target, the summary line says
    follow-ups are required, JUnit carries each required one as a skipped test with its instruction."""
    import json
    import xml.etree.ElementTree as ET

    from devtools.ansible_runner import run_playbook, write_playbook

    conn_str = new_db(pg_server, "fu_report", features=("commerce", "financial_reporting"))
    publish = {"post_restore_followups_found": "{{ r_info.followups }}"}
    tasks = [sql_task("fo_followup_info", conn_str, register="r_info", **PITR),
             {"name": "Publish", "ansible.builtin.set_fact": publish}]
    out = tmp_path / "reports"
    proc = run_playbook(write_playbook(tmp_path, tasks), env={
        "ANSIBLE_CALLBACKS_ENABLED": "d365fo.dataalm.report", "DATAALM_REPORT_DIR": str(out),
        "DATAALM_REPORT_RUN_NAME": "run1"})
    ok(proc)
    directory = out / "run1"
    report = json.loads((directory / "report.json").read_text())
    assert report["run"]["status"] == "ok"
    assert [item["id"] for item in report["hosts"]["localhost"]["followups"]] == [
        "financial_reporting_data_mart_reset", "commerce_reprovision", "lcs_sql_credential_access"]
    summary = (directory / "summary.md").read_text()
    assert "result **OK**. 3 follow-ups required on 1 target" in summary
    assert "### Follow-ups" in summary and "Reset Data Mart" in summary
    assert "restore-database-non-production.md" in summary
    cases = {case.get("name"): case for case in ET.parse(directory / "junit.xml").iter("testcase")}
    skipped = cases["follow-up: commerce_reprovision"].find("skipped")
    assert skipped is not None and "Environment reprovisioning tool" in skipped.get("message")
    assert ET.parse(directory / "junit.xml").getroot().get("failures") == "0"
