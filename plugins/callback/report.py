# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: report
type: aggregate
short_description: Write a run report (JSON, Markdown, JUnit XML) for database movement runbooks
version_added: 1.0.0
description:
  - Collects, per target host, the preflight findings, the operation id, status and duration, every
    clean-up step with its row counts, the configuration restored, the verification results and every
    failure with its cause, from the result keys the collection's modules return
    (C(findings), C(operation_id), C(status), C(state), C(action), C(duration_seconds), C(steps),
    C(restored), C(verification)).
  - At the end of the run it writes C(report.json), C(summary.md), C(junit.xml) and C(report.html) into a
    new directory under O(output_dir) and prints where they are.
  - C(report.html) is one self-contained page (no external script, style or font) with a row per target, a
    timeline of its phases (preflight, movement, wait, clean-up, verification) drawn to scale, the operation
    ids, findings and failed checks highlighted; a check-mode run is marked as a preview.
  - Secrets are removed defensively even when a task result carries one. Keys that name credentials
    are dropped, and passwords in ODBC strings, SAS signatures, bearer tokens and JWTs in any value are
    replaced with C(********).
  - Enable it with C(callbacks_enabled = d365fo.dataalm.report) in C(ansible.cfg) or
    C(ANSIBLE_CALLBACKS_ENABLED=d365fo.dataalm.report).
requirements:
  - enabled through C(callbacks_enabled)
options:
  output_dir:
    description: Directory under which each run writes its report directory.
    type: path
    default: ./dataalm-reports
    env:
      - name: DATAALM_REPORT_DIR
    ini:
      - section: callback_d365fo_dataalm_report
        key: output_dir
  run_name:
    description:
      - Name of the run's directory. Defaults to the UTC start time and the playbook's name.
      - Set it in pipelines to find the report at a fixed path.
    type: str
    env:
      - name: DATAALM_REPORT_RUN_NAME
    ini:
      - section: callback_d365fo_dataalm_report
        key: run_name
