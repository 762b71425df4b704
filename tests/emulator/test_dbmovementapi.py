"""The DBMovementAPI user after a movement, through the services' own APIs (addendum 1.3, SCHEDCOPY).

Microsoft: if the user exists in the source, a Power Platform copy enables it in the target (it may stay disabled
in production), so an automated import after the copy can sign in while every other user is disabled. Whether an
LCS refresh spares it is not documented: the emulator disables it, unless the world switch
``lcs.dbmovementapi_survives_refresh`` says the refresh behaves like the copy.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import yaml

from ._lcs import PROD, UAT, Lcs
from ._pp import FABRIKAM_PROD, FABRIKAM_UAT, Pp
from .test_data_through_time import _environment, _libpq

DEFAULT_WORLD = Path(__file__).resolve().parents[1] / "worlds" / "default.yml"
ENABLED = "SELECT ID FROM USERINFO WHERE ENABLE = 1 AND ID IN ('Admin', 'DBMovementAPI', 'dbmtestperson') ORDER BY ID"


def _plant_users(conn, dbmovementapi_enabled):
    """Production's users: DBMovementAPI (disabled there by default, as Microsoft allows) and a person."""
    conn.execute("INSERT INTO USERINFO (RECID, ID, NAME, ENABLE, NETWORKALIAS) VALUES "
                 "(5637999101, 'DBMovementAPI', 'DB movement', %s, 'dbmovement@contoso.example'), "
                 "(5637999102, 'dbmtestperson', 'A person', 1, 'person@contoso.example')",
                 (int(dbmovementapi_enabled),))


def test_a_unified_copy_leaves_dbmovementapi_enabled_and_disables_everyone_else(pp_emulator_db):
    emulator = pp_emulator_db
    pp = Pp(emulator)
    source = _libpq(_environment(emulator, "Fabrikam Production")["odbc_connection_string"])
    target = _libpq(_environment(emulator, "Fabrikam UAT")["odbc_connection_string"])
    with psycopg.connect(source, autocommit=True) as conn:
        _plant_users(conn, dbmovementapi_enabled=False)
    response = pp.call("POST", f"/environmentmanagement/environments/{FABRIKAM_UAT}/copy",
                       json={"sourceEnvironmentId": FABRIKAM_PROD, "copyType": "Full",
                             "copyOptions": {"executeAdvancedCopyForFinanceAndOperations": True}})
    assert response.status_code == 202, response.text
    emulator.advance(4000)
    pp.token = emulator.app_token(pp.app)  # the virtual hour outlived the token
    operations = pp.ok("GET", f"/environmentmanagement/environments/{FABRIKAM_UAT}/operations")["collection"]
    assert operations[0]["status"] == "Succeeded"
    with psycopg.connect(target) as conn:
        assert [r[0] for r in conn.execute(ENABLED).fetchall()] == ["Admin", "DBMovementAPI"]
    with psycopg.connect(source) as conn:  # production itself is untouched
        assert [r[0] for r in conn.execute(ENABLED).fetchall()] == ["Admin", "dbmtestperson"]


def _refresh_and_read(emulator):
    sql = _libpq(emulator.env("contoso-prod")["odbc_connection_string"])
    with psycopg.connect(sql, autocommit=True) as conn:
        _plant_users(conn, dbmovementapi_enabled=True)
    lcs = Lcs(emulator)
    activity = lcs.refresh(PROD, UAT)["OperationActivityId"]
    emulator.advance(60 + 7200 + 60)
    lcs.renew()
    assert lcs.status(UAT, activity)["OperationStatus"] == "Completed"
    with psycopg.connect(_libpq(emulator.env("contoso-uat")["odbc_connection_string"])) as conn:
        return [r[0] for r in conn.execute(ENABLED).fetchall()]


def test_an_lcs_refresh_disables_dbmovementapi_as_documented(emulator):
    assert _refresh_and_read(emulator) == ["Admin"]


def test_an_lcs_refresh_spares_dbmovementapi_only_behind_the_world_switch(start_emulator, tmp_path):
    world = yaml.safe_load(DEFAULT_WORLD.read_text())
    world["lcs"] = dict(world.get("lcs") or {}, dbmovementapi_survives_refresh=True)
    for project in world["projects"]:  # databases of their own, next to the session emulator's
        for env in project["environments"]:
            if env.get("database"):
                env["database"]["name"] = "sw_" + env["database"]["name"]
    path = tmp_path / "world.yml"
    path.write_text(yaml.safe_dump(world, sort_keys=False))
    assert _refresh_and_read(start_emulator(path)) == ["Admin", "DBMovementAPI"]
