"""Resume after the controller is SIGKILLed mid-wait; bad input fails before any mutating call; secrets stay out."""

from __future__ import annotations

import re
import time

import pytest

from tests.integration.lcs_support import (
    APP_SECRET,
    DEV,
    PASSWORD,
    PROD,
    TEST,
    UAT,
    kill_controller,
    movement_count,
    mutating,
    play,
    start_play,
)

REFRESH = "d365fo.dataalm.lcs_database_refresh"
EXPORT = "d365fo.dataalm.lcs_database_export"


def test_killed_controller_rerun_waits_on_the_same_operation(tmp_path, lcs_emu):
    lcs_emu.set_speed(30)  # the refresh would take about four real minutes
    task = {REFRESH: {"source_environment_id": PROD, "target_environment_id": UAT, "poll_interval": 2},
            "register": "r"}
    proc, _results = start_play(tmp_path, lcs_emu, [task], name="killed.yml")
    deadline = time.monotonic() + 120
    while movement_count(lcs_emu) == 0:
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the refresh never started"
        time.sleep(0.5)
    time.sleep(4)  # well inside the wait
    assert proc.poll() is None
    kill_controller(proc)
    # the live progress line printed before the kill names the operation
    started = re.search(r"lcs_database_refresh: operation ([0-9a-f-]{36}) started", proc.stdout.read())
    assert started, "no progress line before the kill"
    running = next(s for s in lcs_emu.state()["environments"] if s["name"] == "contoso-uat")
    assert running["busy"]

    # still about two virtual hours to go: ~12 real seconds, longer than the re-run needs to find it
    lcs_emu.set_speed(600)
    _proc, r = play(tmp_path, lcs_emu, [dict(task)], name="rerun.yml")
    result = r["r"]
    assert result["action"] == "joined" and result["state"] == "succeeded"
    assert result["operation_id"] == started.group(1)
    assert movement_count(lcs_emu) == 1
    assert lcs_emu.counters()["mutating_requests"] == {"contoso-uat": 1}


def refresh(name, **args):
    base = {"source_environment_id": PROD, "target_environment_id": UAT}
    base.update(args)
    return {"name": name, REFRESH: base, "register": name}


def export(name, **args):
    base = {"environment_id": UAT, "backup_name": "ok-name"}
    base.update(args)
    return {"name": name, EXPORT: base, "register": name}


# (task, words the failure message must contain: it says what to change)
BAD_INPUT = [
    (refresh("production_target", source_environment_id=UAT, target_environment_id=PROD), "choose a Sandbox target"),
    (refresh("tier1_target", target_environment_id=DEV), "Tier-1"),
    (refresh("same_env", source_environment_id=UAT), "pick a different source"),
    (refresh("bad_source_guid", source_environment_id="prod"), "source_environment_id must be"),
    (refresh("bad_target_guid", target_environment_id="2222-2222"), "target_environment_id must be"),
    (refresh("unknown_target", target_environment_id="99999999-9999-4999-8999-999999999999"), "was not found"),
    (refresh("tier1_source", source_environment_id=DEV, target_environment_id=TEST), "Production or Sandbox"),
    (refresh("naive_not_before", not_before="2026-03-01T10:00:00"), "time zone"),
    (refresh("future_not_before", not_before="2099-01-01T00:00:00Z"), "future"),
    (refresh("bad_max_age", max_age="a while"), "max_age must be a duration"),
    (refresh("bad_operation_id", operation_id="op-42"), "operation_id must be"),
    (refresh("zero_project", project_id=0), "positive LCS project number"),
    (refresh("http_api_url", lcs_api_url="http://lcsapi.lcs.dynamics.com"), "https URL"),
    (refresh("zero_wait_timeout", wait_timeout=0), "wait_timeout must be a positive"),
    (refresh("wrong_password", password="not-the-password"), "invalid user name or password"),
    (refresh("mfa_account", username="mfa@contoso.example"), "sign_in.yml"),
    (refresh("confidential_without_secret", client_id="6c9f3a4b-8d52-4eaf-c3b7-2a1f4e5d6c7b"),
     "Allow public client flows"),
    (export("empty_backup_name", backup_name=""), "backup_name must not be empty"),
    (export("slash_backup_name", backup_name="a/b"), "may only contain"),
    (export("bacpac_backup_name", backup_name="uat.bacpac"), "drop it"),
    (export("export_production", environment_id=PROD), "exports only Sandbox"),
]


def test_bad_input_fails_with_advice_and_no_mutating_request(tmp_path, lcs_emu):
    tasks = [task for task, _words in BAD_INPUT]
    _proc, r = play(tmp_path, lcs_emu, tasks)
    problems = []
    for task, words in BAD_INPUT:
        name = task["name"]
        result = r.get(name) or {}
        if not result.get("failed") or words not in result.get("msg", ""):
            problems.append("%s: %r" % (name, result.get("msg")))
    assert not problems, "\n".join(problems)
    assert mutating(lcs_emu) == 0
    assert lcs_emu.counters()["operations_started"] == {}
    assert len(BAD_INPUT) >= 15


SECRET_PATTERNS = [re.escape(PASSWORD), re.escape(APP_SECRET), r"sig=[^*&\s]", r"eyJ[A-Za-z0-9_-]{10,}\.",
                   r"(?i)bearer\s+[A-Za-z0-9._-]{20,}", r"refresh_token=\w"]


@pytest.mark.parametrize("app", ["lcs-automation", "lcs-confidential"])
def test_vvvv_output_contains_no_secret(tmp_path, lcs_emu, app):
    lcs_emu.set_speed(3600)
    defaults = lcs_emu.lcs_module_args(app=app)
    if app == "lcs-confidential":
        assert defaults["client_secret"] == APP_SECRET
    tasks = [
        {"d365fo.dataalm.lcs_environment_info": {"include_history": True}, "register": "info"},
        {REFRESH: {"source_environment_id": PROD, "target_environment_id": UAT, "poll_interval": 2,
                   "max_age": "1h"}, "register": "r"},
        {"d365fo.dataalm.lcs_database_backup_info": {}, "register": "backups"},
        {REFRESH: {"source_environment_id": PROD, "target_environment_id": UAT, "password": "Wr0ng-" + PASSWORD},
         "register": "bad"},
    ]
    proc, r = play(tmp_path, lcs_emu, tasks, verbosity=4, defaults=defaults)
    assert r["r"]["state"] == "succeeded" and r["bad"]["failed"]
    output = proc.stdout + proc.stderr
    assert "lcs_database_refresh" in output and len(output) > 10000  # it really was verbose
    # the module arguments are printed at -vvvv, with the secrets masked by no_log
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output
    leaks = [p for p in SECRET_PATTERNS if re.search(p, output)]
    assert not leaks, leaks