"""

import json
import os
import time
from datetime import datetime, timezone
from xml.sax.saxutils import quoteattr

from ansible import context
from ansible.plugins.callback import CallbackBase
from ansible_collections.d365fo.dataalm.plugins.module_utils._redact import REDACTED, redact  # noqa: F401 pylint: disable=unused-import
from ansible_collections.d365fo.dataalm.plugins.plugin_utils import report_followups, report_pairs
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.report_html import render_html, task_phase

# Result keys the collection's modules agree to return (common brief: callback contract).
OPERATION_KEYS = ("operation_id", "status", "state", "action", "duration_seconds", "started_at", "completed_at")
FACT_SUFFIXES = ("_findings", "_verification")
# In a check-mode run (a preview) the modules' actions say what a real run would do.
PREVIEW_ACTIONS = {"started": "would start", "joined": "would join", "none": "nothing to do"}
# Tasks of the runbooks' own guards (for example "the host pattern matches no target"): not a target.
GUARD_TAG = "dataalm_guard"


def _utcnow():
    return datetime.now(timezone.utc)


def _new_host():
    return {
        "status": "ok",
        "findings": [],
        "plans": [],
        "operations": [],
        "cleanup_steps": [],
        "restored": [],
        "verification": [],
        "not_run": [],
        "failures": [],
        "tasks": [],
    }


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "d365fo.dataalm.report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display=display)
        self.started = _utcnow()
        self._started_monotonic = time.monotonic()
        self.playbook = None
        self.hosts = {}
        self.errors = []
        self.preview = False
        self._task_started = {}

    # ---------------------------------------------------------------- events

    def v2_playbook_on_start(self, playbook):
        self.playbook = os.path.basename(getattr(playbook, "_file_name", "") or "playbook")
        self.preview = bool(context.CLIARGS.get("check", False))

    def v2_playbook_on_no_hosts_matched(self):
        self.errors.append("a play's host pattern matched no host: nothing ran for it")

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_started[task._uuid] = time.monotonic()

    def v2_playbook_on_handler_task_start(self, task):
        self._task_started[task._uuid] = time.monotonic()

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_playbook_on_stats(self, stats):
        directory = self._write()
        self._display.display("d365fo.dataalm report: %s" % directory)
        for name in ("report.html", "summary.md", "report.json", "junit.xml"):
            self._display.display("  %s" % os.path.join(directory, name))

    # ---------------------------------------------------------------- collection

    def _record(self, result, outcome):
        task = getattr(result, "task", None) or result._task
        data = redact(dict(getattr(result, "result", None) or result._result))
        if GUARD_TAG in (getattr(task, "tags", None) or []):
            if outcome == "failed":
                self.errors.append(self._cause(data))
            return
        host = self.hosts.setdefault(result._host.get_name(), _new_host())
        started = self._task_started.get(task._uuid)
        entry = {
            "name": task.get_name(),
            "action": getattr(task, "resolved_action", None) or task.action,
            "status": outcome,
            "changed": bool(data.get("changed")),
            "duration_seconds": round(time.monotonic() - started, 3) if started else None,
            "started_offset_seconds": round(started - self._started_monotonic, 3) if started else None,
            "phase": task_phase(task),
        }
        host["tasks"].append(entry)
        if outcome in ("failed", "unreachable"):
            host["status"] = "failed"
            host["failures"].append({
                "task": entry["name"],
                "action": entry["action"],
                "cause": self._cause(data),
                "operation_id": data.get("operation_id"),
            })
        if outcome == "skipped":
            return
        # A task forced into check mode inside a real run is a probe ("would it start?"); its answer is
        # a plan, not an operation of this run.
        probe = getattr(task, "check_mode", None) is True and not self.preview
        for item in data.get("results") or [data]:
            if isinstance(item, dict):
                self._harvest(host, entry, item, probe)
                if self.preview and item.get("action") and not item.get("operation_id"):
                    self._preview_operation(host, entry, item)

    @staticmethod
    def _preview_operation(host, entry, data):
        """What a real run would do; a runbook's probe and its real task preview the same thing once."""
        action = PREVIEW_ACTIONS.get(data["action"], "would " + str(data["action"]))
        if host["operations"] and host["operations"][-1].get("action") == action:
            return
        host["operations"].append(dict({key: data.get(key) for key in OPERATION_KEYS}, task=entry["name"],
                                       action=action))

    @staticmethod
    def _cause(data):
        message = data.get("msg") or data.get("message") or data.get("reason") or ""
        for key in ("stderr", "exception"):
            if not message and data.get(key):
                message = str(data[key]).strip().splitlines()[-1]
        return message or "failed without a message"

    def _harvest(self, host, entry, data, probe=False):
        if data.get("findings"):
            host["findings"].extend(data["findings"])
        if data.get("operation_id") or (probe and data.get("action")):
            operation = {key: data.get(key) for key in OPERATION_KEYS}
            operation["task"] = entry["name"]
            host["plans" if probe else "operations"].append(operation)
        for step in data.get("steps") or []:
            if isinstance(step, dict):
                host["cleanup_steps"].append(dict(step, task=entry["name"]))
        # fo_app_cleanup: the steps that need SQL, with the reason (issue 15)
        known = {s.get("name") for s in host["not_run"]}
        host["not_run"].extend(step for step in data.get("not_run") or []
                               if isinstance(step, dict) and step.get("name") not in known)
        restored = data.get("restored")
        if restored:
            host["restored"].extend(restored if isinstance(restored, list) else [restored])
        verification = data.get("verification")
        if verification:
            host["verification"].extend(verification if isinstance(verification, list) else [verification])
        # Roles publish findings and verification through set_fact (<role>_findings / <role>_verification).
        for key, value in (data.get("ansible_facts") or {}).items():
            if not isinstance(value, list) or not value:
                continue
            if key.endswith("_verification"):
                host["verification"] = [v for v in value if isinstance(v, dict)]
            elif key.endswith("_findings"):
                host["findings"] = [v for v in value if isinstance(v, dict)]
        report_followups.harvest(host, data)  # hook (issue 23): the Follow-ups section
        report_pairs.harvest(host, data)  # hook (issue 16): each side of a linked pair

    # ---------------------------------------------------------------- output

    def report(self):
        finished = _utcnow()
        for host in self.hosts.values():
            if any(v.get("passed") is False for v in host["verification"]):
                host["status"] = "failed"
        failed = bool(self.errors) or not self.hosts or any(h["status"] == "failed" for h in self.hosts.values())
        if not self.hosts and not self.errors:
            self.errors.append("no target host ran")
        return redact({
            "mode": "preview" if self.preview else "run",
            "errors": list(self.errors),
            "run": {
                "playbook": self.playbook,
                "started_at": self.started.isoformat(),
                "finished_at": finished.isoformat(),
                "duration_seconds": round((finished - self.started).total_seconds(), 3),
                "status": "failed" if failed else "ok",
            },
            "hosts": self.hosts,
        })

    def _write(self):
        report = self.report()
        base = self.get_option("output_dir") or "./dataalm-reports"
        name = self.get_option("run_name") or "%s-%s" % (
            self.started.strftime("%Y%m%dT%H%M%SZ"), os.path.splitext(self.playbook or "run")[0])
        directory = os.path.abspath(os.path.join(os.path.expanduser(base), name))
        os.makedirs(directory, exist_ok=True)
        files = {
            "report.json": json.dumps(report, indent=2, sort_keys=True, default=str) + "\n",
            "summary.md": render_markdown(report),
            "junit.xml": render_junit(report),
            "report.html": render_html(report, preview=bool(context.CLIARGS.get("check", False))),
        }
        for filename, text in files.items():
            with open(os.path.join(directory, filename), "w", encoding="utf-8") as handle:
                handle.write(text)
        return directory


