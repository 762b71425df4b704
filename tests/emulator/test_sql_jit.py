"""The just-in-time SQL action of a unified environment (emulator/services/dataverse/sql_jit.py): a real
PostgreSQL login on the environment's own database, Reader or Writer, that expires in virtual time and that a
restore of the environment drops."""

from __future__ import annotations

import time

import psycopg
import pytest

from tests.emulator.test_dataverse import Dataverse

ACTION = "msprov_getfinopssqljitaccessasync"
FABRIKAM_UAT = "b2000000-0000-4000-8000-000000000002"


def _grant(emu, role="Writer", domain="fabrikam-uat", **extra):
    body = {"sqljitclientipaddress": "203.0.113.7", "sqljitrole": role, "sqljitreason": "clean-up", **extra}
    return Dataverse(emu, domain).ok("POST", ACTION, json=body).json()


def _connect(answer):
    host, port = answer["servername"].split(",")
    return psycopg.connect(host=host, port=port, dbname=answer["databasename"], user=answer["sqljitusername"],
                           password=answer["sqljitpassword"], autocommit=True, connect_timeout=10)


def _refused(answer):
    with pytest.raises(psycopg.OperationalError):
        _connect(answer).close()


def _settle(emu, answer, seconds=10):
    """Wait for the ticker (0.2 s) to drop the login."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(e["kind"] == "sql_jit_access_dropped" and e["user"] == answer["sqljitusername"]
               for e in emu.events(service="dataverse")):
            return
        time.sleep(0.2)
    raise AssertionError("the login was not dropped")


def test_a_writer_login_works_in_postgresql_and_a_reader_only_reads(pp_emulator_db):
    emu = pp_emulator_db
    writer = _grant(emu)
    assert set(writer) >= {"servername", "databasename", "sqljitusername", "sqljitpassword", "sqljitexpiration",
                           "sqljitrole", "ipaddress", "databasetype", "operationhistoryid"}
    assert writer["sqljitrole"] == "Writer" and writer["ipaddress"] == "203.0.113.7"
    with _connect(writer) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == writer["sqljitusername"]
        conn.execute("UPDATE USERINFO SET NAME = 'changed by JIT' WHERE ID = 'Admin'")
        conn.execute("CREATE TABLE DATAALMSTATE (NAME VARCHAR(60) PRIMARY KEY, VALUE VARCHAR(400))")
    reader = _grant(emu, role="Reader")
    assert reader["sqljitusername"] != writer["sqljitusername"]
    with _connect(reader) as conn:
        assert conn.execute("SELECT NAME FROM USERINFO WHERE ID = 'Admin'").fetchone()[0] == "changed by JIT"
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE USERINFO SET NAME = 'x' WHERE ID = 'Admin'")
    _refused(dict(writer, sqljitpassword="wrong"))


def test_a_login_expires_in_virtual_time(pp_emulator_db):
    emu = pp_emulator_db
    answer = _grant(emu, role="Reader")
    _connect(answer).close()
    emu.advance(7 * 3600)
    time.sleep(1)  # several ticks: seven hours in, the login still works
    _connect(answer).close()
    emu.advance(3600 + 60)
    _settle(emu, answer)
    _refused(answer)


def test_a_restore_of_the_environment_drops_its_logins(pp_emulator_db):
    emu = pp_emulator_db
    answer = _grant(emu)
    held = _connect(answer)  # an open session dies with the movement too
    emu.set_speed(600)
    instant = emu.state()["clock"]["now"]
    emu.advance(60)
    response = emu.http.post(f"{emu.base_url}/environmentmanagement/environments/{FABRIKAM_UAT}/restore",
                             params={"api-version": "2024-10-01"}, timeout=30,
                             headers={"Authorization": "Bearer " + emu.app_token("pp-automation")},
                             json={"sourceEnvironmentId": FABRIKAM_UAT, "restorePointDateTime": instant})
    assert response.status_code == 202, response.text
    _settle(emu, answer, seconds=120)
    _refused(answer)
    with pytest.raises(psycopg.OperationalError):
        held.execute("SELECT 1")
    fresh = _grant(emu)  # a new login after the movement works
    _connect(fresh).close()


@pytest.mark.parametrize(("body", "status"), [
    ({"sqljitrole": "Owner", "sqljitreason": "x"}, 400),
    ({"sqljitreason": "x"}, 400),
])
def test_bad_requests_are_refused_without_a_login(pp_emulator_db, body, status):
    response = Dataverse(pp_emulator_db, "fabrikam-uat").call("POST", ACTION, json=body)
    assert response.status_code == status, response.text
    assert "error" in response.json()
    assert not [e for e in pp_emulator_db.events(service="dataverse") if e["kind"] == "sql_jit_access_granted"]


def test_an_environment_without_its_own_fo_database_is_refused(pp_emulator_db):
    response = Dataverse(pp_emulator_db, "contoso-uat").call("POST", ACTION, json={"sqljitrole": "Reader"})
    assert response.status_code in (400, 403), response.text
