"""Data through time: rows written before and after an instant, read back as of the instant, row by row.

For the F&O database of a unified environment (PostgreSQL row history: history.sql), read without
changing anything (admin API) and materialised by rewinding a copy (what a restore will do); and for
the environment's Dataverse store.
"""

from __future__ import annotations

import json

import psycopg
import pytest

from emulator.services.databases import history

UAT = "Fabrikam UAT"


def _libpq(odbc: str) -> str:
    parts = dict(p.split("=", 1) for p in odbc.split(";") if "=" in p)
    return (f"host={parts['Server']} port={parts['Port']} dbname={parts['Database']} user={parts['Uid']} "
            f"password={parts['Pwd']}")


def _environment(emulator, name: str) -> dict:
    return next(e for e in emulator.state()["power_platform"]["environments"] if e["name"] == name)


def _dump(conn) -> dict[str, list[dict]]:
    """Every row of every table, as the history reads them (sorted JSON images)."""
    return {table: sorted((r[0] for r in conn.execute(f'SELECT to_jsonb(t) FROM "{table}" t').fetchall()),
                          key=lambda row: json.dumps(row, sort_keys=True, separators=(",", ":")))
            for table in history.tables(conn)}


def _as_of(emulator, path: str, instant: str) -> dict:
    response = emulator.http.get(f"{emulator.admin_url}/{path}", params={"as_of": instant}, timeout=120)
    assert response.status_code == 200, response.text
    return response.json()["tables"]


def _write_before(conn):
    conn.execute("INSERT INTO USERINFO (ID, NAME, NETWORKALIAS, ENABLE, RECID) "
                 "VALUES ('before', 'Written before', 'before@fabrikam.example', 1, 900000001)")
    conn.execute("UPDATE BATCHJOB SET STATUS = 4 WHERE RECID = (SELECT min(RECID) FROM BATCHJOB)")
    conn.execute("DELETE FROM SYSOUTGOINGEMAILTABLE WHERE RECID = (SELECT min(RECID) FROM SYSOUTGOINGEMAILTABLE)")


def _write_after(conn):
    conn.execute("INSERT INTO USERINFO (ID, NAME, NETWORKALIAS, ENABLE, RECID) "
                 "VALUES ('after', 'Written after', 'after@fabrikam.example', 1, 900000002)")
    conn.execute("UPDATE USERINFO SET NAME = 'Changed after' WHERE ID = 'before'")
    conn.execute("UPDATE BATCHJOB SET STATUS = 1")
    conn.execute("DELETE FROM USERINFO WHERE ID = 'Admin'")
    conn.execute("TRUNCATE BATCHSERVERGROUP")


def test_fo_database_rows_as_of_an_instant(pp_emulator_db, pg_server):
    emulator = pp_emulator_db
    odbc = _environment(emulator, UAT)["odbc_connection_string"]
    with psycopg.connect(_libpq(odbc), autocommit=True) as conn:
        seeded = _dump(conn)
        start = emulator.state()["clock"]["now"]
        emulator.advance(60)
        _write_before(conn)
        emulator.advance(60)
        instant = emulator.state()["clock"]["now"]
        expected = _dump(conn)
        emulator.advance(60)
        _write_after(conn)
        now = _dump(conn)
    assert expected != seeded and now != expected  # both sides of the instant really changed data
    assert expected["userinfo"] != now["userinfo"] and expected["batchservergroup"] != now["batchservergroup"]

    # read, changing nothing: exactly the rows at the instant, and at the start
    assert _as_of(emulator, f"databases/{UAT}", instant) == expected
    assert _as_of(emulator, f"databases/{UAT}", start) == seeded
    with psycopg.connect(_libpq(odbc), autocommit=True) as conn:
        assert _dump(conn) == now

    # materialise: a copy rewound to the instant holds exactly the rows of the instant
    dbname = dict(p.split("=", 1) for p in odbc.split(";") if "=" in p)["Database"]
    copy = f"{dbname}_asof"
    pg_server.psql(f'CREATE DATABASE "{copy}" TEMPLATE "{dbname}"')
    try:
        with psycopg.connect(_libpq(odbc.replace(f"Database={dbname}", f"Database={copy}")),
                             autocommit=True) as conn:
            assert history.rewind(conn, instant) > 0
            assert _dump(conn) == expected
            assert history.rewind(conn, start) > 0
            assert _dump(conn) == seeded
    finally:
        pg_server.drop_database(copy)


def test_dataverse_rows_as_of_an_instant(pp_emulator):
    from .test_dataverse import Dataverse

    emulator = pp_emulator
    dv = Dataverse(emulator, "fabrikam-uat")
    start = emulator.state()["clock"]["now"]
    seeded = _as_of(emulator, "dataverse/fabrikam-uat", start)
    emulator.advance(60)
    first = dv.ok("POST", "solutions", status=204, json={"uniquename": "Before"}).headers["OData-EntityId"]
    dv.ok("PATCH", "msdyn_dualwriteruntimeconfigs(d5000000-0000-4000-8000-000000000001)", status=204,
          json={"msdyn_unsecure": "set before"}, headers={"If-Match": "*"})
    emulator.advance(60)
    instant = emulator.state()["clock"]["now"]
    expected = _as_of(emulator, "dataverse/fabrikam-uat", instant)
    emulator.advance(60)
    dv.ok("POST", "solutions", status=204, json={"uniquename": "After"})
    dv.ok("PATCH", first.split("/v9.2/")[1], status=204, json={"uniquename": "Renamed after"},
          headers={"If-Match": "*"})
    dv.ok("DELETE", "msdyn_dualwriteruntimeconfigs(d5000000-0000-4000-8000-000000000001)", status=204)

    assert [r["uniquename"] for r in expected["solutions"]] == ["Before"]
    assert expected["msdyn_dualwriteruntimeconfigs"][0]["msdyn_unsecure"] == "set before"
    assert _as_of(emulator, "dataverse/fabrikam-uat", instant) == expected
    assert _as_of(emulator, "dataverse/fabrikam-uat", start) == seeded
    now = _as_of(emulator, "dataverse/fabrikam-uat", emulator.state()["clock"]["now"])
    assert sorted(r["uniquename"] for r in now["solutions"]) == ["After", "Renamed after"]
    assert now["msdyn_dualwriteruntimeconfigs"] == []


@pytest.mark.parametrize(("path", "params", "status"), [
    ("databases/Fabrikam UAT", {"as_of": "yesterday"}, 400),
    ("databases/Fabrikam UAT", {"as_of": "2026-03-02T08:00:00"}, 400),  # no zone
    ("databases/contoso-uat", {}, 404),  # an LCS environment keeps no row history
    ("dataverse/nowhere", {}, 404),
])
def test_as_of_admin_routes_refuse_bad_requests(pp_emulator, path, params, status):
    response = pp_emulator.http.get(f"{pp_emulator.admin_url}/{path}", params=params, timeout=30)
    assert response.status_code == status


def test_a_reset_without_databases_starts_a_new_history_from_the_data_as_it_is(pp_emulator_db):
    emulator = pp_emulator_db
    odbc = _environment(emulator, UAT)["odbc_connection_string"]
    with psycopg.connect(_libpq(odbc), autocommit=True) as conn:
        emulator.advance(60)
        _write_before(conn)
        emulator.reset(databases=False)  # the clock starts again; the rows written stay
        now = _dump(conn)
    assert _as_of(emulator, f"databases/{UAT}", emulator.state()["clock"]["now"]) == now
