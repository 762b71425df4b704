"""pp_* modules through real ansible-playbook against the emulator's Power Platform world."""

from __future__ import annotations

import datetime
import re

from tests.integration.pp_cases import BAD_INPUT
from tests.integration.pp_support import (
    ADMIN_MODE,
    APP_SECRET,
    BACKUP,
    BACKUP_INFO,
    CONTOSO_TEST_INITIAL,
    CONTOSO_UAT,
    FABRIKAM_PROD,
    FABRIKAM_UAT,
    FAILED_RESTORE,
    INFO,
    NO_CONTRIBUTOR_APP,
    OPERATION_INFO,
    TRIAL,
    play,
    pp_world_with,
    requests_made,
    task,
)


def test_environment_info_reads_every_page_and_tells_unified_from_lcs(tmp_path, pp_emulator):
    _proc, r = play(tmp_path, pp_emulator.pp_module_args(), [task("all", INFO)])
    envs = {env["id"]: env for env in r["all"]["environments"]}
    assert len(envs) == 8  # two pages of four
    assert envs[FABRIKAM_PROD]["finops_management"] == "unified"
    assert envs[FABRIKAM_PROD]["finops_deployment_type"] == "UnifiedProduction"
    assert envs[CONTOSO_UAT]["finops_management"] == "lcs" and envs[CONTOSO_UAT]["dataverse"] is True
    initial = envs[CONTOSO_TEST_INITIAL]
    assert initial["dataverse"] is False and initial["url"] is None and initial["finops_management"] == "lcs"
    assert envs[FABRIKAM_UAT]["admin_mode"] == "disabled" and envs[FABRIKAM_UAT]["background_operations"] == "enabled"
    assert envs[FABRIKAM_PROD]["retention_period"] == "P28D" and envs[FABRIKAM_UAT]["retention_period"] == "P7D"
    assert envs[FABRIKAM_UAT]["retention_available_from"].endswith("Z")
    assert envs[FABRIKAM_UAT]["free_capacity_mb"] == 37.5 * 1024  # the world's free Dataverse capacity
    assert envs[FABRIKAM_UAT]["finops_deployment_type"] == "UnifiedSandbox" and not r["all"]["notes"]


def test_environment_info_falls_back_when_the_app_may_not_read_finops_properties(tmp_path, pp_emulator):
    # pp-partial has an application user in Contoso UAT only: elsewhere the F&O properties are refused
    _proc, r = play(tmp_path, pp_emulator.pp_module_args("pp-partial"), [task("all", INFO)])
    envs = {env["id"]: env for env in r["all"]["environments"]}
    assert envs[CONTOSO_UAT]["finops_deployment_type"] == "LCSSandbox"
    fabrikam = envs[FABRIKAM_UAT]
    assert fabrikam["finops_deployment_type"] is None and fabrikam["finops_management"] == "unified"
    assert any(FABRIKAM_UAT in note and "finOpsMetadata.type" in note for note in r["all"]["notes"])


def test_backup_check_run_check_run_and_an_old_label_does_not_count(tmp_path, pp_emulator):
    args = pp_emulator.pp_module_args()
    backup = task("backup", BACKUP, environment_id=FABRIKAM_UAT, label="pre-release", max_age="12h")
    _proc, r = play(tmp_path, args, [dict(backup)], check=True, name="check1.yml")
    assert r["backup"]["changed"] is True and r["backup"]["backup"] is None  # the 1-day-old one is outside 12h
    assert requests_made(pp_emulator, mutating_only=True) == 0
    _proc, r = play(tmp_path, args, [dict(backup)], name="run1.yml")
    made = r["backup"]["backup"]
    assert r["backup"]["changed"] is True and made["label"] == "pre-release"
    assert made["restorable_after"] > made["backup_point"]
    _proc, r = play(tmp_path, args, [dict(backup)], check=True, name="check2.yml")
    assert r["backup"]["changed"] is False and r["backup"]["backup"]["id"] == made["id"]
    _proc, r = play(tmp_path, args, [dict(backup)], name="run2.yml")
    assert r["backup"]["changed"] is False and r["backup"]["backup"]["id"] == made["id"]
    assert requests_made(pp_emulator, mutating_only=True) == 1
    _proc, r = play(tmp_path, args, [task("listed", BACKUP_INFO, environment_id=FABRIKAM_UAT, label="pre-release")],
                    name="info.yml")
    assert r["listed"]["backups"][0]["id"] == made["id"]
    assert len(r["listed"]["backups"]) == 3  # the new one and the two older ones, over pages of two


