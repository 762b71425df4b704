"""The run report callback: redaction, rendering, and a real ansible-playbook run writing all three files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from ansible.module_utils import _internal

from devtools.ansible_runner import run_playbook, write_playbook

# Importing controller code marks the whole pytest process as "controller", which changes how module
# tests collected alongside see warnings; keep the flag as it was for everyone else.
_WAS_CONTROLLER = _internal.is_controller
from ansible_collections.d365fo.dataalm.plugins.callback import report  # noqa: E402

_internal.is_controller = _WAS_CONTROLLER

SECRETS = {
    "password": "Emu-Passw0rd!",
    "client_secret": "emu-app-secret",
    "sas_sig": "c2VjcmV0LXNpZ25hdHVyZQ%3D%3D",
    "jwt": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkYXRhYWxtIn0.c2lnbmF0dXJlLXBhcnQ",
    "odbc_pwd": "Od8c-Secret-42",
}


def leaky_result():
    """A task result that carries secrets in every shape a careless module could produce."""
    return {
        "changed": True,
        "operation_id": "55eb4327-0000-4000-8000-000000000001",
        "password": SECRETS["password"],
        "nested": {"client_secret": SECRETS["client_secret"], "keep": "visible"},
        "msg": "download https://blob.example/x.bacpac?sv=2021&se=2026&sig=%s done" % SECRETS["sas_sig"],
        "headers": ["Authorization: Bearer %s" % SECRETS["jwt"]],
        "connection_string_used": "Server=db;Uid=sa;Pwd=%s;Database=AxDB" % SECRETS["odbc_pwd"],
        "detail": "DRIVER={x};PWD=%s;" % SECRETS["odbc_pwd"],
        "raw_token": SECRETS["jwt"],
        "text": "client_secret=%s and password: %s" % (SECRETS["client_secret"], SECRETS["password"]),
        "invocation": {"module_args": {"password": SECRETS["password"]}},
        "disaster_recovery_location": "West US",
        "token_type": "Bearer",
    }


def test_redact_removes_every_secret_shape():
    cleaned = json.dumps(report.redact(leaky_result()))
    for secret in SECRETS.values():
        assert secret not in cleaned, secret
    assert "visible" in cleaned
    assert "55eb4327-0000-4000-8000-000000000001" in cleaned
    assert "invocation" not in cleaned


def test_redact_keeps_non_secret_keys_that_look_similar():
    cleaned = report.redact({"disaster_recovery_location": "West US", "token_type": "Bearer", "passed": True,
                             "status": "Completed", "tokens": 3})
    assert cleaned == {"disaster_recovery_location": "West US", "token_type": "Bearer", "passed": True,
                       "status": "Completed", "tokens": 3}


def test_redact_masks_empty_secret_keys_only_when_set():
    assert report.redact({"password": "", "client_secret": None}) == {}
    assert report.redact({"password": "x"}) == {"password": report.REDACTED}


def sample_report():
    return {
        "run": {"playbook": "refresh.yml", "started_at": "2026-03-10T12:00:00+00:00", "duration_seconds": 12.5,
                "status": "failed"},
        "hosts": {
            "contoso-uat": {
                "status": "failed",
                "findings": [{"id": "region_unknown", "severity": "warning", "message": "m", "remedy": "r"},
                             {"id": "target_busy", "severity": "blocking", "message": "busy", "remedy": "wait"}],
                "operations": [{"task": "Refresh", "operation_id": "op-1", "status": "Completed",
                                "action": "started", "duration_seconds": 0}],
                "cleanup_steps": [{"name": "hold_batch_jobs", "rows": 4, "changed": True},
                                  {"name": "blank_email", "rows": 7, "changed": True}],
                "restored": [{"item": "smtp", "rows": 1}],
                "verification": [{"name": "no_foreign_users", "passed": True, "detail": "0 users"},
                                 {"name": "smtp_relay", "passed": False, "detail": "relay is prod | smtp"}],
                "failures": [{"task": "Verify", "action": "ansible.builtin.assert", "cause": "smtp relay <wrong>"}],
                "tasks": [{"name": "Refresh", "status": "ok", "duration_seconds": 1.5},
                          {"name": "Verify", "status": "failed", "duration_seconds": 0.1},
                          {"name": "Skipped", "status": "skipped", "duration_seconds": None}],
            },
        },
    }


def test_markdown_summary_has_every_section():
    text = report.render_markdown(sample_report())
    assert "| contoso-uat | failed | op-1 | Completed | 0 | 11 | 1/2 passed |" in text
    for heading in ("Preflight findings", "Operations", "Clean-up steps", "Configuration restored", "Verification",
                    "Failures"):
        assert "### %s" % heading in text
    assert "relay is prod \\| smtp" in text  # pipes escaped so the table stays a table


def test_junit_counts_tasks_checks_and_blocking_findings():
    root = ET.fromstring(report.render_junit(sample_report()))
    suite = root.find("testsuite")
    names = [case.get("name") for case in suite.findall("testcase")]
    assert names == ["Refresh", "Verify", "Skipped", "verify: no_foreign_users", "verify: smtp_relay",
                     "preflight: target_busy"]
    assert suite.get("failures") == "3" and root.get("failures") == "3" and root.get("tests") == "6"
    failed = {case.get("name"): case.find("failure").get("message") for case in suite.findall("testcase")
              if case.find("failure") is not None}
    assert failed["Verify"] == "smtp relay <wrong>"
    assert suite.findall("testcase")[2].find("skipped") is not None


@pytest.fixture
def report_run(tmp_path):
    """Run a real playbook through the callback; tasks emit the agreed keys and a few secrets."""
    tasks = [
        {"name": "Preflight result", "ansible.builtin.set_fact": {
            "preflight_findings": [{"id": "region_unknown", "severity": "warning", "message": "m", "remedy": "r"}]}},
        {"name": "Movement result", "ansible.builtin.debug": {"msg": "moved"}, "register": "moved"},
        {"name": "Operation with a leaky result", "ansible.builtin.set_fact": {
            "leak": "{{ {'x': 1} }}"}},
        {"name": "Emit operation keys", "ansible.builtin.debug": {
            "msg": "sas https://blob/x?sv=1&sig=%s" % SECRETS["sas_sig"]}},
        {"name": "Clean-up steps", "ansible.builtin.set_fact": {
            "post_restore_verification": [{"name": "no_foreign_users", "passed": True, "detail": "0"}]}},
        {"name": "Command that prints a password", "ansible.builtin.command": {
            "cmd": "echo Pwd=%s;" % SECRETS["odbc_pwd"]}, "changed_when": False},
        {"name": "Fails with a cause", "ansible.builtin.fail": {
            "msg": "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkYXRhYWxtIn0.c2lnbmF0dXJlLXBhcnQ rejected"}},
    ]
    playbook = write_playbook(tmp_path, tasks)
    out = tmp_path / "reports"
    proc = run_playbook(playbook, env={
        "ANSIBLE_CALLBACKS_ENABLED": "d365fo.dataalm.report",
        "DATAALM_REPORT_DIR": str(out),
        "DATAALM_REPORT_RUN_NAME": "run1",
    })
    return proc, out / "run1"


def test_real_run_writes_json_markdown_and_junit_without_secrets(report_run):
    proc, directory = report_run
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "d365fo.dataalm report: %s" % directory in proc.stdout
    data = json.loads((directory / "report.json").read_text())
    host = data["hosts"]["localhost"]
    assert data["run"]["status"] == "failed" and data["run"]["playbook"] == "playbook.yml"
    assert host["findings"][0]["id"] == "region_unknown"
    assert host["verification"] == [{"name": "no_foreign_users", "passed": True, "detail": "0"}]
    assert [f["task"] for f in host["failures"]] == ["Fails with a cause"]
    assert "rejected" in host["failures"][0]["cause"]
    assert [t["name"] for t in host["tasks"]][-1] == "Fails with a cause"
    ET.fromstring((directory / "junit.xml").read_text())
    assert "## localhost" in (directory / "summary.md").read_text()
    for path in directory.iterdir():
        text = path.read_text()
        for secret in SECRETS.values():
            assert secret not in text, (path.name, secret)


class _Host:
    def get_name(self):
        return "contoso-uat"


class _Task:
    def __init__(self, name, check_mode=None):
        self._uuid = name
        self.action = "d365fo.dataalm.lcs_database_refresh"
        self.resolved_action = self.action
        self.check_mode = check_mode
        self._name = name

    def get_name(self):
        return self._name


class _Result:
    def __init__(self, task, result):
        self.task = task
        self._host = _Host()
        self.result = result


def test_check_mode_probe_is_a_plan_not_an_operation():
    callback = report.CallbackModule()
    joined = {"changed": False, "operation_id": "op-1", "action": "joined", "status": "InProgress"}
    callback.v2_runner_on_ok(_Result(_Task("probe", check_mode=True), dict(joined)))
    callback.v2_runner_on_ok(_Result(_Task("refresh"), dict(joined, status="Completed")))
    host = callback.report()["hosts"]["contoso-uat"]
    assert [o["task"] for o in host["operations"]] == ["refresh"]
    assert [p["task"] for p in host["plans"]] == ["probe"]


def _report(hosts, mode="run", errors=()):
    return {"mode": mode, "errors": list(errors), "hosts": hosts,
            "run": {"playbook": "refresh.yml", "started_at": "t", "duration_seconds": 1, "status": "ok"}}


def test_markdown_prints_no_heading_without_content():
    # Issue 9 item 15: a host that only ran tasks got a "## host" heading with nothing under it.
    host = report._new_host()
    markdown = report.render_markdown(_report({"contoso-uat": host}))
    assert "## contoso-uat" not in markdown
    assert "###" not in markdown
    host["verification"] = [{"name": "no_real_email_address", "passed": True, "detail": "0"}]
    markdown = report.render_markdown(_report({"contoso-uat": host}))
    assert "## contoso-uat" in markdown and "### Verification" in markdown and "### Failures" not in markdown


def test_a_preview_says_so_and_what_would_happen():
    # Issue 9 item 11: a check-mode report must not look like a real run.
    host = report._new_host()
    host["operations"] = [{"task": "Refresh", "action": "would start", "operation_id": None}]
    host["cleanup_steps"] = [{"name": "disable_users", "rows": 9, "changed": True}]
    markdown = report.render_markdown(_report({"contoso-uat": host}, mode="preview"))
    assert markdown.startswith("# Database movement preview (check mode): nothing was changed")
    assert "would start" in markdown and "rows that would change" in markdown


def test_a_run_without_any_target_fails_in_every_format():
    # Issue 9 item 10: a host pattern that matched nothing reported OK with an empty JUnit file.
    callback = report.CallbackModule()
    callback.v2_playbook_on_no_hosts_matched()
    data = callback.report()
    assert data["run"]["status"] == "failed" and data["errors"]
    junit = ET.fromstring(report.render_junit(data))
    assert junit.get("failures") == "1"
    assert "matched no host" in report.render_markdown(data)


def test_clean_up_steps_show_their_transport_and_the_steps_that_need_sql_once():
    # Issue 15: the transport per step, and why the others could not run without SQL (listed once, although the
    # clean-up and its verification both return them).
    callback = report.CallbackModule()
    not_run = [{"name": "email_addresses", "transports": ["sql"], "reason": "No data entity | set."}]
    callback.v2_runner_on_ok(_Result(_Task("clean"), {"changed": True, "not_run": not_run, "steps": [
        {"name": "disable_users", "transport": "application", "rows": 3, "changed": True}]}))
    callback.v2_runner_on_ok(_Result(_Task("verify"), {"changed": False, "not_run": not_run}))
    host = callback.report()["hosts"]["contoso-uat"]
    assert [s["name"] for s in host["not_run"]] == ["email_addresses"]
    markdown = report.render_markdown(_report({"contoso-uat": host}))
    assert "| disable_users | application | 3 | True |" in markdown
    assert "### Steps that could not run without SQL" in markdown
    assert "`email_addresses`: No data entity \\| set." in markdown
    host["cleanup_steps"] = [{"name": "smtp", "rows": 1, "changed": True}]  # fo_database_cleanup before issue 15
    assert "| smtp | sql | 1 | True |" in report.render_markdown(_report({"contoso-uat": host}))


def test_a_pair_run_reports_each_side_with_its_operation_state_and_instants():
    # hook (issue 16): the linked_pair role's fact becomes the per-side "pair" section of report.json and summary.md
    callback = report.CallbackModule()
    side = {"state": "succeeded", "status": "Succeeded", "action": "started", "operation_id": "op-fo",
            "started_at": "2026-03-02T14:51:59Z", "completed_at": "2026-03-02T16:52:45Z", "message": ""}
    fact = {"movement": "refresh", "source": "prod", "target": "uat", "instant": None, "label": None,
            "sides": {"finance_and_operations": side,
                      "dataverse": dict(side, operation_id="op-dv", state="failed", completed_at=None)}}
    callback.v2_runner_on_ok(_Result(_Task("Summarise each side"), {"ansible_facts": {"linked_pair_report": fact}}))
    built = callback.report()
    sides = built["hosts"]["contoso-uat"]["pair"]["sides"]
    assert sides["finance_and_operations"]["operation_id"] == "op-fo"
    assert sides["dataverse"] == dict(side, operation_id="op-dv", state="failed", completed_at=None, type=None)
    markdown = report.render_markdown(built)
    assert "### Pair" in markdown and "| Dataverse (Power Platform) | op-dv | failed | Succeeded |" in markdown
