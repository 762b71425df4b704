"""_pp client and facts against payload shapes recorded from Microsoft's SDK (pp-api-sdk.md), odd ones included.

The server is a real HTTP server on loopback (http_support.ScriptedServer, the `server` fixture of conftest.py);
nothing in requests is mocked.
"""

from __future__ import annotations

import datetime
import json

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._http import HttpClient, RetryPolicy
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp import backups as pp_backups
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.client import (
    BapAdminClient,
    PowerPlatformClient,
    bap_scope,
    pp_scope,
)
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.errors import PpError, PpPermissionError
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.model import (
    backup_facts,
    environment_facts,
    free_database_capacity_mb,
    management,
    switch_state,
)
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.status import operation_facts, pp_busy, pp_state

UTC = datetime.UTC
ENV = "2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b"
ENVS = "/environmentmanagement/environments"
BACKUPS = "%s/%s/backups" % (ENVS, ENV)

UNIFIED = {"id": ENV, "tenantId": "t", "displayName": "Contoso UAT", "type": "Sandbox", "state": "Ready",
           "azureRegion": "westeurope", "geo": "europe", "dataverseId": "org-1", "domainName": "contoso-uat",
           "url": "https://contoso-uat.crm4.dynamics.com/", "version": "9.2.25101.1", "adminMode": "Disabled",
           "backgroundOperationsState": "Enabled",
           "retentionDetails": {"availableFromDateTime": "2026-11-22T10:00:00.1234567Z", "retentionPeriod": "P7D"},
           "finOpsMetadata": {"id": "fo-1", "type": "Internal", "url": "https://contoso-uat.operations.dynamics.com"},
           "someFieldMicrosoftAddsLater": {"x": 1}}
LCS_INITIAL = {"id": "11111111-2222-4333-8444-555555555555", "displayName": "Contoso PROD (LCS)", "type": "Production",
               "state": "Ready", "azureRegion": "westeurope", "adminMode": None,
               "finOpsMetadata": {"id": "lcs-env-1", "type": "Linked", "url": "https://prod.operations.dynamics.com"}}


def client_for(server, api_version="2024-10-01"):
    http = HttpClient(server.base_url, retry=RetryPolicy(max_attempts=4), sleep=lambda seconds: None)
    return PowerPlatformClient(http, api_version)


def test_scopes_follow_the_documented_audiences():
    assert pp_scope("https://api.powerplatform.com/") == "https://api.powerplatform.com/.default"
    assert pp_scope("https://api.gov.powerplatform.microsoft.us") == "https://api.gov.powerplatform.microsoft.us/.default"
    assert pp_scope("https://127.0.0.1:8443") == "https://api.powerplatform.com/.default"
    assert bap_scope("https://api.bap.microsoft.com") == "https://service.powerapps.com//.default"
    assert bap_scope("https://gov.api.bap.microsoft.us") == "https://gov.service.powerapps.us//.default"
    # a proxy or an emulator keeps the public audience: the token is for the service, not the host
    assert bap_scope("https://127.0.0.1:8443") == "https://service.powerapps.com//.default"


def test_environment_list_follows_lowercase_nextlink_and_sends_api_version(server):
    next_url = server.base_url + ENVS + "?api-version=2022-03-01-preview&$skiptoken=abc"
    server.queue(ENVS, body={"value": [UNIFIED], "@odata.nextlink": next_url})
    server.queue(ENVS, body={"value": [LCS_INITIAL]})
    rows = client_for(server, "2022-03-01-preview").environments()
    assert [row["id"] for row in rows] == [ENV, LCS_INITIAL["id"]]
    calls = server.calls(ENVS)
    assert [call["args"].get("api-version") for call in calls] == ["2022-03-01-preview"] * 2
    assert calls[1]["args"]["$skiptoken"] == "abc"


def test_environment_list_next_link_without_version_gets_one_and_never_leaves_our_host(server):
    server.queue(ENVS, body={"value": [UNIFIED], "@odata.nextLink": "https://evil.example.com" + ENVS + "?$skip=1"})
    server.queue(ENVS, body={"value": []})
    rows = client_for(server).environments()
    assert len(rows) == 1
    second = server.calls(ENVS)[1]
    assert second["args"] == {"$skip": "1", "api-version": "2024-10-01"}


