"""lcs_* modules through real ansible-playbook against the HTTPS emulator.

Each movement follows check_mode -> run -> check_mode (no change) -> run (no change), asserted in the
playbook AND on the emulator's counters (exactly one start, no mutating call in check mode).
"""

from __future__ import annotations

from tests.integration.lcs_support import DEV, PROD, UAT, movement_count, mutating, play


def refresh(register, check=None, **extra):
    task = {"name": register, "d365fo.dataalm.lcs_database_refresh": dict(
        source_environment_id=PROD, target_environment_id=UAT, poll_interval=5, **extra), "register": register}
    if check is not None:
        task["check_mode"] = check
    return task


def asserts(*conditions):
    return {"ansible.builtin.assert": {"that": list(conditions)}}


def test_environment_info_all_one_and_history(tmp_path, lcs_emu):
    tasks = [
        {"d365fo.dataalm.lcs_environment_info": {}, "register": "all"},
        {"d365fo.dataalm.lcs_environment_info": {"environment_name": "contoso-uat", "include_history": True},
         "register": "uat"},
        {"d365fo.dataalm.lcs_environment_info": {"environment_id": DEV.replace("-", "").upper()},
         "register": "dev", "check_mode": True},
    ]
    proc, r = play(tmp_path, lcs_emu, tasks)
    assert proc.returncode == 0, proc.stdout
    names = sorted(e["name"] for e in r["all"]["environments"])
    assert names == ["contoso-dev", "contoso-prod", "contoso-test", "contoso-uat"]
    [uat] = r["uat"]["environments"]
    assert uat["environment_id"] == UAT and uat["type"] == "Sandbox" and uat["region"] == "West Europe"
    assert uat["application_release"] == "10.0.41" and uat["platform_release"] == "Update65"
    assert uat["busy"] is False and uat["operation_starts_24h"] == 0
    assert uat["operations"][0]["type"] == "SFSourceDbToSandbox" and uat["operations"][0]["state"] == "succeeded"
    [dev] = r["dev"]["environments"]
    assert dev["environment_id"] == DEV and dev["type"] == "DevTestDev" and r["dev"]["changed"] is False
    assert "operations" not in dev


def test_refresh_check_run_check_run(tmp_path, lcs_emu):
    lcs_emu.set_speed(3600)  # the 2-hour refresh takes about two real seconds
    tasks = [
        refresh("r1", check=True, max_age="12h"),
        asserts("r1 is changed", "r1.action == 'started'", "r1.operation_id is none", "r1 is not failed"),
        refresh("r2", max_age="12h"),
        asserts("r2 is changed", "r2.action == 'started'", "r2.state == 'succeeded'", "r2.status == 'Completed'",
                "r2.duration_seconds >= 7200", "r2.started_at is string", "r2.completed_at is string"),
    ]
    proc, r = play(tmp_path, lcs_emu, tasks)
    assert proc.returncode == 0, proc.stdout[-5000:]
    # live progress from the action plugin at default verbosity
    assert "lcs_database_refresh: operation %s" % r["r2"]["operation_id"] in proc.stdout
    assert "elapsed" in proc.stdout
    # back to real speed: at 3600x the 12 h window closed 12 real seconds after the refresh ended, which a
    # loaded machine (or the project's rate gate pacing history reads in real time) could outlast
    lcs_emu.set_speed(1)
    tasks = [
        refresh("r3", check=True, max_age="12h"),
        asserts("r3 is not changed", "r3.action == 'none'", "r3.operation_id == '%s'" % r["r2"]["operation_id"]),
        refresh("r4", max_age="12h"),
        asserts("r4 is not changed", "r4.action == 'none'", "r4.operation_id == '%s'" % r["r2"]["operation_id"]),
    ]
    proc, _results = play(tmp_path, lcs_emu, tasks, name="again.yml")
    assert proc.returncode == 0, proc.stdout[-5000:]
    assert movement_count(lcs_emu) == 1
    assert mutating(lcs_emu) == 1


def test_refresh_without_wait_then_join_then_follow(tmp_path, lcs_emu):
    tasks = [
        refresh("started", wait=False),
        refresh("joined", wait=False),
        {"d365fo.dataalm.lcs_operation_info": {"environment_id": UAT, "operation_id": "{{ started.operation_id }}"},
         "register": "info"},
        asserts("started.action == 'started'", "started.state in ['pending', 'running']",
                "joined.action == 'joined'", "joined.operation_id == started.operation_id",
                "info.operation_id == started.operation_id", "info is not changed", "not info.done",
                "info.type == 'SFSourceDbToSandbox'"),
    ]
    proc, r = play(tmp_path, lcs_emu, tasks)
    assert proc.returncode == 0, proc.stdout[-5000:]
    assert movement_count(lcs_emu) == 1
    # now let it finish in virtual time and follow it with operation_info + wait
    lcs_emu.advance(3 * 3600)
    tasks = [
        {"d365fo.dataalm.lcs_operation_info": {"environment_id": UAT, "operation_id": r["started"]["operation_id"],
                                               "wait": True}, "register": "done"},
        refresh("resumed", operation_id=r["started"]["operation_id"]),
        asserts("done.state == 'succeeded'", "done.done", "resumed.action == 'none'", "resumed is not changed"),
    ]
    proc, _results = play(tmp_path, lcs_emu, tasks, name="follow.yml")
    assert proc.returncode == 0, proc.stdout[-5000:]
    assert movement_count(lcs_emu) == 1


def test_export_check_run_check_run_and_backup_info(tmp_path, lcs_emu):
    lcs_emu.set_speed(3600)

    def export(register, check=None):
        task = {"d365fo.dataalm.lcs_database_export": {"environment_id": UAT, "backup_name": "uat-ci-copy",
                                                       "not_before": "{{ window }}", "poll_interval": 5},
                "register": register}
        if check is not None:
            task["check_mode"] = check
        return task

    now = lcs_emu.advance(0)["now"]  # the virtual clock, as an ISO timestamp with zone
    tasks = [
        export("e1", check=True),
        asserts("e1 is changed", "e1.action == 'started'"),
        export("e2"),
        asserts("e2 is changed", "e2.state == 'succeeded'", "e2.backup.name == 'uat-ci-copy'",
                "e2.backup.file_name is string", "'download_url' not in e2.backup"),
        export("e3", check=True),
        asserts("e3 is not changed", "e3.action == 'none'"),
        export("e4"),
        asserts("e4 is not changed", "e4.action == 'none'", "e4.backup.name == 'uat-ci-copy'"),
        {"d365fo.dataalm.lcs_database_backup_info": {"name": "uat-ci-*"}, "register": "glob"},
        {"d365fo.dataalm.lcs_database_backup_info": {"latest": True}, "register": "latest"},
        {"d365fo.dataalm.lcs_database_backup_info": {"name": "uat-ci-copy", "include_download_url": True},
         "register": "link", "no_log": True},
        asserts("glob.backups | length == 1", "glob.backups[0].name == 'uat-ci-copy'",
                "'download_url' not in glob.backups[0]", "latest.backups | length == 1",
                "latest.backups[0].name == 'uat-ci-copy'", "link.backups[0].download_url is string"),
    ]
    proc, r = play(tmp_path, lcs_emu, tasks, vars={"window": now})
    assert proc.returncode == 0, proc.stdout[-5000:]
    assert movement_count(lcs_emu) == 1
    assert r["link"]["backups"][0]["download_url"].startswith("https://")