def test_backup_refuses_environments_without_manual_backups(tmp_path, pp_emulator):
    _proc, r = play(tmp_path, pp_emulator.pp_module_args(), [
        task("initial", BACKUP, environment_id=CONTOSO_TEST_INITIAL, label="x"),
        task("trial", BACKUP, environment_id=TRIAL, label="x")])
    assert r["initial"]["failed"] and "lcs_database_export" in r["initial"]["msg"]
    assert r["trial"]["failed"] and "no manual backups" in r["trial"]["msg"]
    assert requests_made(pp_emulator, mutating_only=True) == 0


def test_admin_mode_check_run_check_run_with_diff(tmp_path, pp_emulator):
    args = pp_emulator.pp_module_args()
    switch = task("switch", ADMIN_MODE, environment_id=FABRIKAM_UAT, admin_mode="enabled", poll_interval=1)
    proc, r = play(tmp_path, args, [dict(switch)], check=True, diff=True, name="check1.yml")
    assert r["switch"]["changed"] is True and r["switch"]["admin_mode"] == "enabled"
    assert r["switch"]["before"]["admin_mode"] == "disabled"
    assert "admin_mode" in proc.stdout  # the diff is shown
    assert requests_made(pp_emulator, mutating_only=True) == 0
    _proc, r = play(tmp_path, args, [dict(switch)], name="run1.yml")
    assert r["switch"]["changed"] is True and r["switch"]["admin_mode"] == "enabled"
    _proc, r = play(tmp_path, args, [dict(switch)], check=True, name="check2.yml")
    assert r["switch"]["changed"] is False
    _proc, r = play(tmp_path, args, [dict(switch)], name="run2.yml")
    assert r["switch"]["changed"] is False
    assert requests_made(pp_emulator, mutating_only=True) == 1
    _proc, r = play(tmp_path, args, [task("env", INFO, environment_id=FABRIKAM_UAT, capacity=False)], name="info.yml")
    assert r["env"]["environments"][0]["admin_mode"] == "enabled"


def test_background_operations_check_run_check_run(tmp_path, pp_emulator):
    args = pp_emulator.pp_module_args()
    switch = task("switch", ADMIN_MODE, environment_id=FABRIKAM_UAT, background_operations="disabled",
                  poll_interval=1)
    _proc, r = play(tmp_path, args, [dict(switch)], check=True, name="bg-check1.yml")
    assert r["switch"]["changed"] is True and requests_made(pp_emulator, mutating_only=True) == 0
    _proc, r = play(tmp_path, args, [dict(switch)], name="bg-run1.yml")
    assert r["switch"]["changed"] is True and r["switch"]["background_operations"] == "disabled"
    _proc, r = play(tmp_path, args, [dict(switch)], check=True, name="bg-check2.yml")
    assert r["switch"]["changed"] is False
    _proc, r = play(tmp_path, args, [dict(switch)], name="bg-run2.yml")
    assert r["switch"]["changed"] is False
    assert requests_made(pp_emulator, mutating_only=True) == 1
    assert pp_emulator.events(environment="Fabrikam UAT")[-1]["background_operations"] is False