def test_backups_page_by_continuation_token_and_stop_on_a_repeated_token(server):
    server.queue(BACKUPS, body={"collection": [{"id": "b1", "label": "a"}], "continuationToken": "t1"})
    server.queue(BACKUPS, body={"collection": [{"id": "b2", "label": "b"}], "continuationToken": "t2"})
    server.queue(BACKUPS, body={"collection": [{"id": "b3", "label": "c"}], "continuationToken": "t2"})
    rows = client_for(server).backups(ENV)
    assert [row["id"] for row in rows] == ["b1", "b2", "b3"]
    assert [call["args"].get("continuationToken") for call in server.calls(BACKUPS)] == [None, "t1", "t2"]


def test_operations_list_sends_limit_as_the_sdk_does(server):
    path = "%s/%s/operations" % (ENVS, ENV)
    server.queue(path, body={"collection": [{"operationId": "op1", "status": "Succeeded"}]})
    assert client_for(server).operations(ENV, limit=5)[0]["operationId"] == "op1"
    assert server.calls(path)[0]["args"]["limit"] == "5"


def test_operation_routes_environment_scoped_and_global(server):
    server.queue("%s/%s/operations/op1" % (ENVS, ENV), body={"operationId": "op1", "status": "InProgress"})
    server.queue("/environmentmanagement/operations/op1", body={"operationId": "op1", "state": "Succeeded"})
    client = client_for(server)
    assert client.operation("op1", ENV)["status"] == "InProgress"
    assert client.operation("op1")["state"] == "Succeeded"


def test_throttled_reads_are_retried_honouring_retry_after(server):
    server.queue(ENVS + "/" + ENV, status=429, body={"error": {"code": "TooManyRequests"}},
                 headers={"Retry-After": "1"}, times=2)
    server.queue(ENVS + "/" + ENV, body=UNIFIED)
    client = client_for(server)
    assert client.environment(ENV)["id"] == ENV
    assert client.http.retries == 2


def test_facts_of_a_unified_environment():
    facts = environment_facts(UNIFIED, {"appId": "fo-1", "deploymentType": "UnifiedSandbox"})
    assert facts["dataverse"] is True and facts["url"] == UNIFIED["url"]
    assert facts["admin_mode"] == "disabled" and facts["background_operations"] == "enabled"
    assert facts["retention_available_from"] == "2026-11-22T10:00:00Z"
    assert facts["finops_environment_id"] == "fo-1"
    assert facts["finops_management"] == "unified"


def test_facts_of_an_lcs_initial_environment_without_dataverse_fall_back_to_the_link_type():
    facts = environment_facts(LCS_INITIAL)
    assert facts["dataverse"] is False and facts["url"] is None
    assert facts["admin_mode"] is None
    assert facts["finops_management"] == "lcs" and facts["finops_deployment_type"] is None


def test_facts_of_the_bap_shape():
    bap = {"name": ENV, "properties": {"displayName": "UAT", "environmentSku": "Sandbox", "azureRegion": "westeurope",
                                       "states": {"runtime": {"id": "AdminMode"}},
                                       "linkedEnvironmentMetadata": {"instanceUrl": "https://uat.crm.dynamics.com/",
                                                                     "backgroundOperationsState": "Disabled"},
                                       "linkedAppMetadata": {"id": "lcs-2", "type": "Linked"}}}
    facts = environment_facts(bap)
    assert (facts["id"], facts["type"], facts["admin_mode"], facts["background_operations"]) == \
        (ENV, "Sandbox", "enabled", "disabled")
    assert facts["finops_management"] == "lcs" and facts["dataverse"] is True


@pytest.mark.parametrize("deployment, link, expected", [
    ("UnifiedProduction", None, "unified"), ("LCSSandbox", "Internal", "lcs"), ("Trial", "Internal", "unified"),
    ("Unknown", None, None), ("SomethingNew", "Linked", "lcs"), (None, None, None),
])
def test_management_from_deployment_type_then_link_type(deployment, link, expected):
    assert management(deployment, link) == expected


@pytest.mark.parametrize("value, expected", [
    ("Enabled", "enabled"), ("enabled", "enabled"), ("AdminMode", "enabled"), (True, "enabled"),
    ("Disabled", "disabled"), (False, "disabled"), ({"id": "Enabled"}, "enabled"), ("Warning", None), (None, None),
])
def test_switch_state_spellings(value, expected):
    assert switch_state(value) == expected


