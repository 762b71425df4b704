"""Linked pairs (issue 16) through real ansible-playbook against the emulator's pairs world: discovery from
either side, the pair checks, and the detection of a point-in-time restore started in the LCS portal."""

from __future__ import annotations

import pytest

from tests.integration.pairs_support import LCS, PAIRS_WORLD, PP, lcs_args, pp_args
from tests.integration.pp_support import play, task

pytestmark = pytest.mark.xdist_group("pairs")

PAIR_INFO = "d365fo.dataalm.linked_pair_info"
WATCH = "d365fo.dataalm.lcs_restore_watch"


@pytest.fixture(scope="module")
def pairs_http(request):
    """The pairs world without databases (discovery and history only)."""
    from devtools.emulator import EmulatorProcess
    process = EmulatorProcess(PAIRS_WORLD).start()
    request.addfinalizer(process.stop)
    return process.client()


def test_discovery_from_both_sides_and_a_pair_of_one(pairs_http, tmp_path):
    emu = pairs_http
    emu.reset(databases=False)
    dashless = LCS["contoso-uat"].replace("-", "").upper()
    _proc, results = play(tmp_path, pp_args(emu), [
        task("by_lcs_id", PAIR_INFO, lcs_environment_id=dashless),
        task("by_url", PAIR_INFO, lcs_environment_id="99999999-9999-4999-8999-999999999999",
             finops_url="HTTPS://contoso-test.sandbox.operations.dynamics.com"),
        task("by_pp", PAIR_INFO, environment_id=PP["contoso-prod"]),
        task("single", PAIR_INFO, lcs_environment_id=LCS["contoso-dev"]),
        task("nowhere", PAIR_INFO, lcs_environment_id="99999999-9999-4999-8999-999999999999"),
        task("bad", PAIR_INFO, lcs_environment_id="not-a-guid"),
    ])
    pair = results["by_lcs_id"]["pair"]
    assert (pair["kind"], pair["pp_environment_id"], pair["management"]) == ("linked", PP["contoso-uat"], "lcs")
    assert pair["matched_by"] == "finOpsMetadata id" and pair["dataverse"] and pair["region"] == "westeurope"
    assert results["by_url"]["pair"]["pp_environment_id"] == PP["contoso-test"]
    assert results["by_url"]["pair"]["matched_by"] == "finOpsMetadata url"
    assert results["by_pp"]["pair"]["lcs_environment_id"].replace("-", "") == LCS["contoso-prod"].replace("-", "")
    single = results["single"]["pair"]
    assert single["kind"] == "single" and single["pp_environment_id"] == PP["contoso-dev"]
    assert "pair of one" in single["message"]
    assert results["nowhere"]["pair"]["kind"] == "single" and results["nowhere"]["pair"]["pp_environment_id"] is None
    assert results["bad"]["failed"] and "lcs_environment_id" in results["bad"]["msg"]


def test_watch_finds_the_portal_restore_and_follows_it(pairs_http, tmp_path):
    emu = pairs_http
    emu.reset(databases=False)
    printed_at = emu.state()["clock"]["now"] if "now" in emu.state().get("clock", {}) else "2026-03-02T08:00:00Z"
    # an older restore before the instruction must not count
    emu.http.post(emu.admin_url + "/lcs/point_in_time_restore", json={
        "environment": "contoso-uat", "instant": "2026-03-01T08:00:00Z", "run_seconds": 60}).raise_for_status()
    emu.advance(600)
    started = emu.http.post(emu.admin_url + "/lcs/point_in_time_restore", json={
        "environment": "contoso-uat", "instant": "2026-03-01T20:00:00Z", "run_seconds": 600,
        "type": "SFDatabaseOperation"})
    assert started.status_code == 201, started.text
    after = started.json()["created"]
    args = dict(lcs_args(emu), environment_id=LCS["contoso-uat"], started_after=after, poll_interval=1)
    _proc, results = play(tmp_path, {}, [
        task("look", WATCH, wait=False, **args),
        task("never", WATCH, **dict(args, environment_id=LCS["contoso-test"], wait_timeout=3)),
    ])
    look = results["look"]
    assert look["found"] and look["type"] == "SFDatabaseOperation" and look["recognised_as"] == "unknown"
    assert look["operation_id"] == started.json()["operation_id"] and look["state"] in ("pending", "running")
    never = results["never"]
    assert never["failed"] and not never["found"] and "start it in the LCS portal" in never["msg"]
    assert printed_at
