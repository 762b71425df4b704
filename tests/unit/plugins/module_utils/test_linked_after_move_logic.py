"""The pure parts of the after-move work: the allow-list and the neutralisation plan, which virtual entities
are due, and the code drift with both remedies."""

from __future__ import annotations

import datetime
import json

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils import code_drift
from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse import (
    connection_references,
    outbound,
    virtual_entities,
)
from ansible_collections.d365fo.dataalm.plugins.module_utils.code_drift import compare, report

ALLOW = ["contoso-uat.servicebus.windows.net", "*.contoso-test.com", "https://hooks.contoso.com/uat/"]


@pytest.mark.parametrize(("url", "allowed"), [
    ("sb://contoso-uat.servicebus.windows.net/", True),
    ("sb://CONTOSO-UAT.servicebus.windows.net/orders", True),
    ("https://api.contoso-test.com/x", True),
    ("https://contoso-test.com/x", False),  # a wildcard names subdomains only
    ("https://evilcontoso-test.com/x", False),
    ("https://hooks.contoso.com/uat/orders", True),
    ("https://hooks.contoso.com/prod/orders", False),
    ("sb://contoso-prod.servicebus.windows.net/", False),
])
def test_allow_list_entries_are_hosts_wildcards_or_url_prefixes(url, allowed):
    assert outbound.url_allowed(url, ALLOW) is allowed


def test_the_longest_repoint_prefix_wins():
    repoint = {"https://hooks.contoso.com/": "https://hooks.contoso.com/uat/",
               "https://hooks.contoso.com/prod/": "https://hooks.contoso.com/uat/p/"}
    assert outbound.repointed("https://hooks.contoso.com/prod/a", repoint) == "https://hooks.contoso.com/uat/p/a"
    assert outbound.repointed("https://elsewhere/a", repoint) is None


def test_plan_repoints_mapped_endpoints_disables_steps_of_others_and_turns_outside_flows_off():
    endpoints = [{"serviceendpointid": "E1", "name": "queue", "namespaceaddress": "sb://contoso-prod.servicebus.windows.net/"},
                 {"serviceendpointid": "E2", "name": "hook", "url": "https://hooks.contoso.com/prod/x"},
                 {"serviceendpointid": "E3", "name": "ok", "url": "https://hooks.contoso.com/uat/x"}]
    steps = [{"sdkmessageprocessingstepid": "S2", "name": "s2", "_eventhandler_value": "e2", "statecode": 0},
             {"sdkmessageprocessingstepid": "S2b", "name": "s2b", "_eventhandler_value": "E2", "statecode": 1},
             {"sdkmessageprocessingstepid": "S3", "name": "s3", "_eventhandler_value": "E3", "statecode": 0}]
    flows = [{"workflowid": "F1", "name": "out", "category": 5, "statecode": 1,
              "clientdata": '{"uri": "https://erp.contoso.com/in"}'},
             {"workflowid": "F2", "name": "in", "category": 5, "statecode": 1,
              "clientdata": '{"uri": "https://api.contoso-test.com/in"}'}]
    repoint = {"sb://contoso-prod.servicebus.windows.net/": "sb://contoso-uat.servicebus.windows.net/"}
    actions = outbound.plan(endpoints, steps, flows, ALLOW, repoint)
    assert [(a["kind"], a["id"], a["action"]) for a in actions] == [
        ("endpoint", "E1", "repoint"), ("step", "S2", "disable"), ("flow", "F1", "disable")]
    assert outbound.change_of(actions[0]) == ("serviceendpoints", "E1", {
        "namespaceaddress": "sb://contoso-uat.servicebus.windows.net/"})
    assert outbound.change_of(actions[1]) == ("sdkmessageprocessingsteps", "S2", {"statecode": 1, "statuscode": 2})
    assert outbound.change_of(actions[2]) == ("workflows", "F1", {"statecode": 0, "statuscode": 1})
    left = outbound.outside(endpoints, steps, flows, ALLOW)
    assert [(o["name"], o["on"]) for o in left] == [("queue", False), ("hook", True), ("out", True)]


def test_a_repoint_target_outside_the_allow_list_is_an_input_problem():
    assert outbound.check_repoint(ALLOW, {"sb://a/": "sb://contoso-uat.servicebus.windows.net/"}) == []
    assert "not in allow_list" in outbound.check_repoint(ALLOW, {"sb://a/": "sb://elsewhere/"})[0]


def test_virtual_entities_due_are_generated_named_and_not_refreshed_since():
    since = datetime.datetime(2026, 3, 2, 8, tzinfo=datetime.UTC)
    rows = [{"mserp_physicalname": "B", "mserp_hasbeengenerated": True, "modifiedon": "2026-03-02T07:00:00Z"},
            {"mserp_physicalname": "A", "mserp_hasbeengenerated": True, "modifiedon": "2026-03-02T09:00:00Z"},
            {"mserp_physicalname": "C", "mserp_hasbeengenerated": False},
            {"mserp_physicalname": "D", "mserp_hasbeengenerated": True}]
    assert [r["mserp_physicalname"] for r in virtual_entities.due(rows, [], since)] == ["B", "D"]
    assert [r["mserp_physicalname"] for r in virtual_entities.due(rows, [], None)] == ["A", "B", "D"]
    assert [r["mserp_physicalname"] for r in virtual_entities.due(rows, ["d"], since)] == ["D"]
    assert virtual_entities.missing(rows, ["C", "A", "Z"]) == ["C", "Z"]


