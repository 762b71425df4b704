"""fo_data_project, fo_data_package_export and fo_data_package_import through real ansible-playbook against the
emulator (executions in virtual time, packages in its blob storage, rows in its PostgreSQL database)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import subprocess
import time
import zipfile

from devtools.ansible_runner import VENV_BIN, ansible_env
from emulator.services.fo_app import dmf
from tests.integration.fo_app_support import play

EXPORT_PROJECT = {"d365fo.dataalm.fo_data_project": {
    "name": "dataalm-keep", "operation": "Export",
    "entities": [{"entity": "Email parameters"}, {"entity": "Batch jobs"}]}, "register": "project"}
IMPORT_PROJECT = {"d365fo.dataalm.fo_data_project": {
    "name": "dataalm-restore", "operation": "Import", "entities": [{"entity": "Email parameters"}]},
    "register": "project"}


def export_task(dest, **extra):
    return {"d365fo.dataalm.fo_data_package_export": dict(
        definition_group_id="dataalm-keep", package_name="keep", legal_entity_id="USMF", dest=str(dest), **extra),
        "register": "export"}


def import_task(src, **extra):
    return {"d365fo.dataalm.fo_data_package_import": dict(
        src=str(src), definition_group_id="dataalm-restore", legal_entity_id="USMF", overwrite=True, **extra),
        "register": "imp"}


def email_package(path, relay="smtp.restored.example", port=587, extra_rows=()):
    rows = [{"ID": 0, "SMTPRelayServerName": relay, "SMTPPortNumber": port, "SMTPRequireSSL": "Yes"}, *extra_rows]
    path.write_bytes(dmf.build_package("dataalm-restore", {"Email parameters": rows}))
    return path


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_data_project_check_run_check_run(fo, tmp_path):
    proc, res = play(tmp_path, [dict(EXPORT_PROJECT)], fo.defaults(), check=True, diff=True)
    assert proc.returncode == 0 and res["project"]["changed"], proc.stdout
    assert fo.sql("SELECT COUNT(*) FROM DMFDEFINITIONGROUP")[0][0] == 0
    proc, res = play(tmp_path, [dict(EXPORT_PROJECT)], fo.defaults())
    assert res["project"]["changed"] and len(res["project"]["changes"]) == 3
    assert fo.sql("SELECT NAME, PROJECTCATEGORY, OPERATIONTYPE FROM DMFDEFINITIONGROUP") == [("dataalm-keep", 1, 1)]
    assert fo.sql("SELECT ENTITY, SEQUENCEINLEVEL FROM DMFDEFINITIONGROUPENTITY ORDER BY SEQUENCEINLEVEL") == [
        ("Email parameters", 1), ("Batch jobs", 2)]
    for check in (True, False):
        proc, res = play(tmp_path, [dict(EXPORT_PROJECT)], fo.defaults(), check=check)
        assert proc.returncode == 0 and res["project"]["changed"] is False, res
    reordered = {"d365fo.dataalm.fo_data_project": {"name": "dataalm-keep", "entities": [{"entity": "Batch jobs"}]},
                 "register": "project"}
    proc, res = play(tmp_path, [reordered], fo.defaults())
    assert res["project"]["changed"] and fo.sql("SELECT ENTITY, SEQUENCEINLEVEL FROM DMFDEFINITIONGROUPENTITY") == [
        ("Batch jobs", 1)]


def test_export_check_run_check_run(fo, tmp_path):
    dest = tmp_path / "keep.zip"
    fo.settings(nested_values=True)  # the shape the DMF documentation shows: {"value": {"value": ...}}
    play(tmp_path, [dict(EXPORT_PROJECT)], fo.defaults())
    proc, res = play(tmp_path, [export_task(dest)], fo.defaults(), check=True)
    assert proc.returncode == 0 and res["export"]["changed"] and res["export"]["action"] == "started"
    assert fo.counters()["exports_started"] == 0 and not dest.exists()
    proc, res = play(tmp_path, [export_task(dest)], fo.defaults())
    assert proc.returncode == 0, proc.stdout
    result = res["export"]
    assert result["changed"] and result["status"] == "Succeeded" and result["downloaded"]
    assert result["sha256"] == sha256(dest) and oct(dest.stat().st_mode & 0o777) == "0o600"
    with zipfile.ZipFile(dest) as archive:
        assert {"Manifest.xml", "Email parameters.xml", "Batch jobs.xml"} <= set(archive.namelist())
    for check in (True, False):
        proc, res = play(tmp_path, [export_task(dest)], fo.defaults(), check=check)
        assert proc.returncode == 0 and res["export"]["changed"] is False, res
        assert res["export"]["action"] == "reused" and res["export"]["execution_id"] == result["execution_id"]
    assert fo.counters()["exports_started"] == 1


def test_export_download_resumes_after_the_url_expired(fo, tmp_path):
    fo.sql("INSERT INTO USERINFO (RECID, ID, NAME, NETWORKALIAS) SELECT 6000000000 + i, 'bulk' || i, "
           "md5(i::text) || md5((i * 7)::text), 'bulk' || i || '@contoso.example' FROM generate_series(1, 12000) i")
    project = {"d365fo.dataalm.fo_data_project": {"name": "dataalm-keep", "entities": [{"entity": "Users"}]}}
    play(tmp_path, [project], fo.defaults())
    # the connection breaks off after 300 kB (more than one 256 KiB chunk arrived), and the URL's signature has
    # expired when the client resumes
    fo.settings(download_cut_bytes=300000, package_url_lifetime_seconds=3600)
    dest = tmp_path / "users.zip"
    proc, res = play(tmp_path, [export_task(dest)], fo.defaults())
    assert proc.returncode == 0, proc.stdout
    assert res["export"]["downloaded"] and zipfile.ZipFile(dest).testzip() is None
    assert dest.stat().st_size > 300000 and not (tmp_path / "users.zip.part").exists()
    blob_statuses = fo.emu.counters()["requests"]["GET /_blobs/dmf/<path:name>"]
    assert blob_statuses.get("403") and blob_statuses.get("206"), blob_statuses  # expired, then resumed by range
    assert fo.counters()["requests"]["POST GetExportedPackageUrl"] >= 2


def test_export_that_fails_reports_errors_and_how_to_retry(fo, tmp_path):
    play(tmp_path, [dict(EXPORT_PROJECT)], fo.defaults())
    fo.settings(execution_outcomes=["Failed"])
    proc, res = play(tmp_path, [export_task(tmp_path / "x.zip")], fo.defaults())
    assert res["export"]["failed"] and res["export"]["status"] == "Failed"
    assert "reexecute: true" in res["export"]["msg"] and res["export"]["execution_errors"]
    proc, res = play(tmp_path, [export_task(tmp_path / "x.zip", reexecute=True)], fo.defaults())
    assert proc.returncode == 0 and res["export"]["status"] == "Succeeded" and res["export"]["changed"]


def test_import_check_run_check_run(fo, tmp_path):
    src = email_package(tmp_path / "settings.zip")
    play(tmp_path, [dict(IMPORT_PROJECT)], fo.defaults())
    proc, res = play(tmp_path, [import_task(src)], fo.defaults(), check=True)
    assert proc.returncode == 0 and res["imp"]["changed"] and res["imp"]["action"] == "started"
    assert fo.counters()["imports_started"] == 0
    proc, res = play(tmp_path, [import_task(src)], fo.defaults())
    assert proc.returncode == 0, proc.stdout
    assert res["imp"]["status"] == "Succeeded" and res["imp"]["sha256"] == sha256(src)
    assert fo.sql("SELECT SMTPRELAYSERVERNAME, SMTPPORTNUMBER, SMTPREQUIRESSL FROM SYSEMAILPARAMETERS") == [
        ("smtp.restored.example", 587, 1)]
    for check in (True, False):
        proc, res = play(tmp_path, [import_task(src)], fo.defaults(), check=check)
        assert proc.returncode == 0 and res["imp"]["changed"] is False and res["imp"]["action"] == "none"
    counters = fo.counters()
    assert counters["imports_started"] == 1 and counters["requests"]["POST GetAzureWriteUrl"] == 1


def test_import_partially_succeeded_fails_unless_allowed(fo, tmp_path):
    bad = {"ID": 1, "SMTPRelayServerName": "bad", "SMTPPortNumber": "not-a-number"}
    src = email_package(tmp_path / "partial.zip", extra_rows=[bad])
    play(tmp_path, [dict(IMPORT_PROJECT)], fo.defaults())
    proc, res = play(tmp_path, [import_task(src)], fo.defaults())
    result = res["imp"]
    assert result["failed"] and result["status"] == "PartiallySucceeded" and "allow_partial" in result["msg"]
    assert any("row 2" in error for error in result["execution_errors"])
    entity = result["entities"][0]
    assert entity["entity"] == "Email parameters" and entity["staging_error_file"]
    assert entity["target_error_keys_file"] and "sig=********" in entity["staging_error_file"]
    proc, res = play(tmp_path, [import_task(src, allow_partial=True)], fo.defaults())
    assert proc.returncode == 0 and not res["imp"].get("failed") and res["imp"]["action"] == "none"
    assert "partially succeeded" in proc.stdout + proc.stderr


def test_import_that_fails(fo, tmp_path):
    src = email_package(tmp_path / "settings.zip")
    play(tmp_path, [dict(IMPORT_PROJECT)], fo.defaults())
    fo.settings(execution_outcomes=["Failed"])
    _proc, res = play(tmp_path, [import_task(src)], fo.defaults())
    assert res["imp"]["failed"] and res["imp"]["status"] == "Failed" and res["imp"]["execution_errors"]
    assert "new execution_id" in res["imp"]["msg"]


def test_crash_mid_import_then_rerun_follows_the_same_execution(fo, tmp_path):
    src = email_package(tmp_path / "settings.zip")
    play(tmp_path, [dict(IMPORT_PROJECT)], fo.defaults())
    fo.settings(execution_seconds=12000)  # 20 s of real time at speed 600
    playbook_dir = tmp_path / "crash"
    playbook_dir.mkdir()
    play(playbook_dir, [import_task(src)], fo.defaults(), check=True)  # writes the playbook file
    process = subprocess.Popen([str(VENV_BIN / "ansible-playbook"), str(playbook_dir / "playbook.yml"), "-i",
                                "localhost,", "-c", "local"], env=ansible_env(), cwd=str(playbook_dir),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while fo.counters()["imports_started"] == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # the controller dies while the import runs
    process.wait()
    assert fo.counters()["imports_started"] == 1
    proc, res = play(tmp_path, [import_task(src)], fo.defaults())
    assert proc.returncode == 0, proc.stdout
    assert res["imp"]["action"] == "followed" and res["imp"]["status"] == "Succeeded"
    assert res["imp"]["changed"] is False
    counters = fo.counters()
    assert counters["imports_started"] == 1 and counters["requests"]["POST ImportFromPackage"] == 1


def test_refuses_to_start_while_another_import_runs(fo, tmp_path):
    play(tmp_path, [dict(IMPORT_PROJECT)], fo.defaults())
    fo.settings(execution_seconds=600000)
    first = email_package(tmp_path / "first.zip", relay="first.example")
    play(tmp_path, [import_task(first, wait=False)], fo.defaults())
    second = email_package(tmp_path / "second.zip", relay="second.example")
    _proc, res = play(tmp_path, [import_task(second)], fo.defaults())
    assert res["imp"]["failed"] and "refusing to start" in res["imp"]["msg"]
    assert res["imp"]["running_imports"][0]["definition_group_id"] == "dataalm-restore"
    assert fo.counters()["imports_started"] == 1 and fo.counters()["parallel_imports"] == 0


def test_live_progress_while_waiting(fo, tmp_path):
    src = email_package(tmp_path / "settings.zip")
    play(tmp_path, [dict(IMPORT_PROJECT)], fo.defaults())
    fo.settings(execution_seconds=2400)  # 4 s of real time
    proc, res = play(tmp_path, [import_task(src, poll_interval=1)], fo.defaults(),
                     extra_vars={"d365fo_dataalm_progress_interval": 1})
    assert proc.returncode == 0 and res["imp"]["status"] == "Succeeded" and res["imp"]["changed"] is True
    assert "fo_data_package_import: execution dataalm-import-" in proc.stdout


PACKAGE_BAD = [
    ({"d365fo.dataalm.fo_data_package_import": {"src": "/nonexistent.zip", "definition_group_id": "g",
                                                "legal_entity_id": "USMF"}}, "must be a readable data package"),
    ({"d365fo.dataalm.fo_data_package_import": {"src": "__NOTZIP__", "definition_group_id": "g",
                                                "legal_entity_id": "USMF"}}, "is not a zip file"),
    ({"d365fo.dataalm.fo_data_package_import": {"src": "__ZIP__", "definition_group_id": " ",
                                                "legal_entity_id": "USMF"}}, "definition_group_id must not be empty"),
    ({"d365fo.dataalm.fo_data_package_import": {"src": "__ZIP__", "definition_group_id": "g",
                                                "legal_entity_id": "USMF-1"}}, "legal_entity_id must be"),
    ({"d365fo.dataalm.fo_data_package_import": {"src": "__ZIP__", "definition_group_id": "g", "legal_entity_id": "X",
                                                "execution_id": "bad id!"}}, "execution_id must be"),
    ({"d365fo.dataalm.fo_data_package_import": {"src": "__ZIP__", "definition_group_id": "g", "legal_entity_id": "X",
                                                "wait_timeout": 0}}, "wait_timeout must be"),
    ({"d365fo.dataalm.fo_data_package_export": {"dest": "/nonexistent-dir/x.zip", "definition_group_id": "g",
                                                "package_name": "p", "legal_entity_id": "USMF"}}, "must exist"),
    ({"d365fo.dataalm.fo_data_package_export": {"dest": "__DIR__", "definition_group_id": "g",
                                                "package_name": "p", "legal_entity_id": "USMF"}}, "is a directory"),
    ({"d365fo.dataalm.fo_data_package_export": {"dest": "__DIR__/x.zip", "definition_group_id": "g",
                                                "package_name": " ", "legal_entity_id": "USMF"}},
     "package_name must not be empty"),
    ({"d365fo.dataalm.fo_data_package_export": {"dest": "__DIR__/x.zip", "definition_group_id": "g",
                                                "package_name": "p", "legal_entity_id": "USMF", "poll_interval": -1}},
     "poll_interval must be"),
    ({"d365fo.dataalm.fo_data_project": {"name": "p", "entities": []}}, "at least one entity"),
    ({"d365fo.dataalm.fo_data_project": {"name": "p", "entities": [{"entity": "Users"}, {"entity": "Users"}]}},
     "more than once"),
    ({"d365fo.dataalm.fo_data_project": {"name": "p", "entities": [{"entity": "Users", "level": 0}]}},
     "must be 1 or more"),
    ({"d365fo.dataalm.fo_data_project": {"name": "p", "entities": [{"entity": "No such entity"}]}},
     "unknown data management entities"),
    ({"d365fo.dataalm.fo_data_project": {"name": "x" * 61, "entities": [{"entity": "Users"}]}}, "1 to 60"),
    ({"d365fo.dataalm.fo_data_package_import": {"src": "__ZIP__", "definition_group_id": "no-such-project",
                                                "legal_entity_id": "USMF"}}, "does not exist"),
    ({"d365fo.dataalm.fo_data_package_export": {"dest": "__DIR__/x.zip", "definition_group_id": "no-such-project",
                                                "package_name": "p", "legal_entity_id": "USMF"}}, "does not exist"),
]


def test_bad_package_inputs_fail_before_any_change(fo, tmp_path):
    zipped = email_package(tmp_path / "ok.zip")
    (tmp_path / "not.zip").write_text("plain text")
    tasks = []
    for n, (task, _message) in enumerate(PACKAGE_BAD):
        module, args = next(iter(task.items()))
        args = {k: str(v).replace("__ZIP__", str(zipped)).replace("__NOTZIP__", str(tmp_path / "not.zip"))
                .replace("__DIR__", str(tmp_path)) if isinstance(v, str) else v for k, v in args.items()}
        tasks.append({module: args, "register": "bad%d" % n})
    _proc, res = play(tmp_path, tasks, fo.defaults())
    for n, (_task, message) in enumerate(PACKAGE_BAD):
        assert res["bad%d" % n]["failed"] and message in res["bad%d" % n]["msg"], (n, res["bad%d" % n])
    counters = fo.counters()
    assert counters["imports_started"] == counters["exports_started"] == 0
    assert not [r for r in counters["requests"] if r.split()[0] in ("PATCH", "DELETE") or r in (
        "POST $batch", "POST GetAzureWriteUrl", "POST DataManagementDefinitionGroups")], counters["requests"]
    assert fo.sql("SELECT COUNT(*) FROM DMFDEFINITIONGROUP") == [(0,)]


def test_vvvv_output_holds_no_token_secret_or_signature(fo, tmp_path):
    play(tmp_path, [dict(EXPORT_PROJECT), dict(IMPORT_PROJECT)], fo.defaults())
    src = email_package(tmp_path / "settings.zip")
    endpoint = {"entity": "BusinessEventsEndpoints", "key": {"Name": "vvvv"}, "values": {"Type": "Http"},
                "secret_values": {"DecryptedAzureAppSecret": "Endpoint-S3cret!"}}
    # a partial import returns the signed URLs of its error files: the output then has signatures to hide
    partial = email_package(tmp_path / "partial.zip", extra_rows=[{"ID": 1, "SMTPPortNumber": "not-a-number"}])
    tasks = [export_task(tmp_path / "out.zip"), import_task(src), {"d365fo.dataalm.fo_entity": endpoint},
             dict(import_task(partial, allow_partial=True), register="partial")]
    proc, res = play(tmp_path, tasks, fo.defaults(), verbosity=4)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and res["export"]["status"] == "Succeeded" and res["imp"]["status"] == "Succeeded"
    assert res["partial"]["status"] == "PartiallySucceeded", res["partial"]
    assert "emu-app-secret" not in output and "Endpoint-S3cret!" not in output
    assert "eyJ" not in output  # no JWT
    signatures = re.findall(r"sig=([^&\s\"']+)", output)
    assert signatures, "no signed URL in the output: the scan below would prove nothing"
    assert all(s.startswith("*") for s in signatures), signatures


STATUS_POLL = "POST GetExecutionSummaryStatus"


def test_an_import_wait_stops_when_the_controller_is_killed(fo, tmp_path):
    """Issue 9 item 13 for the data package modules: no poller outlives its controller.

    Only ansible-playbook is SIGKILLed (as an OOM killer or a CI agent's timeout does); its forked worker and the
    module survive it. The progress slice is made long (the action plugin would otherwise end the module's wait
    after d365fo_dataalm_progress_interval), so only the module's own watch of its controller can end the wait.
    """
    src = email_package(tmp_path / "settings.zip")
    play(tmp_path, [dict(IMPORT_PROJECT)], fo.defaults())
    fo.settings(execution_seconds=6000000)  # far longer than this test at the emulator's speed
    playbook_dir = tmp_path / "orphan"
    playbook_dir.mkdir()
    play(playbook_dir, [import_task(src, poll_interval=1)], fo.defaults(), check=True)  # writes the playbook
    process = subprocess.Popen(
        [str(VENV_BIN / "ansible-playbook"), str(playbook_dir / "playbook.yml"), "-i", "localhost,", "-c", "local",
         "-e", "d365fo_dataalm_progress_interval=3600"],
        env=ansible_env(), cwd=str(playbook_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while fo.counters()["requests"].get(STATUS_POLL, 0) < 3:
            assert process.poll() is None, "the playbook ended before the import was polled"
            assert time.monotonic() < deadline, "the import never started or was never polled"
            time.sleep(0.5)
        os.kill(process.pid, signal.SIGKILL)  # the controller only; its worker and the module live on
        process.wait(30)
        time.sleep(5)  # a poll in flight or a last sleep may still finish
        settled = fo.counters()["requests"].get(STATUS_POLL, 0)
        time.sleep(10)  # ten poll intervals
        assert fo.counters()["requests"].get(STATUS_POLL, 0) == settled, "the orphaned module kept polling F&O"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
