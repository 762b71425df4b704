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


DISCARD = "dataalm_discard_unfinished_pair_record"


def test_an_unfinished_record_is_resumed_naming_the_way_out_and_discarded_on_request(pairs_db, tmp_path):
    emu = pairs_db
    inventory = pairs_inventory(tmp_path, emu, {"contoso-test": {}}, dataalm_restore_point="latest",
                                dataalm_person_deadline=6)
    record_file = tmp_path / "state" / "contoso-test-point_in_time_restore.linked.json"
    # nobody starts the LCS restore: the F&O side fails under its deadline, the movement never completes
    first, _report = run_pairs(tmp_path, "linked_point_in_time_restore.yml", inventory, "first", "contoso-test")
    assert first.returncode != 0 and "F&O side: failed" in first.stdout, first.stdout[-6000:]
    unfinished = json.loads(record_file.read_text())
    assert unfinished["quiesce"]["dual_write_maps_stopped"] >= 1 and unfinished["sides"]
    assert emu.counters()["pp_restores_started"] == {"Contoso Test": 1}

    # a re-run resumes the record (its 'latest' instant) and says how to start afresh instead (a preview: check mode)
    resumed, _report = run_pairs(tmp_path, "linked_point_in_time_restore.yml", inventory, "resumed", "contoso-test",
                                 check=True)
    assert "Resuming the unfinished point_in_time_restore" in resumed.stdout, resumed.stdout[-6000:]
    assert "instant %s" % unfinished["instant"] in resumed.stdout and "%s=true" % DISCARD in resumed.stdout

    # on request the record is discarded, said with what it held, copied aside, and the run starts afresh: the
    # target quiesced again, a new start, 'latest' computed anew and both sides restored to it
    emu.advance(60)
    fresh, report = run_pairs(tmp_path, "linked_point_in_time_restore.yml", inventory, "fresh", "contoso-test",
                              extra_vars={DISCARD: True})
    assert "Discarded the unfinished pair record %s" % record_file in fresh.stdout, fresh.stdout[-6000:]
    assert "restore point latest" in fresh.stdout and "instant %s" % unfinished["instant"] in fresh.stdout
    assert "F&O side failed" in fresh.stdout and "quiesced at %s" % unfinished["quiesce"]["at"] in fresh.stdout
    assert json.loads((tmp_path / "state" / (record_file.name + ".discarded")).read_text()) == unfinished
    assert task_offsets(report, "contoso-test", QUIESCE), "the target was not quiesced again"
    record = json.loads(record_file.read_text())
    assert record["started_at"] > unfinished["started_at"] and record["quiesce"]["at"] > unfinished["quiesce"]["at"]
    assert record["instant"] > unfinished["instant"]
    assert emu.counters()["pp_restores_started"] == {"Contoso Test": 2}
    odbc = next(e for e in emu.state()["environments"] if e["name"] == "contoso-test")["odbc_connection_string"]
    assert odbc.split("Pwd=")[-1].split(";")[0] not in fresh.stdout


def test_an_unfinished_record_is_not_discarded_while_its_movement_runs(pairs_db, tmp_path):
    emu = pairs_db
    emu.set_speed(1)  # the refresh and the copy run for hours: both still run when the next run starts
    inventory = pairs_inventory(tmp_path, emu, {"contoso-uat": {"dataalm_source_environment_id": LCS["contoso-prod"]}},
                                dataalm_wait_timeout=2)
    record_file = tmp_path / "state" / "contoso-uat-refresh.linked.json"
    first, _report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "first", "contoso-uat")
    assert first.returncode != 0, first.stdout[-6000:]
    unfinished = json.loads(record_file.read_text())
    assert started(emu) == ({"contoso-uat": 1}, {"Contoso UAT": 1})

    refused, report = run_pairs(tmp_path, "linked_refresh.yml", inventory, "refused", "contoso-uat",
                                extra_vars={DISCARD: True})
    assert refused.returncode != 0
    assert "%s: the record %s is not discarded" % (DISCARD, record_file) in refused.stdout, refused.stdout[-6000:]
    assert "F&O (LCS) operation" in refused.stdout and "Dataverse (Power Platform) operation" in refused.stdout
    assert json.loads(record_file.read_text()) == unfinished
    assert not (tmp_path / "state" / (record_file.name + ".discarded")).exists()
    assert not task_offsets(report, "contoso-uat", QUIESCE)
    assert started(emu) == ({"contoso-uat": 1}, {"Contoso UAT": 1})
