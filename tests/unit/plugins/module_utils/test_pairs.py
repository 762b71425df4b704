"""Linked pairs: discovery over every documented link shape, the pair checks, the portal-restore detection.

The Power Platform and BAP clients are small fakes (in-memory bodies shaped as pp-api-sdk.md §2.1 and
power-platform.md §1.3 document them); the real HTTP path is covered by tests/integration/test_linked_pairs.py.
"""

from __future__ import annotations

import datetime

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._pairs import checks, discovery, lcs_restore, regions

LCS_ID = "22222222-2222-4222-8222-222222222222"
NOW = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)


class FakePp:
    def __init__(self, rows):
        self.rows = rows

    def environments(self):
        return self.rows

    def environment(self, environment_id):
        return next(r for r in self.rows if r.get("id") == environment_id)


class FakeBapHttp:
    def __init__(self, rows, fail=False):
        self.rows, self.fail, self.calls = rows, fail, 0

    def get_json(self, path, params=None):
        self.calls += 1
        if self.fail:
            from ansible_collections.d365fo.dataalm.plugins.module_utils._http import HttpError
            raise HttpError("forbidden", status=403)
        return {"value": self.rows}


class FakeBap:
    def __init__(self, rows, fail=False):
        self.http = FakeBapHttp(rows, fail)


def pp_row(env_id, link=None, dataverse=True, **extra):
    row = {"id": env_id, "displayName": env_id, "type": "Sandbox", "azureRegion": "westeurope", "geo": "europe",
           "tenantId": "t1", "retentionDetails": {"retentionPeriod": "P7D"}, **extra}
    if dataverse:
        row.update(url="https://org.crm4.dynamics.com", dataverseId="org", version="9.2.1")
    if link is not None:
        row["finOpsMetadata"] = link
    return row


@pytest.mark.parametrize("link_id", [LCS_ID, LCS_ID.replace("-", ""), LCS_ID.upper(), "{%s}" % LCS_ID])
def test_the_lcs_id_matches_in_every_spelling(link_id):
    pair = discovery.from_lcs(FakePp([pp_row("other"), pp_row("pp1", {"id": link_id, "type": "Linked"})]), None,
                              LCS_ID)
    assert pair["pp_environment_id"] == "pp1" and pair["kind"] == "linked" and pair["management"] == "lcs"


def test_the_url_matches_when_no_id_does_and_unknown_link_types_pass_through():
    rows = [pp_row("pp1", {"id": "not-a-guid", "url": "https://Contoso-UAT.sandbox.operations.dynamics.com/",
                           "type": "SomethingNew"})]
    pair = discovery.from_lcs(FakePp(rows), None, LCS_ID, "https://contoso-uat.sandbox.operations.dynamics.com")
    assert pair["matched_by"] == "finOpsMetadata url" and pair["link_type"] == "SomethingNew"
    assert pair["management"] is None and pair["kind"] == "linked"


def test_bap_linked_app_metadata_is_the_fallback_and_its_failure_only_a_note():
    rows = [pp_row("pp1"), pp_row("pp2")]  # the Power Platform API gave no finOpsMetadata
    link = {"id": LCS_ID, "type": "Linked", "url": "https://x"}
    bap = FakeBap([{"name": "pp2", "properties": {"linkedAppMetadata": link}}])
    assert discovery.from_lcs(FakePp(rows), bap, LCS_ID)["matched_by"] == "linkedAppMetadata id"
    notes = []
    pair = discovery.from_lcs(FakePp(rows), FakeBap([], fail=True), LCS_ID, notes=notes)
    assert pair["kind"] == "single" and pair["pp_environment_id"] is None and "HTTP 403" in notes[0]


def test_no_bap_call_when_every_environment_has_finops_metadata():
    bap = FakeBap([])
    discovery.from_lcs(FakePp([pp_row("pp1", {"id": LCS_ID})]), bap, LCS_ID)
    assert bap.http.calls == 0


def test_a_power_platform_environment_without_dataverse_is_a_pair_of_one():
    pair = discovery.from_lcs(FakePp([pp_row("pp1", {"id": LCS_ID}, dataverse=False)]), None, LCS_ID)
    assert pair["kind"] == "single" and "pair of one" in pair["message"]


