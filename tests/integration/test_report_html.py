"""report.html in a real browser: every target row and phase bar is there, drawn to scale.

The report comes from a real ansible-playbook run with the report callback: two targets run roles
named like the runbook's (preflight, movement, post_restore with its verify.yml), whose tasks sleep
for known, different times, so the phases have durations the test can check the drawing against.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from devtools.ansible_runner import run_playbook
from tests.integration.report_browser import chromium_command, measured_layout

CHROMIUM, NO_CHROMIUM = chromium_command()
PIXEL_TOLERANCE = 2.0  # sub-pixel rounding plus the 1 px minimum width of a bar

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="report.html not opened in a browser: %s" % NO_CHROMIUM)


def _role(root: Path, name, tasks, verify=None):
    (root / name / "tasks").mkdir(parents=True)
    (root / name / "tasks" / "main.yml").write_text(yaml.safe_dump(tasks, sort_keys=False))
    if verify:
        (root / name / "tasks" / "verify.yml").write_text(yaml.safe_dump(verify, sort_keys=False))


def _pause(name, seconds):
    return {"name": name, "ansible.builtin.command": "sleep {{ %s }}" % seconds, "changed_when": False}


@pytest.fixture(scope="module")
def report_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("report_html")
    roles = work / "roles"
    # The role names decide the phases (plugin_utils/report_html.py: task_phase); the per-host sleep
    # variables make the two rows differ.
    _role(roles, "preflight", [_pause("Check", "t_preflight")])
    _role(roles, "movement", [_pause("Snapshot", "t_movement")])
    _role(roles, "post_restore", [_pause("Clean up", "t_cleanup"),
                                  {"name": "Verify", "ansible.builtin.import_tasks": "verify.yml"}],
          verify=[_pause("Read the invariants", "t_verify"),
                  {"name": "Fail when an invariant does not hold", "ansible.builtin.assert": {
                      "that": "inventory_hostname != 'broken-uat'", "fail_msg": "user carol is enabled"}}])
    (work / "inventory.yml").write_text(yaml.safe_dump({"all": {"hosts": {
        "fabrikam-uat": {"t_preflight": 1, "t_movement": 3, "t_cleanup": 2, "t_verify": 1},
        "broken-uat": {"t_preflight": 2, "t_movement": 1, "t_cleanup": 1, "t_verify": 2}}}}))
    play = [{"name": "Phases", "hosts": "all", "connection": "local", "gather_facts": False,
             "roles": ["preflight", "movement", "post_restore"]}]
    (work / "site.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    proc = run_playbook(work / "site.yml", inventory=work / "inventory.yml",
                        env={"ANSIBLE_CALLBACKS_ENABLED": "d365fo.dataalm.report",
                             "DATAALM_REPORT_DIR": str(work / "reports"), "DATAALM_REPORT_RUN_NAME": "phases"})
    assert proc.returncode == 2, proc.stdout[-3000:]  # broken-uat fails its verification on purpose
    return work, work / "reports" / "phases"


def test_every_target_row_and_phase_bar_is_drawn_to_scale(report_run):
    work, reports = report_run
    report = json.loads((reports / "report.json").read_text())
    rows, bars, total = measured_layout(reports / "report.html", work, CHROMIUM)
    assert sorted(rows) == sorted(report["hosts"]) == ["broken-uat", "fabrikam-uat"]
    for target in rows:
        drawn = [box for box in bars if box["target"] == target]
        # preflight, movement, clean-up, verification: each a bar (the play has no waiting module)
        assert [box["data-phase"] for box in drawn] == ["preflight", "movement", "clean-up", "verification"]
        for box in drawn:
            track = float(box["data-track-width"])
            start, duration = float(box["data-start-seconds"]), float(box["data-duration-seconds"])
            assert track > 300
            assert abs(float(box["data-measured-width"]) - track * duration / total) <= PIXEL_TOLERANCE, box
            assert abs(float(box["data-measured-left"]) - track * start / total) <= PIXEL_TOLERANCE, box
    # the durations are the tasks' own: at least the seconds each slept (more on a loaded machine)
    movement = {box["target"]: float(box["data-duration-seconds"]) for box in bars if box["data-phase"] == "movement"}
    assert movement["fabrikam-uat"] >= 3 and movement["broken-uat"] >= 1


def test_failed_check_and_failure_are_highlighted(report_run):
    _work, reports = report_run
    page = (reports / "report.html").read_text()
    broken = page[page.index('data-target="broken-uat"'):page.index('data-target="fabrikam-uat"')]
    assert '<span class="badge failed">failed</span>' in broken
    assert '<li class="failure">' in broken and "user carol is enabled" in broken
    assert '<body class="mode-run">' in page and "PREVIEW" not in page


def test_check_mode_run_is_marked_as_a_preview(report_run):
    work, _reports = report_run
    proc = run_playbook(work / "site.yml", inventory=work / "inventory.yml", check=True,
                        env={"ANSIBLE_CALLBACKS_ENABLED": "d365fo.dataalm.report",
                             "DATAALM_REPORT_DIR": str(work / "reports"), "DATAALM_REPORT_RUN_NAME": "preview"})
    assert proc.returncode == 2, proc.stdout[-3000:]
    page = (work / "reports" / "preview" / "report.html").read_text()
    assert '<body class="mode-preview">' in page and "PREVIEW: this was a check-mode run" in page
    assert page.count('<span class="badge preview-badge">preview</span>') == 2  # one per target row