def test_compare_reports_changed_missing_and_added():
    before = [{"name": "A", "version": "1", "managed": True}, {"name": "B", "version": "1", "managed": True},
              {"name": "C", "version": "1", "managed": False}]
    after = [{"name": "A", "version": "1", "managed": True}, {"name": "C", "version": "1", "managed": True},
             {"name": "D", "version": "2", "managed": True}]
    assert compare(before, after) == [
        {"name": "B", "before": "1", "after": None, "change": "missing"},
        {"name": "C", "before": "1", "after": "1", "change": "changed"},
        {"name": "D", "before": None, "after": "2", "change": "added"}]


def test_drift_of_a_restore_lists_what_came_after_the_instant_and_both_remedies():
    sales = {"name": "Sales", "version": "2.0", "managed": True, "installed_on": "2026-03-02T07:00:00Z"}
    before = {"solutions": [sales],
              "packages": {"FabrikamExt": "1.2"},
              "package_history": [{"name": "FabrikamExt", "version": "1.1", "deployed_at": "2026-03-01T10:00:00Z"},
                                  {"name": "FabrikamExt", "version": "1.2", "deployed_at": "2026-03-02T07:00:00Z"}]}
    after = {"solutions": [{"name": "Sales", "version": "1.0", "managed": True}], "packages": {"FabrikamExt": "1.1"}}
    instant = datetime.datetime(2026, 3, 2, 6, tzinfo=datetime.UTC)
    found = report(before, after, "restore", instant)
    assert not found["aligned"]
    assert found["deployed_after_instant"]["packages"] == [{"name": "FabrikamExt", "version": "1.2",
                                                            "deployed_at": "2026-03-02T07:00:00Z",
                                                            "version_at_instant": "1.1"}]
    assert [s["name"] for s in found["deployed_after_instant"]["solutions"]] == ["Sales"]
    assert found["remedies"]["dataverse"]["solutions_to_redeploy"] == [{"name": "Sales", "version": "2.0"}]
    assert found["remedies"]["finops"]["packages"] == [{"name": "FabrikamExt", "version": "1.1",
                                                        "deployed_after": "1.2"}]
    refresh = report(before, before, "refresh", None, source={"packages": {"FabrikamExt": "1.3"}})
    assert refresh["aligned"] and refresh["remedies"]["finops"] == {
        "deploy": "the source's package", "packages": [{"name": "FabrikamExt", "version": "1.3"}], "history": []}


def _lcs_row(kind, name, completed, state="succeeded"):
    return {"type": kind, "name": name, "state": state, "started_at": completed, "completed_at": completed}


# lcs_environment_info history rows of an LCS-managed F&O (lcs-api.md §5.2): package deployments carry the update
# name only; database movements and failed deployments are no code
TARGET_LCS = [_lcs_row("SFApplicationHotfix", "Release 2026.02", "2026-02-20T10:00:00Z"),
              _lcs_row("SFSourceDbToSandbox", "Refresh database", "2026-02-25T10:00:00Z"),
              _lcs_row("SFApplicationHotfix", "Hotfix 2026.03.1", "2026-03-02T07:00:00Z"),
              _lcs_row("ApplicationHotfix", "Broken build", "2026-03-02T08:00:00Z", state="failed")]


def test_lcs_deployment_history_is_the_finops_record_of_an_lcs_managed_pair():
    before = {"solutions": [], "package_history": None, "lcs_history": TARGET_LCS}
    assert [d["name"] for d in code_drift.lcs_deployments(before)] == ["Release 2026.02", "Hotfix 2026.03.1"]
    instant = datetime.datetime(2026, 3, 2, 6, tzinfo=datetime.UTC)
    restored = report(before, before, "restore", instant)
    assert restored["finops_deployments"] == [{"name": "Hotfix 2026.03.1", "deployed_at": "2026-03-02T07:00:00Z",
                                               "change": "after_instant"}]
    assert not restored["aligned"]  # an LCS restore leaves the code: the hotfix is newer than the data
    assert [p["name"] for p in restored["remedies"]["finops"]["packages"]] == ["Hotfix 2026.03.1"]
    assert restored["remedies"]["finops"]["history"] == ["LCS environment history"]
    source = {"solutions": [], "lcs_history": [
        *TARGET_LCS[:1], _lcs_row("SFApplicationHotfix", "Release 2026.03", "2026-03-01T10:00:00Z"),
        _lcs_row("SFApplicationHotfix", "Release 2026.03", "2026-03-01T12:00:00Z")]}
    refreshed = report(before, before, "refresh", None, source=source)
    assert [(c["name"], c["change"]) for c in refreshed["finops_deployments"]] == [("Release 2026.03", "source_only")]
    assert refreshed["remedies"]["finops"]["packages"] == [{"name": "Release 2026.03", "version": None}]
    assert not refreshed["aligned"]
    assert report(before, before, "refresh", None, source={"solutions": [], "lcs_history": TARGET_LCS})["aligned"]
    assert report({"solutions": []}, {"solutions": []}, "copy")["remedies"]["finops"]["history"] == []


