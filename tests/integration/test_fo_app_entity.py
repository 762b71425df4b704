"""fo_entity through real ansible-playbook against the emulator's F&O OData endpoint and its PostgreSQL."""

from __future__ import annotations

from tests.integration.fo_app_support import TENANT, play

DISABLE = {"d365fo.dataalm.fo_entity": {"entity": "SystemUsers", "filter": "Enabled eq true and UserID ne 'Admin'",
                                        "values": {"Enabled": False}}, "register": "r"}


def enabled_users(fo):
    return sorted(row[0] for row in fo.sql("SELECT ID FROM USERINFO WHERE ENABLE = 1"))


def test_check_run_check_run_disables_users(fo, tmp_path):
    before = enabled_users(fo)
    assert len(before) > 2
    proc, res = play(tmp_path, [dict(DISABLE)], fo.defaults(), check=True, diff=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert res["r"]["changed"] and res["r"]["updated"] == len(before) - 1
    assert enabled_users(fo) == before  # check mode changed nothing
    proc, res = play(tmp_path, [dict(DISABLE)], fo.defaults(), diff=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert res["r"]["changed"] and res["r"]["updated"] == len(before) - 1
    assert enabled_users(fo) == ["Admin"]
    assert "Enabled" in proc.stdout  # the diff is shown
    for check in (True, False):
        proc, res = play(tmp_path, [dict(DISABLE)], fo.defaults(), check=check)
        assert proc.returncode == 0 and res["r"]["changed"] is False and res["r"]["updated"] == 0
    counters = fo.counters()["requests"]
    # one $batch for all changes of the run (batch_size 100), none in check mode or on the second run
    assert counters.get("POST $batch") == 1, counters


def test_create_update_delete_by_key_with_secret_values(fo, tmp_path):
    endpoint = {"entity": "BusinessEventsEndpoints", "key": {"Name": "test-http"},
                "values": {"Type": "Http", "AzureAppId": "app-1"},
                "secret_values": {"DecryptedAzureAppSecret": "Endpoint-S3cret!"}}
    proc, res = play(tmp_path, [{"d365fo.dataalm.fo_entity": endpoint, "register": "r"}], fo.defaults(), diff=True)
    assert proc.returncode == 0 and res["r"]["created"] == 1, proc.stdout
    assert fo.sql("SELECT TYPE, AZUREAPPSECRET FROM BUSINESSEVENTSENDPOINT WHERE NAME = 'test-http'") == [
        (5, "Endpoint-S3cret!")]
    assert "Endpoint-S3cret!" not in proc.stdout + proc.stderr
    proc, res = play(tmp_path, [{"d365fo.dataalm.fo_entity": endpoint, "register": "r"}], fo.defaults())
    assert res["r"]["changed"] is False  # the secret alone never counts as a difference
    read = {"entity": "BusinessEventsEndpoints", "state": "read", "filter": "Name eq 'test-http'"}
    absent = {"entity": "BusinessEventsEndpoints", "key": {"Name": "test-http"}, "state": "absent"}
    proc, res = play(tmp_path, [{"d365fo.dataalm.fo_entity": read, "register": "read"},
                                {"d365fo.dataalm.fo_entity": absent, "register": "gone"},
                                {"d365fo.dataalm.fo_entity": absent, "register": "again"}], fo.defaults())
    assert res["read"]["count"] == 1 and res["read"]["records"][0]["Type"] == "Http"
    assert "@odata.etag" not in res["read"]["records"][0]
    assert res["gone"]["deleted"] == 1 and res["again"]["changed"] is False
    assert fo.sql("SELECT COUNT(*) FROM BUSINESSEVENTSENDPOINT WHERE NAME = 'test-http'") == [(0,)]


def test_paging_and_a_429_storm(fo, tmp_path):
    fo.sql("INSERT INTO USERINFO (RECID, ID, NAME, ENABLE) SELECT 6000000000 + i, 'page' || i, 'x', 1 "
           "FROM generate_series(1, 250) i")
    fo.emu.set_faults(throttle={"route": "/fo/*", "count": 6, "retry_after": 1})
    task = {"d365fo.dataalm.fo_entity": dict(DISABLE["d365fo.dataalm.fo_entity"], batch_size=40), "register": "r"}
    proc, res = play(tmp_path, [task], fo.defaults())
    assert proc.returncode == 0 and res["r"]["updated"] >= 250, proc.stdout
    assert res["r"]["api_retries"]["429"] == 6
    assert enabled_users(fo) == ["Admin"]
    assert fo.emu.counters()["throttled"]["total"] == 6


def test_unregistered_application_and_disabled_mapped_user_get_401(fo, tmp_path):
    read = {"d365fo.dataalm.fo_entity": {"entity": "SystemUsers", "state": "read"}, "register": "r"}
    fo.sql("UPDATE USERINFO SET ENABLE = 0 WHERE ID = 'Admin'")
    _proc, res = play(tmp_path, [dict(read)], fo.defaults())
    assert res["r"]["failed"] and res["r"]["http_status"] == 401 and "Microsoft Entra applications" in res["r"]["msg"]
    assert res["r"]["request_id"]  # F&O's activity id (ms-dyn-aid)
    fo.sql("DELETE FROM SYSAADCLIENTTABLE")
    fo.sql("UPDATE USERINFO SET ENABLE = 1 WHERE ID = 'Admin'")
    _proc, res = play(tmp_path, [dict(read)], fo.defaults())
    assert res["r"]["failed"] and res["r"]["http_status"] == 401


BAD = [
    ({"entity": "System Users", "state": "read"}, "entity must be an entity set name"),
    ({"entity": "SystemUsers", "values": {"Enabled": False}}, "needs key"),
    ({"entity": "SystemUsers", "key": {"UserID": "a"}, "filter": "Enabled eq true", "values": {"Enabled": False}},
     "not both"),
    ({"entity": "SystemUsers", "filter": "$filter=Enabled eq true", "values": {"Enabled": False}},
     "OData $filter only"),
    ({"entity": "SystemUsers", "key": {"UserID": None}, "values": {"Enabled": False}}, "single value"),
    ({"entity": "SystemUsers", "key": {"UserID": "a"}}, "needs values"),
    ({"entity": "SystemUsers", "key": {"UserID": "a"}, "state": "absent", "values": {"Enabled": False}},
     "only used with state=present"),
    ({"entity": "SystemUsers", "key": {"UserID": "a"}, "values": {"UserID": "b"}}, "cannot be changed"),
    ({"entity": "CustomersV3", "filter": "CreditLimit gt 0", "values": {"CreditLimit": 0}}, "key_fields is required"),
    ({"entity": "SystemUsers", "filter": "Enabled eq true", "values": {"Enabled": False}, "batch_size": 0},
     "batch_size must be"),
    ({"entity": "SystemUsers", "key": {"UserID": "a"}, "values": {"A": 1}, "secret_values": {"A": 2}},
     "in both values and secret_values"),
    ({"entity": "SystemUsers", "state": "read", "environment_url": "http://insecure.example"},
     "environment_url must be"),
    ({"entity": "SystemUsers", "state": "read", "environment_url": "https://fo.example/data"},
     "no /data"),
    ({"entity": "SystemUsers", "state": "read", "client_secret": None, "token_cache": "/nonexistent/cache.json"},
     "no credential was given"),
    ({"entity": "SystemUsers", "state": "read", "tenant_id": "organizations"}, "tenant_id must name"),
    ({"entity": "SystemUsers", "state": "read", "timeout": 0}, "timeout must be"),
    ({"entity": "SystemUsers", "filter": "Enabled eq", "values": {"Enabled": False}}, "Syntax error"),
]


def test_bad_inputs_fail_with_what_to_change_and_change_nothing(fo, tmp_path):
    before = fo.sql("SELECT md5(string_agg(t::text, '|' ORDER BY RECID)) FROM USERINFO t")
    tasks = [{"d365fo.dataalm.fo_entity": args, "register": "bad%d" % n} for n, (args, _msg) in enumerate(BAD)]
    _proc, res = play(tmp_path, tasks, fo.defaults())
    for n, (_args, message) in enumerate(BAD):
        result = res["bad%d" % n]
        assert result["failed"] and message in result["msg"], (n, result.get("msg"))
        assert not result.get("changed")
    requests = fo.counters()["requests"]
    assert not [r for r in requests if r.split()[0] in ("PATCH", "DELETE") or r == "POST $batch"], requests
    assert fo.sql("SELECT md5(string_agg(t::text, '|' ORDER BY RECID)) FROM USERINFO t") == before
    assert len(BAD) >= 15


def test_a_persons_delegated_token_from_a_refresh_token(fo, tmp_path):
    """After a movement only the environment administrator can sign in: a delegated token, no application."""
    fo.sql("UPDATE USERINFO SET NETWORKALIAS = 'dataalm@contoso.example' WHERE ID = 'Admin'")
    fo.sql("DELETE FROM SYSAADCLIENTTABLE")
    public_app = "5b8e2f3a-7c41-4d9e-b2a6-1f0e3d4c5b6a"

    def refresh_token():  # as sign_in.yml would have left it: a person's refresh token for the environment URL
        return fo.emu.http.post(f"{fo.emu.base_url}/{TENANT}/oauth2/v2.0/token", timeout=30, data={
            "grant_type": "password", "client_id": public_app, "username": "dataalm@contoso.example",
            "password": "Emu-Passw0rd!", "scope": f"{fo.url}/.default offline_access"}).json()["refresh_token"]

    token = refresh_token()
    defaults = fo.defaults(client_id=public_app, client_secret=None, refresh_token=token)
    read = {"d365fo.dataalm.fo_entity": {"entity": "SystemUsers", "state": "read", "key": {"UserID": "Admin"}},
            "register": "r"}
    proc, res = play(tmp_path, [dict(read)], defaults, verbosity=4)
    assert proc.returncode == 0 and res["r"]["count"] == 1, proc.stdout[-3000:]
    assert token not in proc.stdout + proc.stderr
    fo.sql("UPDATE USERINFO SET ENABLE = 0 WHERE ID = 'Admin'")  # a disabled user is refused
    _proc, res = play(tmp_path, [dict(read)], dict(defaults, refresh_token=refresh_token()))
    assert res["r"]["failed"] and res["r"]["http_status"] == 401


def test_live_progress_of_the_batches_at_default_verbosity(fo, tmp_path):
    """Each $batch is held 1.5 s by the emulator: the controller prints records sent of records planned."""
    import re

    fo.emu.set_faults({"kind": "latency", "route": "*$batch", "seconds": 1.5})
    task = {"d365fo.dataalm.fo_entity": dict(DISABLE["d365fo.dataalm.fo_entity"], batch_size=1), "register": "r"}
    proc, res = play(tmp_path, [task], fo.defaults(), extra_vars={"d365fo_dataalm_progress_interval": 1})
    fo.emu.clear_faults()
    assert proc.returncode == 0 and res["r"]["updated"] >= 3, proc.stdout + proc.stderr
    total = res["r"]["updated"]
    done = [int(n) for n in re.findall(r"^fo_entity: SystemUsers (\d+) of %d records, elapsed \d+:\d\d:\d\d$"
                                       % total, proc.stdout, re.M)]
    assert done and 0 < done[0] < total and done == sorted(done), proc.stdout[-3000:]