def test_operation_info_reads_one_and_lists_recent(tmp_path, pp_emulator):
    _proc, r = play(tmp_path, pp_emulator.pp_module_args(), [
        task("one", OPERATION_INFO, operation_id=FAILED_RESTORE),
        task("scoped", OPERATION_INFO, environment_id=FABRIKAM_UAT, operation_id=FAILED_RESTORE),
        task("recent", OPERATION_INFO, environment_id=FABRIKAM_UAT, limit=4),
        task("waited", OPERATION_INFO, environment_id=FABRIKAM_UAT, operation_id=FAILED_RESTORE, wait=True)])
    assert (r["one"]["status"], r["one"]["state"], r["one"]["done"]) == ("Failed", "failed", True)
    assert r["scoped"]["name"] == "Restore" and not r["scoped"].get("failed")
    assert [op["state"] for op in r["recent"]["operations"]] == ["succeeded", "succeeded", "failed", "succeeded"]
    assert r["waited"]["failed"] and "OperationFailed" in r["waited"]["msg"]


def test_each_permission_failure_names_what_to_grant(tmp_path, pp_emulator):
    emu = pp_emulator
    cases = [
        (emu.pp_module_args("pp-unregistered"), task("unregistered", INFO, capacity=False),
         "pac admin application register"),
        (emu.pp_module_args("pp-partial"), task("no_app_user", BACKUP, environment_id=FABRIKAM_UAT, label="x"),
         "application user with the System Administrator security role in environment " + FABRIKAM_UAT),
        (dict(emu.pp_module_args("lcs-automation"), username="dataalm@contoso.example", password="Emu-Passw0rd!"),
         task("user_not_admin", INFO, capacity=False), "Power Platform administrator role"),
    ]
    messages = {}
    for index, (defaults, item, words) in enumerate(cases):
        _proc, r = play(tmp_path, defaults, [item], name="case%d.yml" % index)
        result = r[item["register"]]
        assert result["failed"] and words in result["msg"], (item["register"], result.get("msg"))
        messages[item["register"]] = result["msg"]
    assert len(set(messages.values())) == len(cases)
    assert requests_made(emu, mutating_only=True) == 0


def test_a_token_for_another_api_names_the_audience(tmp_path, start_emulator):
    # a caller-supplied token is judged by the controller's clock too, so this world's clock runs from now
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    emu = start_emulator(pp_world_with(tmp_path, clock_start=now), databases=False)
    bap_token = emu.app_token(scope="https://service.powerapps.com//.default")
    _proc, r = play(tmp_path, dict(emu.pp_module_args(), client_id="", client_secret="", access_token=bap_token),
                    [task("wrong_audience", INFO, capacity=False)])
    result = r["wrong_audience"]
    assert result["failed"] and result["http_status"] == 401
    assert "https://api.powerplatform.com/.default" in result["msg"] and "audience" in result["msg"]


def test_missing_contributor_role_names_it(tmp_path, start_emulator):
    # the world's pp-no-contributor app has no application user anywhere, so the environment check would
    # answer first; here it has one in Fabrikam UAT and only the tenant-level role is missing
    world = pp_world_with(tmp_path, **{FABRIKAM_UAT: lambda env: env["dataverse"]["application_users"].append(
        NO_CONTRIBUTOR_APP)})
    emu = start_emulator(world, databases=False)
    _proc, r = play(tmp_path, emu.pp_module_args("pp-no-contributor"), [
        task("no_contributor", BACKUP, environment_id=FABRIKAM_UAT, label="x")])
    assert r["no_contributor"]["failed"]
    assert "Power Platform Contributor role at tenant scope" in r["no_contributor"]["msg"]
    assert r["no_contributor"]["error_code"] == "MissingPowerPlatformContributorRole"