def _or_dash(value):
    return "-" if value is None else value


def _cell(value):
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report):
    run, preview = report["run"], report.get("mode") == "preview"
    title = "# Database movement preview (check mode): nothing was changed" if preview else \
        "# Database movement run report"
    lines = [title, "", "Playbook `%s`, started %s, %s s, result **%s**.%s" % (
        run["playbook"], run["started_at"], run["duration_seconds"], run["status"].upper(),
        report_followups.summary_note(report)), ""]
    if report.get("errors"):
        lines += ["- **error**: %s" % _cell(error) for error in report["errors"]] + [""]
    if report["hosts"]:
        lines += _summary_table(report["hosts"], preview)
    for name, host in sorted(report["hosts"].items()):
        body = _host_sections(host, preview)
        if body:  # a heading only above something to read
            lines += ["", "## %s" % name, ""] + body
    return "\n".join(lines).rstrip() + "\n"


def _summary_table(hosts, preview):
    rows_label = "rows that would change" if preview else "clean-up rows"
    lines = ["| target | result | operation | status | duration (s) | %s | verification |" % rows_label,
             "|---|---|---|---|---|---|---|"]
    for name, host in sorted(hosts.items()):
        operation = host["operations"][-1] if host["operations"] else {}
        rows = sum(int(step.get("rows") or 0) for step in host["cleanup_steps"])
        checks = host["verification"]
        passed = sum(1 for check in checks if check.get("passed"))
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            _cell(name), host["status"], _cell(operation.get("operation_id") or operation.get("action") or "-"),
            _cell(operation.get("status") or "-"), _cell(_or_dash(operation.get("duration_seconds"))),
            rows if host["cleanup_steps"] else "-", "%d/%d passed" % (passed, len(checks)) if checks else "-"))
    return lines


def _section(title, header, rows):
    """A heading with its table or list, or nothing at all when there are no rows."""
    if not rows:
        return []
    return ["### %s" % title, ""] + header + rows + [""]


