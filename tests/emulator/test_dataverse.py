"""Contract tests of the emulated Dataverse Web API at each organisation URL (tests/worlds/powerplatform.yml)."""

from __future__ import annotations

import uuid

import pytest
import requests

API = "/api/data/v9.2"


class Dataverse:
    def __init__(self, emulator, domain: str, app: str = "pp-automation", token: str | None = None):
        self.url = emulator.dataverse_url(domain)
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = emulator.ca_file
        self.token = token or emulator.app_token(app, scope=f"{self.url}/.default")

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                   "OData-MaxVersion": "4.0", "OData-Version": "4.0", **kwargs.pop("headers", {})}
        return self.http.request(method, f"{self.url}{API}/{path}", headers=headers, timeout=30, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, (response.status_code, response.text)
        return response


def test_who_am_i(pp_emulator):
    body = Dataverse(pp_emulator, "fabrikam-uat").ok("GET", "WhoAmI").json()
    assert set(body) >= {"BusinessUnitId", "UserId", "OrganizationId"}
    uuid.UUID(body["UserId"])
    assert Dataverse(pp_emulator, "fabrikam-uat").ok("GET", "WhoAmI()").json()["UserId"] == body["UserId"]


def test_tokens_must_be_for_this_organisation(pp_emulator):
    other_org = pp_emulator.app_token(scope=f"{pp_emulator.dataverse_url('contoso-uat')}/.default")
    response = Dataverse(pp_emulator, "fabrikam-uat", token=other_org).call("GET", "WhoAmI")
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers
    assert "not for this organisation" in response.json()["error"]["message"]
    pp_api = pp_emulator.app_token()
    assert Dataverse(pp_emulator, "fabrikam-uat", token=pp_api).call("GET", "WhoAmI").status_code == 401


def test_entra_issues_tokens_only_for_organisations_that_exist(pp_emulator):
    response = pp_emulator.http.post(
        f"{pp_emulator.base_url}/contoso.example/oauth2/v2.0/token", timeout=30,
        data={"grant_type": "client_credentials", "client_id": "7a0d4c5e-9f63-4b10-a4c8-3b2f5e6d7c8a",
              "client_secret": "pp-app-secret", "scope": f"{pp_emulator.dataverse_url('nowhere')}/.default"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_resource" and response.json()["error_codes"] == [500011]
    claims = _claims(pp_emulator.app_token(scope=f"{pp_emulator.dataverse_url('fabrikam-uat')}/.default"))
    assert claims["aud"] == pp_emulator.dataverse_url("fabrikam-uat") and "upn" not in claims


def _claims(token: str) -> dict:
    import base64
    import json

    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_an_application_without_application_user_is_refused_in_that_environment(pp_emulator):
    denied = Dataverse(pp_emulator, "fabrikam-uat", app="pp-partial").call("GET", "WhoAmI")
    assert denied.status_code == 403
    error = denied.json()["error"]
    assert error["code"] == "0x80072560" and "not a member of the organization" in error["message"]
    assert Dataverse(pp_emulator, "contoso-uat", app="pp-partial").call("GET", "WhoAmI").status_code == 200


def test_entity_definitions_as_the_dataverse_client_reads_them(pp_emulator):
    dv = Dataverse(pp_emulator, "fabrikam-uat")
    body = dv.ok("GET", "EntityDefinitions", params={
        "$select": "LogicalName,EntitySetName,PrimaryIdAttribute",
        "$filter": "LogicalName eq 'msdyn_dualwriteruntimeconfig'"}).json()
    assert body["value"] == [{"LogicalName": "msdyn_dualwriteruntimeconfig",
                              "EntitySetName": "msdyn_dualwriteruntimeconfigs",
                              "PrimaryIdAttribute": "msdyn_dualwriteruntimeconfigid"}]
    assert dv.ok("GET", "EntityDefinitions", params={"$filter": "LogicalName eq 'nope'"}).json()["value"] == []
    picklists = dv.ok("GET", "EntityDefinitions(LogicalName='solution')/Attributes/Microsoft.Dynamics.CRM."
                             "PicklistAttributeMetadata", params={"$select": "LogicalName"}).json()
    assert picklists == {"value": []}
    assert dv.ok("GET", "EntityDefinitions(LogicalName='serviceendpoint')").json()["EntitySetName"] == \
        "serviceendpoints"


@pytest.mark.parametrize("entity_set", ["msdyn_dualwriteruntimeconfigs", "solutions",
                                        "mserp_financeandoperationsentities", "serviceendpoints"])
def test_every_table_supports_create_read_update_delete(pp_emulator, entity_set):
    dv = Dataverse(pp_emulator, "fabrikam-uat")
    created = dv.ok("POST", entity_set, status=204, json={"name": "a", "msdyn_name": "a", "uniquename": "a",
                                                          "mserp_physicalname": "a"})
    location = created.headers["OData-EntityId"]
    row_id = location.rsplit("(", 1)[1].rstrip(")")
    assert location == f"{dv.url}{API}/{entity_set}({row_id})"
    row = dv.ok("GET", f"{entity_set}({row_id})").json()
    assert row["@odata.context"].endswith(f"$metadata#{entity_set}/$entity")
    dv.ok("PATCH", f"{entity_set}({row_id})", status=204, json={"name": "b"}, headers={"If-Match": "*"})
    assert dv.ok("GET", f"{entity_set}({row_id})").json()["name"] == "b"
    dv.ok("DELETE", f"{entity_set}({row_id})", status=204)
    missing = dv.call("GET", f"{entity_set}({row_id})")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "0x80040217"
    assert dv.call("PATCH", f"{entity_set}({row_id})", json={"name": "c"}, headers={"If-Match": "*"}).status_code \
        == 404
    kinds = [e["kind"] for e in pp_emulator.events(service="dataverse")]
    assert kinds == ["row_inserted", "row_updated", "row_deleted"]
    assert pp_emulator.counters()["mutating_requests"] == {"Fabrikam UAT": 4}


def test_patch_without_if_match_upserts(pp_emulator):
    dv = Dataverse(pp_emulator, "contoso-uat")
    row_id = "99000000-0000-4000-8000-000000000001"
    dv.ok("PATCH", f"solutions({row_id})", status=204, json={"uniquename": "Upserted"})
    assert dv.ok("GET", f"solutions({row_id})").json()["uniquename"] == "Upserted"


def test_queries_filter_select_order_count_and_page(pp_emulator):
    dv = Dataverse(pp_emulator, "contoso-uat")
    for i in range(5):
        dv.ok("POST", "msdyn_dualwriteruntimeconfigs", status=204, json={"msdyn_name": f"map{i}",
                                                                         "msdyn_unsecure": "x" if i % 2 else None})
    filtered = dv.ok("GET", "msdyn_dualwriteruntimeconfigs", params={
        "$filter": "msdyn_name eq 'MAP3'", "$select": "msdyn_name"}).json()
    assert [r["msdyn_name"] for r in filtered["value"]] == ["map3"]  # case-insensitive, as Dataverse
    assert set(filtered["value"][0]) == {"msdyn_name", "msdyn_dualwriteruntimeconfigid"}
    pages, url = [], f"{dv.url}{API}/msdyn_dualwriteruntimeconfigs?$orderby=msdyn_name desc&$count=true"
    while url:
        body = dv.http.get(url, headers={"Authorization": f"Bearer {dv.token}", "Prefer": "odata.maxpagesize=2"},
                           timeout=30).json()
        assert body["@odata.count"] == 6
        pages.append([r["msdyn_name"] for r in body["value"]])
        url = body.get("@odata.nextLink")
    assert pages == [["map4", "map3"], ["map2", "map1"], ["map0", "customers"]]
    bad = dv.call("GET", "msdyn_dualwriteruntimeconfigs", params={"$filter": "contains(msdyn_name,'a')"})
    assert bad.status_code == 400 and bad.json()["error"]["code"]


def test_unknown_segments_and_bodies(pp_emulator):
    dv = Dataverse(pp_emulator, "contoso-uat")
    unknown = dv.call("GET", "accounts")
    assert unknown.status_code == 404 and "accounts" in unknown.json()["error"]["message"]
    assert dv.call("POST", "solutions", data="[1]", headers={"Content-Type": "application/json"}).status_code == 400
    duplicate = {"solutionid": "52000000-0000-4000-8000-000000000001", "uniquename": "again"}
    assert dv.call("POST", "solutions", json=duplicate).status_code == 412


def test_finance_and_operations_integration_details(pp_emulator):
    linked = Dataverse(pp_emulator, "contoso-uat").ok("GET", "RetrieveFinanceAndOperationsIntegrationDetails").json()
    assert linked["Url"] == "https://contoso-uat.sandbox.operations.dynamics.com"
    assert linked["Id"] == "22222222-2222-4222-8222-222222222222"
    unified = Dataverse(pp_emulator, "fabrikam-uat").ok("GET", "RetrieveFinanceAndOperationsIntegrationDetails()")
    assert unified.json()["Id"] == "c3000000-0000-4000-8000-000000000002"
    none = Dataverse(pp_emulator, "powerapps-prod").call("GET", "RetrieveFinanceAndOperationsIntegrationDetails")
    assert none.status_code == 400 and none.json()["error"]["code"] == "0x80048d0b"


def test_faults_use_the_dataverse_error_shape(pp_emulator):
    pp_emulator.set_faults(throttle={"route": "/dataverse/*", "count": 1, "retry_after": 3})
    response = Dataverse(pp_emulator, "contoso-uat").call("GET", "WhoAmI")
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert set(response.json()["error"]) == {"code", "message"}
