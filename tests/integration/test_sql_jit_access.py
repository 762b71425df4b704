"""dataverse_sql_jit_access through real ansible-playbook against the emulator's Power Platform world with its
PostgreSQL databases: the credentials work for the SQL modules, the password never reaches the output (-vvvv),
check mode issues no login, and wrong inputs fail before any request."""

from __future__ import annotations

import re

from tests.integration.pp_support import play, pp_world_with, requests_made, task

JIT = "d365fo.dataalm.dataverse_sql_jit_access"
PSQL_DRIVER = "PostgreSQL Unicode"  # the emulator's databases are PostgreSQL (psqlODBC)


def _granted(emu):
    return [e for e in emu.events(service="dataverse") if e["kind"] == "sql_jit_access_granted"]


def _defaults(emu):
    return dict(emu.pp_module_args(), organization_url=emu.dataverse_url("fabrikam-uat"))


def test_credentials_serve_the_sql_modules_and_never_reach_the_output(tmp_path, start_emulator):
    emu = start_emulator(pp_world_with(tmp_path), databases=True)
    tasks = [task("jit", JIT, access="Writer", reason="test", client_ip="203.0.113.7", driver=PSQL_DRIVER),
             {"name": "who", "register": "who", "d365fo.dataalm.fo_sql": {
                 "connection_string": "{{ jit.connection_string }}", "environment_type": "Sandbox",
                 "statements": ["SELECT current_user"]}}]
    proc, r = play(tmp_path, _defaults(emu), tasks, verbosity=4)
    output = proc.stdout + proc.stderr
    assert r["jit"]["requested"] is True and r["jit"]["changed"] is False, output[-3000:]
    assert r["jit"]["access"] == "Writer" and r["jit"]["client_ip"] == "203.0.113.7"
    assert r["jit"]["expires_at"].endswith("Z") and "password" not in r["jit"]
    # the SQL module connected as the just-in-time login
    assert r["who"]["results"][0]["rows"] == [[r["jit"]["user"]]], r["who"]
    password = re.search(r"PWD=([^;]+);", r["jit"]["connection_string"]).group(1)
    assert len(password) >= 16
    assert password not in output and r["jit"]["connection_string"] not in output
    assert "hidden due to the fact that 'no_log: true'" in output  # the result is censored ...
    assert re.search(r"dataverse_sql_jit_access: Writer access to database \S+ on \S+ as jit_\w+ until", output)
    assert len(_granted(emu)) == 1


def test_check_mode_issues_no_login(tmp_path, start_emulator):
    emu = start_emulator(pp_world_with(tmp_path), databases=True)
    _proc, r = play(tmp_path, _defaults(emu), [task("jit", JIT, access="Writer", driver=PSQL_DRIVER)], check=True)
    assert r["jit"]["requested"] is False and "connection_string" not in r["jit"]
    assert _granted(emu) == [] and requests_made(emu, mutating_only=True) == 0


def test_wrong_inputs_fail_before_any_request_and_say_what_to_change(tmp_path, start_emulator):
    emu = start_emulator(pp_world_with(tmp_path), databases=False)
    tasks = [task("bad_ip", JIT, access="Writer", client_ip="my laptop"),
             task("bad_access", JIT, access="Owner"),
             task("bad_org", JIT, organization_url="fabrikam-uat")]
    _proc, r = play(tmp_path, _defaults(emu), tasks)
    assert r["bad_ip"]["failed"] and "client_ip must be one IP address" in r["bad_ip"]["msg"]
    assert r["bad_access"]["failed"] and "Reader, Writer" in r["bad_access"]["msg"]
    assert r["bad_org"]["failed"] and "organization_url" in r["bad_org"]["msg"]
    assert _granted(emu) == []


def test_an_environment_without_its_own_fo_database_fails_with_the_service_reason(tmp_path, start_emulator):
    """contoso-uat is linked to an LCS environment: its database is LCS's, so Dataverse offers no JIT access."""
    emu = start_emulator(pp_world_with(tmp_path), databases=True)
    defaults = dict(emu.pp_module_args(), organization_url=emu.dataverse_url("contoso-uat"))
    _proc, r = play(tmp_path, defaults, [task("jit", JIT, access="Reader", driver=PSQL_DRIVER)])
    assert r["jit"]["failed"] and r["jit"]["http_status"] == 400, r["jit"]
    assert "only unified environments offer just-in-time SQL access" in r["jit"]["msg"]
    assert "connection_string" not in r["jit"] and _granted(emu) == []