# Microsoft's sample clientdata escapes slashes and carries the Logic Apps $schema URL (manage-flows-with-code)
SCHEMA = "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#"


def _real_flow(uri, on=True):
    definition = {"properties": {"connectionReferences": {"shared_sql": {
        "connection": {"connectionReferenceLogicalName": "contoso_sql_ref"}, "api": {"name": "shared_sql"}}},
        "definition": {"$schema": SCHEMA, "actions": {"Post": {"type": "Http", "inputs": {"uri": uri}}}}},
        "schemaVersion": "1.0.0.0"}
    text = json.dumps(definition).replace("/", "\\/")  # what Dataverse may store: JSON with escaped slashes
    return {"workflowid": "F9", "name": "post", "category": 5, "statecode": 1 if on else 0, "clientdata": text}


def test_a_flow_url_behind_escaped_slashes_is_found_and_the_schema_url_is_no_target():
    flow = _real_flow("https://erp.contoso.com/in")
    assert outbound.flow_urls(flow) == ["https://erp.contoso.com/in"]
    actions = outbound.plan([], [], [flow], ALLOW, {})
    assert [(a["kind"], a["action"], a["url"]) for a in actions] == [("flow", "disable", "https://erp.contoso.com/in")]
    inside = _real_flow("https://api.contoso-test.com/in")
    assert outbound.plan([], [], [inside], ALLOW, {}) == []  # the $schema URL alone never turns a flow off


def test_a_flow_whose_outside_urls_are_all_mapped_is_repointed_and_keeps_its_state():
    repoint = {"https://erp.contoso.com/": "https://api.contoso-test.com/erp/"}
    for on in (True, False):
        flow = _real_flow("https://erp.contoso.com/in", on=on)
        [action] = outbound.plan([], [], [flow], ALLOW, repoint)
        assert (action["action"], action["to"]) == ("repoint", "https://api.contoso-test.com/erp/in")
        entity_set, row_id, body = outbound.change_of(action)
        assert (entity_set, row_id, list(body)) == ("workflows", "F9", ["clientdata"])  # no statecode: state kept
        rewritten = json.loads(body["clientdata"])
        assert rewritten["properties"]["definition"]["actions"]["Post"]["inputs"]["uri"] == \
            "https://api.contoso-test.com/erp/in"
        assert rewritten["properties"]["definition"]["$schema"] == SCHEMA
        assert rewritten["properties"]["connectionReferences"]["shared_sql"]["connection"] == {
            "connectionReferenceLogicalName": "contoso_sql_ref"}
        assert outbound.plan([], [], [dict(flow, clientdata=body["clientdata"])], ALLOW, repoint) == []


def test_a_flow_with_an_unmapped_outside_url_is_turned_off_not_rewritten():
    flow = _real_flow("https://erp.contoso.com/in")
    flow["clientdata"] = flow["clientdata"].replace("Http", "Http\\\", \\\"x\\\": \\\"https:\\/\\/other.contoso.com\\/")
    repoint = {"https://erp.contoso.com/": "https://api.contoso-test.com/erp/"}
    assert [a["action"] for a in outbound.plan([], [], [flow], ALLOW, repoint)] == ["disable"]
    text_flow = {"workflowid": "F8", "name": "text", "category": 5, "statecode": 1,
                 "clientdata": "not json https://erp.contoso.com/in"}
    assert [a["action"] for a in outbound.plan([], [], [text_flow], ALLOW, repoint)] == ["disable"]


def test_connection_references_are_repointed_by_logical_name_and_unknown_names_are_input_problems():
    rows = [{"connectionreferenceid": "R1", "connectionreferencelogicalname": "contoso_sql_ref",
             "connectionid": "prod"},
            {"connectionreferenceid": "R2", "connectionreferencelogicalname": "contoso_sp_ref",
             "connectionid": "uat-sp"}]
    mapping = {"Contoso_SQL_ref": "uat-sql", "contoso_sp_ref": "uat-sp"}
    [action] = connection_references.plan(rows, mapping)
    assert (action["id"], action["url"], action["to"]) == ("R1", "prod", "uat-sql")
    assert outbound.change_of(action) == ("connectionreferences", "R1", {"connectionid": "uat-sql"})
    assert connection_references.unknown(rows, {"contoso_sql_ref": "x", "typo_ref": "y"}) == ["typo_ref"]
    assert connection_references.check_mapping({"a": "", "b": "c"}) == [
        "connection_references maps 'a' to no connection id"]