def test_from_the_power_platform_side_with_missing_optional_fields():
    pair = discovery.from_power_platform(FakePp([{"id": "pp1", "finOpsMetadata": {"id": LCS_ID}}]), None, "pp1")
    assert pair["lcs_environment_id"] == LCS_ID and pair["kind"] == "single" and pair["region"] is None
    unlinked = discovery.from_power_platform(FakePp([pp_row("pp9")]), None, "pp9")
    assert unlinked["kind"] == "dataverse_only"


def test_region_names_and_inferred_geographies():
    assert regions.azure_region("West Europe") == "westeurope" and regions.azure_region("East US 2") == "eastus2"
    assert regions.power_platform_geo("West Europe") == "europe" and regions.power_platform_geo("Mars North") is None


def _pair(name, **changes):
    pair = dict(pp_row(name), pp_environment_name=name, dataverse=True, kind="linked", tenant_id="t1",
                region="westeurope", geo="europe", dataverse_version="9.2.1", retention_period="P7D",
                lcs={"name": name, "region": "West Europe", "type": "Sandbox", "application_release": "10.0.41",
                     "operations": []})
    pair.update(changes)
    return pair


def _ids(findings):
    return sorted(f["id"] for f in findings)


def test_refresh_checks_tenant_region_versions_and_pairs_of_one():
    source = _pair("prod", tenant_id="t2", region="northeurope",
                   lcs={"name": "prod", "region": "North Europe", "type": "Production",
                        "application_release": "10.0.42"})
    target = _pair("uat")
    assert _ids(checks.evaluate("refresh", source, target, None, NOW)) == [
        "pair_region_dataverse", "pair_region_lcs", "pair_tenant", "pair_version_fo"]
    mismatched = _pair("uat", geo="unitedstates")
    assert _ids(checks.evaluate("backup", mismatched, mismatched, None, NOW)) == ["pair_geography"]
    assert _ids(checks.evaluate("refresh", _pair("prod"), _pair("uat", kind="single", dataverse=False),
                                None, NOW)) == ["pair_of_one"]


def test_the_instant_inside_both_retentions_and_the_chain():
    pair = _pair("test", retention_available_from="2026-03-05T00:00:00Z")
    inside = datetime.datetime(2026, 3, 6, tzinfo=datetime.UTC)
    assert checks.evaluate("point_in_time_restore", pair, pair, inside, NOW) == []
    early = datetime.datetime(2026, 3, 4, tzinfo=datetime.UTC)  # F&O keeps 7 days, Dataverse from the 5th
    assert _ids(checks.evaluate("point_in_time_restore", pair, pair, early, NOW)) == ["pair_outside_retention"]
    broken = _pair("test", pp_operations=[{"name": "Restore", "state": "succeeded",
                                           "started_at": "2026-03-08T00:00:00Z", "operation_id": "op"}])
    assert _ids(checks.evaluate("point_in_time_restore", broken, broken, inside, NOW)) == ["pair_chain_broken"]
    own = datetime.datetime(2026, 3, 7, tzinfo=datetime.UTC)
    assert checks.evaluate("point_in_time_restore", broken, broken, inside, NOW, own_since=own) == []


def test_the_portal_restore_is_the_earliest_restore_like_or_unknown_row_after_the_instruction():
    rows = [
        {"Type": "SFSourceDbToSandbox", "Status": "Completed", "StartDateTimeUTC": "2026-03-10T10:00:00",
         "ActivityId": "a1"},
        {"Type": "SomethingNew", "Name": "x", "Status": "InProgress", "StartDateTimeUTC": "2026-03-10T11:00:00.120",
         "ActivityId": "22222222-2222-4222-8222-000000000002"},
        {"Type": "PointInTimeRestore", "Status": "Completed", "StartDateTimeUTC": "2026-03-10T09:00:00",
         "ActivityId": "a3"},
    ]
    after = datetime.datetime(2026, 3, 10, 9, 30, 0, 500000, tzinfo=datetime.UTC)
    found = lcs_restore.find_restore(rows, after)
    assert found.kind == "SomethingNew" and lcs_restore.restore_kind(found) == "unknown"
    assert lcs_restore.find_restore(rows[:1], after) is None
    assert lcs_restore.watch_result(lcs_restore.not_yet_seen("e"), "t")["found"] is False
