"""Who can sign in to the F&O application layer after a movement (seed 001; addendum section 1.3).

An LCS refresh disables every user except Admin and resets Admin to the target's administrator (the world's
``administrator``), so that person signs in with a delegated token and an application mapped to any other
user gets 401 until that user is enabled. DBMovementAPI survives a Power Platform copy (documented) and an
LCS refresh only behind the world switch ``lcs.dbmovementapi_survives_refresh`` (undocumented).
"""

from __future__ import annotations

import psycopg
import pytest
import requests

from emulator import fodb
from emulator.world import WorldError, parse_world

from ._lcs import PROD, UAT, Lcs

ADMINISTRATOR = "dataalm@contoso.example"  # contoso-uat's administrator in tests/worlds/default.yml
APP = "lcs-confidential"  # has a secret: client credentials


def _sql(emulator, pg_dsn, env, statement, params=None):
    with psycopg.connect(fodb.database_dsn(pg_dsn, emulator.env(env)["database"])) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def _person_token(emulator, username, audience):
    args = emulator.lcs_module_args(username)
    response = emulator.http.post(f"{emulator.base_url}/{args['tenant_id']}/oauth2/v2.0/token", timeout=30, data={
        "grant_type": "password", "client_id": args["client_id"], "username": username, "password": args["password"],
        "scope": audience + "/.default"})
    response.raise_for_status()
    return response.json()["access_token"]


def _users(emulator, token, env="contoso-uat"):
    return requests.get(f"{emulator.base_url}/fo/{env}/data/SystemUsers", timeout=30, verify=emulator.ca_file,
                        headers={"Authorization": "Bearer " + token})


def test_an_lcs_refresh_leaves_only_the_target_administrator_able_to_sign_in(emulator, pg_server):
    dsn = pg_server.admin_dsn
    audience = f"{emulator.base_url}/fo/contoso-uat"
    assert _sql(emulator, dsn, "contoso-uat", "SELECT NETWORKALIAS FROM USERINFO WHERE ID = 'Admin'") == [
        (ADMINISTRATOR,)]  # deployed for its administrator
    client_id = next(a["client_id"] for t in emulator.world["tenants"] for a in t["apps"] if a["name"] == APP)
    # production: the automation app mapped to bob, and a DBMovementAPI user, both enabled
    _sql(emulator, dsn, "contoso-prod", "INSERT INTO SYSAADCLIENTTABLE (RECID, AADCLIENTID, USERID, NAME) VALUES "
         "(5637999001, %s, 'bob', 'automation'), (5637999002, 'db-movement-app', 'DBMovementAPI', 'dbm')",
         (client_id,))
    _sql(emulator, dsn, "contoso-prod", "INSERT INTO USERINFO (RECID, ID, NAME, ENABLE, NETWORKALIAS) VALUES "
         "(5637999003, 'DBMovementAPI', 'DB movement', 1, 'dbmovement@contoso.example')")
    lcs = Lcs(emulator)
    activity = lcs.refresh(PROD, UAT)["OperationActivityId"]
    emulator.advance(60 + 7200 + 60)
    lcs.renew()
    assert lcs.status(UAT, activity)["OperationStatus"] == "Completed"

    assert _sql(emulator, dsn, "contoso-uat", "SELECT ID, NETWORKALIAS FROM USERINFO WHERE ENABLE = 1") == [
        ("Admin", ADMINISTRATOR)]  # production's Admin (admin@contoso.example) is reset, DBMovementAPI disabled
    assert _users(emulator, _person_token(emulator, ADMINISTRATOR, audience)).status_code == 200
    app = emulator.app_token(APP, audience + "/.default")
    refused = _users(emulator, app)
    assert refused.status_code == 401 and "bob" in refused.json()["error"]["innererror"]["message"]
    _sql(emulator, dsn, "contoso-uat", "UPDATE USERINFO SET ENABLE = 1 WHERE ID = 'bob'")
    assert _users(emulator, app).status_code == 200
    # anyone else is refused, even with a valid token for this environment
    assert _users(emulator, _person_token(emulator, "outsider@contoso.example", audience)).status_code == 401


@pytest.mark.parametrize("survives", [False, True])
def test_dbmovementapi_survives_a_refresh_only_behind_the_world_switch(emulator, pg_server, survives):
    dsn = pg_server.admin_dsn
    _sql(emulator, dsn, "contoso-test", "INSERT INTO USERINFO (RECID, ID, NAME, ENABLE, NETWORKALIAS) VALUES "
         "(5637999003, 'DBMovementAPI', 'DB movement', 1, 'dbmovement@contoso.example')")
    fodb.apply_lcs_refresh(dsn, emulator.env("contoso-test")["database"], administrator="erin@contoso.example",
                           keep_dbmovementapi=survives)
    enabled = _sql(emulator, dsn, "contoso-test", "SELECT ID, NETWORKALIAS FROM USERINFO WHERE ENABLE = 1 ORDER BY ID")
    assert enabled == [("Admin", "erin@contoso.example")] + ([("DBMovementAPI", "dbmovement@contoso.example")]
                                                             if survives else [])


def test_world_switch_and_administrator_are_validated():
    world = {"tenants": [{"id": "8f2c1a7e-0d4b-4c2e-9a51-3e6b7c8d9e0f", "domain": "c.example"}], "projects": [],
             "lcs": {"dbmovementapi_survives_refresh": True}}
    assert parse_world(world).lcs.dbmovementapi_survives_refresh is True
    with pytest.raises(WorldError, match=r"lcs\.dbmovementapi_survives_refresh: must be true or false"):
        parse_world(dict(world, lcs={"dbmovementapi_survives_refresh": "yes"}))
