"""report.html rendering: self-contained, escaped, phases merged in time order, preview marked."""

from __future__ import annotations

import re

from ansible.module_utils import _internal

_WAS_CONTROLLER = _internal.is_controller  # see tests/unit/plugins/callback/test_report.py
from ansible_collections.d365fo.dataalm.plugins.plugin_utils import report_html  # noqa: E402

_internal.is_controller = _WAS_CONTROLLER


def task(phase, start, duration, status="ok"):
    return {"phase": phase, "started_offset_seconds": start, "duration_seconds": duration, "status": status,
            "name": phase}


def report(**hosts):
    return {"run": {"playbook": "refresh.yml", "started_at": "2026-11-29T10:00:00+00:00", "duration_seconds": 100,
                    "status": "failed"}, "hosts": hosts}


def host(tasks, **extra):
    return dict({"status": "ok", "tasks": tasks, "operations": [], "plans": [], "findings": [], "verification": [],
                 "failures": []}, **extra)


def test_segments_merge_consecutive_tasks_and_skip_skipped_and_unphased():
    tasks = [task("preflight", 0, 2), task("preflight", 2, 3), task(None, 5, 1), task("wait", 6, 50),
             task("clean-up", 56, 4), task("verification", 60, 2), task("clean-up", 62, 1),
             task("clean-up", 63, 9, status="skipped")]
    assert report_html.phase_segments(host(tasks)) == [
        ("preflight", 0, 5), ("wait", 6, 56), ("clean-up", 56, 60), ("verification", 60, 62), ("clean-up", 62, 63)]
    assert report_html.phase_totals(report_html.phase_segments(host(tasks)))["clean-up"] == 5


def test_page_is_self_contained_and_escapes_what_it_shows():
    page = report_html.render_html(report(**{"<b>uat</b>": host(
        [task("movement", 0, 10)], status="failed",
        findings=[{"id": "x", "severity": "blocking", "message": "<script>alert(1)</script>", "remedy": "r"}],
        verification=[{"name": "smtp", "passed": False, "detail": "relay 'prod'"}],
        operations=[{"operation_id": "op-1", "status": "Failed", "action": "started"}])}))
    for external in ("<script", "<link", "src=", "url(", "@import", "@font-face", "http://", "https://"):
        assert external not in page.lower()
    assert "&lt;b&gt;uat&lt;/b&gt;" in page and "&lt;script&gt;" in page
    assert '<li class="finding blocking">' in page and '<li class="check fail">' in page and "op-1" in page
    movement_bar = re.search(r'data-phase="movement"[^>]*style="left:([\d.]+)%;width:([\d.]+)%"', page)
    assert (float(movement_bar.group(1)), float(movement_bar.group(2))) == (0.0, 10.0)  # 10 s of a 100 s run


def test_preview_marks_the_page_and_every_row_and_lists_plans():
    page = report_html.render_html(report(uat=host([], plans=[{"action": "started", "operation_id": None}]),
                                          test=host([], plans=[{"action": "teleported"}])), preview=True)
    assert "PREVIEW" in page and page.count("badge preview-badge\">preview<") == 2
    assert "would start <code>a new operation</code>" in page and "would teleported" in page
