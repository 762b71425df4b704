"""fo_app_cleanup and fo_app_target through real ansible-playbook against the emulator's F&O OData endpoint:
the clean-up catalogue's application-layer forms, the steps that need SQL, and run state without SQL."""

from __future__ import annotations

from tests.integration.fo_app_support import play

CLEANUP = {"profile": "standard", "keep_users": ["Admin", "tester*"], "resume_batch_jobs": ["*Settle*"],
           "smtp_relay": "smtp.sandbox.example"}
TARGET = {"environment_id": "22222222-2222-4222-8222-222222222222", "generation": "op-1"}


def active_jobs(fo):
    return fo.sql("SELECT COUNT(*) FROM BATCHJOB WHERE STATUS IN (1, 2, 5, 7, 9)")[0][0]


def test_check_run_check_then_verify_with_sql_only_steps_listed(fo, tmp_path):
    task = {"d365fo.dataalm.fo_app_cleanup": dict(CLEANUP), "register": "r"}
    users_before = fo.sql("SELECT COUNT(*) FROM USERINFO WHERE ENABLE = 1")[0][0]
    proc, res = play(tmp_path, [dict(task)], fo.defaults(), check=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    previewed = {s["name"]: s for s in res["r"]["steps"]}
    assert set(previewed) == {"hold_batch_jobs", "disable_users", "smtp"}
    assert all(s["transport"] == "application" for s in previewed.values())
    assert previewed["disable_users"]["rows"] > 0 and previewed["smtp"]["rows"] == 1
    assert fo.sql("SELECT COUNT(*) FROM USERINFO WHERE ENABLE = 1")[0][0] == users_before  # check mode
    not_run = {s["name"]: s["reason"] for s in res["r"]["not_run"]}
    assert "email_addresses" in not_run and "print_management" in not_run and all(not_run.values())

    proc, res = play(tmp_path, [dict(task)], fo.defaults())
    assert proc.returncode == 0 and res["r"]["changed"], proc.stdout + proc.stderr
    assert {s["name"]: s["rows"] for s in res["r"]["steps"]} == {n: s["rows"] for n, s in previewed.items()}
    enabled = sorted(r[0] for r in fo.sql("SELECT ID FROM USERINFO WHERE ENABLE = 1 AND NETWORKALIAS NOT LIKE "
                                          "'%@dynamics.com' AND NETWORKALIAS NOT LIKE '%@DAXMDSRunner.com'"))
    assert enabled == ["Admin"]  # tester1 is disabled in the seed: keep_users keeps, never enables
    assert fo.sql("SELECT SMTPRELAYSERVERNAME, MAILERNONINTERACTIVE FROM SYSEMAILPARAMETERS") == [
        ("smtp.sandbox.example", "SMTP")]
    still_active = ("SELECT COUNT(*) FROM BATCHJOB WHERE STATUS IN (1, 2, 5, 7, 9) "
                    "AND LOWER(CAPTION) NOT LIKE '%settle%'")
    assert fo.sql(still_active) == [(0,)]

    verify = {"d365fo.dataalm.fo_app_cleanup": dict(CLEANUP, verify=True), "register": "v"}
    proc, res = play(tmp_path, [dict(task), verify], fo.defaults())
    assert res["r"]["changed"] is False and all(s["rows"] == 0 for s in res["r"]["steps"])
    assert [c["passed"] for c in res["v"]["verification"]] == [True, True, True]
    fo.sql("UPDATE USERINFO SET ENABLE = 1 WHERE ID = 'bob'")
    _proc, res = play(tmp_path, [verify], fo.defaults())
    failed = [c for c in res["v"]["verification"] if not c["passed"]]
    assert [c["name"] for c in failed] == ["cleanup:disable_users"] and "1 record" in failed[0]["detail"]


def test_bad_input_fails_before_any_request(fo, tmp_path):
    bad = {"d365fo.dataalm.fo_app_cleanup": {"steps": ["no_such_step"], "smtp_relay": "smtp relay"}, "register": "r"}
    _proc, res = play(tmp_path, [bad], fo.defaults())
    assert res["r"]["failed"] and "no_such_step" in res["r"]["msg"]
    bad = {"d365fo.dataalm.fo_app_cleanup": {"profile": "standard", "smtp_relay": "a b"}, "register": "r"}
    _proc, res = play(tmp_path, [bad], fo.defaults())
    assert res["r"]["failed"] and "smtp_relay" in res["r"]["msg"]
    assert not fo.counters()["requests"]


def test_run_state_refuses_a_live_environment_then_tracks_a_copy(fo, tmp_path):
    check = {"d365fo.dataalm.fo_app_target": dict(TARGET, state="cleaning"), "register": "t"}
    _proc, res = play(tmp_path, [dict(check)], fo.defaults())
    assert res["t"]["failed"] and "not a fresh copy" in res["t"]["msg"] and "confirm" in res["t"]["msg"]
    # what a refresh leaves: users disabled, jobs withheld
    fo.sql("UPDATE USERINFO SET ENABLE = 0 WHERE ID <> 'Admin'")
    fo.sql("UPDATE BATCHJOB SET STATUS = 0")
    _proc, res = play(tmp_path, [dict(check)], fo.defaults(), check=True)
    assert res["t"]["decision"] == "clean" and res["t"]["marker"] == {}  # check mode records nothing
    _proc, res = play(tmp_path, [dict(check)], fo.defaults())
    assert res["t"]["decision"] == "clean" and res["t"]["changed"] and res["t"]["marker"]["state"] == "cleaning"
    fo.sql("UPDATE USERINFO SET ENABLE = 1 WHERE ID = 'alice'")  # the sandbox's own user, enabled by the run
    done = {"d365fo.dataalm.fo_app_target": dict(TARGET, state="verified"), "register": "d"}
    _proc, res = play(tmp_path, [dict(check), done, dict(check, register="again")], fo.defaults())
    assert res["t"]["decision"] == "clean" and res["t"]["changed"] is False  # same copy, clean-up under way
    assert res["d"]["marker"]["state"] == "verified"
    assert res["again"]["decision"] == "verified" and res["again"]["changed"] is False
    description = fo.sql("SELECT DESCRIPTION FROM DMFDEFINITIONGROUP WHERE NAME = 'DataALM-RunState'")[0][0]
    assert len(description) <= 60 and "22222222" not in description
    other = {"d365fo.dataalm.fo_app_target": dict(TARGET, generation="op-2", state="cleaning"), "register": "n"}
    _proc, res = play(tmp_path, [other], fo.defaults())
    assert res["n"]["failed"] and "not a fresh copy" in res["n"]["msg"]  # a new movement must look like a copy


def test_live_progress_of_the_batches_at_default_verbosity(fo, tmp_path):
    """Each $batch is held 1.5 s by the emulator, so the step provably runs while the controller prints
    records sent of records planned (the module's progress file, read by its action plugin)."""
    import re

    fo.emu.set_faults({"kind": "latency", "route": "*$batch", "seconds": 1.5})
    task = {"d365fo.dataalm.fo_app_cleanup": {"steps": ["disable_users"], "keep_users": ["Admin"], "batch_size": 1},
            "register": "r"}
    proc, res = play(tmp_path, [task], fo.defaults(), extra_vars={"d365fo_dataalm_progress_interval": 1})
    fo.emu.clear_faults()
    assert proc.returncode == 0 and res["r"]["changed"], proc.stdout + proc.stderr
    rows = res["r"]["steps"][0]["rows"]
    assert rows >= 3, rows  # three batches or more: 4.5 s or more of sending
    done = [int(n) for n in re.findall(r"^fo_app_cleanup: disable_users (\d+) of %d records, elapsed \d+:\d\d:\d\d$"
                                       % rows, proc.stdout, re.M)]
    assert done and 0 < done[0] < rows and done == sorted(done), proc.stdout[-3000:]