@pytest.mark.parametrize("body, status, state", [
    ({"operationId": "a", "status": "Succeeded"}, "Succeeded", "succeeded"),
    ({"operationId": "a", "status": "succeeded"}, "succeeded", "succeeded"),
    ({"operationId": "a", "state": "Running"}, "Running", "running"),
    ({"name": "a", "state": {"id": "Failed"}}, "Failed", "failed"),
    ({"operationId": "a", "status": "ValidationFailed"}, "ValidationFailed", "failed"),
    ({"operationId": "a", "status": "NoOperation"}, "NoOperation", "succeeded"),
    ({"operationId": "a", "status": "Queued"}, "Queued", "pending"),
    ({"operationId": "a", "status": "Paused"}, "Paused", "unknown"),
    ({"operationId": "a"}, "Unknown", "unknown"),
])
def test_operation_status_from_status_state_or_bap_state_id(body, status, state):
    facts = operation_facts(body)
    assert (facts["status"], facts["state"], facts["operation_id"]) == (status, state, "a")


def test_unknown_and_running_statuses_keep_the_environment_busy():
    assert pp_busy("InProgress") and pp_busy("SomethingNew") and not pp_busy("Succeeded")
    assert pp_state("In Progress") == "running"


def test_operation_facts_of_a_failed_restore_with_stages_and_field_errors():
    body = {"operationId": "op9", "name": "Restore", "status": "Failed", "startTime": "2026-11-29T08:00:00Z",
            "endTime": "2026-11-29T09:30:00.5Z", "requestedBy": {"displayName": "Automation"},
            "errorDetail": {"code": "RestorePointOutOfRange",
                            "fieldErrors": {"restorePointDateTime": {"errorMessages": ["too old"],
                                                                     "suggestedValue": None}}},
            "updatedEnvironment": {"environmentId": ENV},
            "stageStatuses": [{"name": "Validate", "status": "Succeeded"}, {"name": "Run", "status": "Failed"}]}
    facts = operation_facts(body)
    assert facts["completed_at"] == "2026-11-29T09:30:00Z" and facts["environment_id"] == ENV
    assert "RestorePointOutOfRange" in facts["error_message"] and "restorePointDateTime" in facts["error_message"]
    assert [stage["status"] for stage in facts["stages"]] == ["Succeeded", "Failed"]


def test_backup_facts_and_restorable_after():
    facts = backup_facts({"id": "b1", "label": "before", "backupPointDateTime": "2026-11-29T10:00:00.1234567Z",
                          "backupExpiryDateTime": "2026-12-06T10:00:00Z",
                          "createdBy": {"userId": "u", "type": "Application", "displayName": "pp-automation"}})
    assert facts == {"id": "b1", "label": "before", "backup_point": "2026-11-29T10:00:00Z",
                     "expires_at": "2026-12-06T10:00:00Z", "created_by": "pp-automation",
                     "restorable_after": "2026-11-29T10:15:00Z"}


def test_free_database_capacity():
    capacity = {"tenantCapacities": [
        {"capacityType": "File", "capacityUnits": "MB", "totalCapacity": 99999, "consumption": {"actual": 1}},
        {"capacityType": "Database", "capacityUnits": "MB", "totalCapacity": 20480.0,
         "consumption": {"actual": 18000.5, "rated": 18100}}]}
    assert free_database_capacity_mb(capacity) == 2479.5
    assert free_database_capacity_mb({}) is None


def test_401_says_which_audience(server):
    server.queue(ENVS, status=401, body={"error": {"code": "InvalidAuthenticationTokenAudience",
                                                   "message": "The access token has an invalid audience"}})
    with pytest.raises(PpPermissionError) as caught:
        client_for(server).environments()
    assert "https://api.powerplatform.com/.default" in str(caught.value)
    assert caught.value.code == "InvalidAuthenticationTokenAudience"


@pytest.mark.parametrize("body, grant", [
    ({"error": {"code": "ServicePrincipalNotRegistered", "message": "not an admin application"}},
     "pac admin application register"),
    ({"errorDetail": {"code": "RbacAuthorizationFailed", "fieldErrors": {}}}, "Power Platform Contributor"),
    ({"code": "ApplicationUserNotFound", "message": "no application user"}, "application user"),
])
def test_each_403_names_the_grant(server, body, grant):
    server.queue(BACKUPS, status=403, body=body)
    with pytest.raises(PpPermissionError) as caught:
        client_for(server).backups(ENV)
    assert grant in str(caught.value)
    assert caught.value.status == 403


