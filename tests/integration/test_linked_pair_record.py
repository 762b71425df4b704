"""The pair record of roles/linked_pair belongs to one movement, through real ansible-playbook against the pairs
world with databases: a re-run of the same refresh (found done inside the window) keeps the record and changes
nothing; the next refresh from the same source, once the first is outside the window (dataalm_max_age, the virtual
clock advanced), quiesces the target again and gets a record of its own (the request alone, the same source, named
the old movement)."""

from __future__ import annotations

import json

import pytest

from tests.integration.pairs_support import LCS, pairs_inventory, run_pairs, started, task_offsets

pytestmark = pytest.mark.xdist_group("pairs")

QUIESCE = "Stop the target's dual-write maps"


def _odbc(emu, name):
    import pyodbc

    odbc = next(e for e in emu.state()["environments"] if e["name"] == name)["odbc_connection_string"]
    return pyodbc.connect(odbc, autocommit=True)


def _link_dual_write_again(emu, name):
    """What the administrator does after a refresh (which clears the dual-write maps): one map linked and running."""
    with _odbc(emu, name) as conn:
        conn.execute("INSERT INTO DUALWRITEPROJECTCONFIGURATION (RECID, PROJECTNAME, EXTERNALENTITYNAME, STATUS)"
                     " VALUES (5637199999, 'Customers', 'accounts', 1)")


def test_next_refresh_after_the_window_quiesces_again_and_gets_a_fresh_record(pairs_db, tmp_path):
    emu = pairs_db
    inventory = pairs_inventory(tmp_path, emu, {"contoso-uat": {"dataalm_source_environment_id": LCS["contoso-prod"]}})
    record_file = tmp_path / "state" / "contoso-uat-refresh.linked.json"

    first, _report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "first", "contoso-uat")
    assert first.returncode == 0, first.stdout[-6000:]
    record = json.loads(record_file.read_text())
    assert record["quiesce"]["dual_write_maps_stopped"] == 2
    assert started(emu) == ({"contoso-uat": 1}, {"Contoso UAT": 1})

    # the same movement again, inside the window: found done, nothing quiesced, the record unchanged
    again, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "again", "contoso-uat")
    assert again.returncode == 0, again.stdout[-6000:]
    assert not task_offsets(report, "contoso-uat", QUIESCE)
    assert json.loads(record_file.read_text()) == record
    assert started(emu) == ({"contoso-uat": 1}, {"Contoso UAT": 1})

    # the week after: dual-write linked again, then the next refresh from the same source, after the window
    # (dataalm_max_age 3d): a new movement, so the map is stopped before it and the record is its own
    _link_dual_write_again(emu, "contoso-uat")
    emu.advance(4 * 24 * 3600)
    nextweek, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "next-week", "contoso-uat")
    assert nextweek.returncode == 0, nextweek.stdout[-6000:]
    assert started(emu) == ({"contoso-uat": 2}, {"Contoso UAT": 2})
    assert task_offsets(report, "contoso-uat", QUIESCE)
    fresh = json.loads(record_file.read_text())
    assert fresh["quiesce"]["at"] > record["quiesce"]["at"]
    assert fresh["quiesce"]["dual_write_maps"] == [{"project": "Customers", "dataverse_table": "accounts", "status": 1}]
    assert fresh["movement_started_at"] > record["movement_started_at"] >= record["quiesce"]["at"]


def test_a_completed_record_of_an_earlier_version_expires_by_its_quiesce_time(pairs_db, tmp_path):
    emu = pairs_db
    inventory = pairs_inventory(tmp_path, emu, {"contoso-uat": {"dataalm_source_environment_id": LCS["contoso-prod"]}})
    record_file = tmp_path / "state" / "contoso-uat-refresh.linked.json"
    first, _report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "first", "contoso-uat")
    assert first.returncode == 0, first.stdout[-6000:]
    record = json.loads(record_file.read_text())
    del record["movement_started_at"]  # as the role wrote it before the record named its movement's start
    record_file.write_text(json.dumps(record))

    _link_dual_write_again(emu, "contoso-uat")
    emu.advance(4 * 24 * 3600)
    nextweek, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "next-week", "contoso-uat")
    assert nextweek.returncode == 0, nextweek.stdout[-6000:]
    assert task_offsets(report, "contoso-uat", QUIESCE)
    assert json.loads(record_file.read_text())["quiesce"]["at"] > record["quiesce"]["at"]