def test_tokens_expire_and_are_renewed_during_a_long_wait_with_live_progress(tmp_path, start_emulator):
    # a 3-hour restore at 300x virtual speed (36 real seconds) while tokens live 900 virtual seconds (3 real ones)
    restore = {"id": "e5000000-0000-4000-8000-000000000099", "name": "Restore", "started": 0, "run_seconds": 10800}
    world = pp_world_with(tmp_path, **{FABRIKAM_UAT: lambda env: env["operations"].append(restore)})
    emu = start_emulator(world, databases=False, speed=300)
    emu.set_faults(token_lifetime=900)
    proc, r = play(tmp_path, emu.pp_module_args(), [
        task("wait", OPERATION_INFO, environment_id=FABRIKAM_UAT, operation_id=restore["id"], wait=True,
             wait_timeout=600, poll_interval=5)], vars={"d365fo_dataalm_progress_interval": 15})
    result = r["wait"]
    assert not result.get("failed"), result.get("msg")
    assert (result["status"], result["state"]) == ("Succeeded", "succeeded")
    refused = sum(statuses.get("401", 0) for route, statuses in emu.counters()["requests"].items()
                  if "/operations/" in route)
    assert refused >= 2  # tokens did expire mid-wait, and every time a renewed one carried on
    progress = re.findall(r"pp_operation_info: operation %s status (\w+), elapsed" % restore["id"], proc.stdout)
    assert len(progress) >= 2 and "InProgress" in progress


def test_429_storm_is_ridden_out_without_a_second_backup(tmp_path, pp_emulator):
    emu = pp_emulator
    emu.set_faults(throttle={"route": "/environmentmanagement/*", "count": 6, "retry_after": 1})
    _proc, r = play(tmp_path, emu.pp_module_args(), [
        task("backup", BACKUP, environment_id=FABRIKAM_PROD, label="storm")])
    assert r["backup"]["changed"] is True and not r["backup"].get("failed")
    assert r["backup"]["api_retry_reasons"] == {"429": 6}
    assert requests_made(emu, mutating_only=True) == 1
    labels = [b["label"] for e in emu.state()["power_platform"]["environments"] if e["id"] == FABRIKAM_PROD
              for b in e["backups"]]
    assert labels.count("storm") == 1


def test_bad_input_fails_before_any_call(tmp_path, pp_emulator):
    tasks = [dict(item) for item, _words in BAD_INPUT]
    # no default token cache in this HOME: the missing-credential case must not find one
    _proc, r = play(tmp_path, pp_emulator.pp_module_args(), tasks, env={"HOME": str(tmp_path)})
    problems = ["%s: %r" % (item["register"], (r.get(item["register"]) or {}).get("msg"))
                for item, words in BAD_INPUT
                if not (r.get(item["register"]) or {}).get("failed")
                or words not in (r.get(item["register"]) or {}).get("msg", "")]
    assert not problems, "\n".join(problems)
    assert len(BAD_INPUT) >= 15
    assert requests_made(pp_emulator) == 0  # not even a read


SECRET_PATTERNS = [re.escape(APP_SECRET), r"eyJ[A-Za-z0-9_-]{10,}\.", r"(?i)bearer\s+[A-Za-z0-9._-]{20,}",
                   r"client_secret=\w"]


def test_vvvv_output_contains_no_secret(tmp_path, pp_emulator):
    args = pp_emulator.pp_module_args()
    assert args["client_secret"] == APP_SECRET
    proc, r = play(tmp_path, args, [
        task("info", INFO, environment_id=FABRIKAM_UAT),
        task("backup", BACKUP, environment_id=FABRIKAM_UAT, label="vvvv"),
        task("mode", ADMIN_MODE, environment_id=FABRIKAM_UAT, background_operations="enabled"),
        task("refused", INFO, client_secret="wr0ng-" + APP_SECRET)], verbosity=4)
    assert r["backup"]["changed"] and r["refused"]["failed"]
    output = proc.stdout + proc.stderr
    assert "pp_environment_backup" in output and len(output) > 10000
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output
    leaks = [p for p in SECRET_PATTERNS if re.search(p, output)]
    assert not leaks, leaks