def test_403_without_a_code_on_an_environment_route_names_the_application_user_first(server):
    server.queue(BACKUPS, status=403, body="Forbidden")
    with pytest.raises(PpPermissionError) as caught:
        client_for(server).backups(ENV)
    text = str(caught.value)
    assert text.index("application user") < text.index("Power Platform Contributor")


def test_404_names_the_environment(server):
    server.queue(ENVS + "/" + ENV, status=404, body={"error": {"code": "EnvironmentNotFound", "message": "nope"}})
    with pytest.raises(PpError) as caught:
        client_for(server).environment(ENV)
    assert ENV in str(caught.value) and "pp_environment_info" in str(caught.value)


def test_create_backup_returns_the_body(server):
    server.queue(BACKUPS, status=201, body={"id": "b1", "label": "x", "backupPointDateTime": "2026-11-29T10:00:00Z"})
    body = client_for(server).create_backup(ENV, "x")
    assert body["id"] == "b1"
    call = server.calls(BACKUPS, "POST")[0]
    assert json.loads(call["body"]) == {"label": "x"} and call["args"]["api-version"] == "2024-10-01"


def test_create_backup_without_a_body_is_found_by_label(server):
    now = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    server.queue(BACKUPS, status=202, body="")
    server.queue(BACKUPS, body={"collection": [
        {"id": "old", "label": "x", "backupPointDateTime": "2026-11-01T10:00:00Z"},
        {"id": "new", "label": "x", "backupPointDateTime": "2026-11-29T10:00:05Z"}]})
    facts = pp_backups.create_labelled_backup(client_for(server), ENV, "x", now)
    assert facts["id"] == "new"


def test_create_backup_is_not_repeated_after_a_server_error_but_adopted(server):
    now = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    server.queue(BACKUPS, status=500, body={"error": {"code": "InternalServerError"}})
    server.queue(BACKUPS, body={"collection": [{"id": "made", "label": "x",
                                                "backupPointDateTime": "2026-11-29T10:00:01Z"}]})
    facts = pp_backups.create_labelled_backup(client_for(server), ENV, "x", now)
    assert facts["id"] == "made"
    assert len(server.calls(BACKUPS, "POST")) == 1


def test_an_old_backup_with_the_same_label_does_not_count():
    rows = [{"id": "old", "label": "x", "backupPointDateTime": "2026-11-20T10:00:00Z"},
            {"id": "other", "label": "y", "backupPointDateTime": "2026-11-29T09:00:00Z"}]
    start = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert pp_backups.matching_backup(rows, "x", start) is None
    assert pp_backups.matching_backup(rows, "x", None)["id"] == "old"
    rows.append({"id": "fresh", "label": "x", "backupPointDateTime": "2026-11-29T08:00:00Z"})
    assert pp_backups.matching_backup(rows, "x", start)["id"] == "fresh"


def test_admin_mode_patch_has_the_powershell_shape_and_reports_the_operation_url(server):
    path = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/" + ENV
    server.queue(path, status=202, body="", headers={"Location": server.base_url + "/ops/1"})
    http = HttpClient(server.base_url, sleep=lambda seconds: None)
    status, location = BapAdminClient(http).set_runtime_state(ENV, admin_mode=False, background_operations=True)
    call = server.calls(path, "PATCH")[0]
    assert json.loads(call["body"]) == {"properties": {
        "states": {"runtime": {"id": "Enabled"}},
        "linkedEnvironmentMetadata": {"backgroundOperationsState": "Enabled"}}}
    assert call["args"]["api-version"] == "2021-04-01"
    assert (status, location) == (202, server.base_url + "/ops/1")


def test_admin_mode_403_on_bap_names_the_admin_application(server):
    path = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/" + ENV
    server.queue(path, status=403, body={"error": {"code": "Forbidden", "message": "denied"}})
    with pytest.raises(PpPermissionError) as caught:
        BapAdminClient(HttpClient(server.base_url)).set_runtime_state(ENV, admin_mode=True)
    assert "admin application" in str(caught.value)