def _host_sections(host, preview):
    findings = ["- **%s** `%s`: %s %s" % (f.get("severity"), f.get("id"), f.get("message"), f.get("remedy"))
                for f in host["findings"]]
    operations = ["| %s | %s | %s | %s | %s |" % (
        _cell(o.get("task")), _cell(o.get("operation_id")), _cell(o.get("action")), _cell(o.get("status")),
        _cell(o.get("duration_seconds"))) for o in host["operations"]]
    steps = ["| %s | %s | %s | %s |" % (_cell(s.get("name")), _cell(s.get("transport") or "sql"), _cell(s.get("rows")),
                                        _cell(s.get("changed"))) for s in host["cleanup_steps"]]
    sql_only = ["- `%s`: %s" % (_cell(s.get("name")), _cell(s.get("reason"))) for s in host.get("not_run", [])]
    restored = ["- %s" % _cell(item if not isinstance(item, dict) else
                               ", ".join("%s: %s" % kv for kv in sorted(item.items()))) for item in host["restored"]]
    checks = ["| %s | %s | %s |" % (_cell(v.get("name")), "pass" if v.get("passed") else "FAIL",
                                    _cell(v.get("detail"))) for v in host["verification"]]
    failures = ["- task `%s` (%s): %s" % (f["task"], f["action"], _cell(f["cause"])) for f in host["failures"]]
    return (_section("Preflight findings", [], findings)
            + report_pairs.markdown(host)
            + _section("Operations that would run" if preview else "Operations",
                       ["| task | operation id | action | status | duration (s) |", "|---|---|---|---|---|"],
                       operations)
            + _section("Clean-up steps (rows that would change)" if preview else "Clean-up steps",
                       ["| step | transport | rows | changed |", "|---|---|---|---|"], steps)
            + _section("Steps that could not run without SQL", [], sql_only)
            + _section("Configuration restored", [], restored)
            + _section("Verification", ["| check | result | detail |", "|---|---|---|"], checks)
            + report_followups.markdown(host)
            + _section("Failures", [], failures))


def render_junit(report):
    suites = []
    total = failures = 0
    for name, host in sorted(report["hosts"].items()):
        cases = []
        for task in host["tasks"]:
            body = ""
            if task["status"] in ("failed", "unreachable"):
                cause = next((f["cause"] for f in host["failures"] if f["task"] == task["name"]), "failed")
                body = "<failure message=%s/>" % quoteattr(str(cause))
            elif task["status"] == "skipped":
                body = "<skipped/>"
            cases.append((task["name"], task.get("duration_seconds") or 0, body))
        for check in host["verification"]:
            body = "" if check.get("passed") else "<failure message=%s/>" % quoteattr(str(check.get("detail")))
            cases.append(("verify: %s" % check.get("name"), 0, body))
        for item in host["findings"]:
            if item.get("severity") == "blocking":
                message = "%s %s" % (item.get("message"), item.get("remedy"))
                cases.append(("preflight: %s" % item.get("id"), 0, "<failure message=%s/>" % quoteattr(message)))
        cases += report_followups.junit_cases(host)  # required follow-ups: skipped, carrying the instruction
        failed = sum(1 for case in cases if case[2].startswith("<failure"))
        total += len(cases)
        failures += failed
        xml_cases = "".join(
            '\n    <testcase classname=%s name=%s time="%.3f">%s</testcase>' % (
                quoteattr(name), quoteattr(str(case_name)), float(duration), body)
            for case_name, duration, body in cases)
        suites.append('  <testsuite name=%s tests="%d" failures="%d">%s\n  </testsuite>' % (
            quoteattr(name), len(cases), failed, xml_cases))
    for error in report.get("errors") or []:
        total += 1
        failures += 1
        text = quoteattr(str(error))
        suites.append('  <testsuite name="run" tests="1" failures="1">\n    <testcase classname="run" name=%s time="0">'
                      "<failure message=%s/></testcase>\n  </testsuite>" % (text, text))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name=%s tests="%d" failures="%d">\n%s\n'
            "</testsuites>\n") % (quoteattr("d365fo.dataalm " + (report["run"]["playbook"] or "")),
                                  total, failures, "\n".join(suites))
