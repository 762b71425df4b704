"""Contract tests of the emulated Power Platform API and BAP admin routes (tests/worlds/powerplatform.yml).

Wire names, enum values and error shapes are checked against shared/reference/pp-api-sdk.md; the
retention windows against power-platform.md §1.5.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from devtools.emulator import BAP_SCOPE, PP_WORLD

from ._pp import (
    BAP,
    CONTOSO_PROD,
    CONTOSO_TEST_INITIAL,
    CONTOSO_UAT,
    FABRIKAM_DEV,
    FABRIKAM_PROD,
    FABRIKAM_UAT,
    POWERAPPS_PROD,
    TRIAL,
    Pp,
)

ENVS = "/environmentmanagement/environments"
START = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
OPERATION_STATUSES = {"Queued", "InProgress", "Succeeded", "ValidationFailed", "Failed", "NoOperation",
                      "ValidationPassed"}
STAGE_STATUSES = {"Succeeded", "Failed", "Skipped", "Postponed", "InProgress", "NotStarted"}


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- environments ------------------------------------------------------------------------------------------

def test_environment_list_pages_with_nextlink_and_carries_the_sdk_wire_names(pp_emulator):
    pp = Pp(pp_emulator)
    first = pp.ok("GET", ENVS)
    assert len(first["value"]) == 4
    assert first["@odata.nextlink"] == first["@odata.nextLink"]
    second = pp.http.get(first["@odata.nextlink"], headers={"Authorization": f"Bearer {pp.token}"}, timeout=30)
    assert second.status_code == 200
    second = second.json()
    assert "@odata.nextlink" not in second and len(second["value"]) == 4
    envs = {e["id"]: e for e in first["value"] + second["value"]}
    assert len(envs) == 8
    for env in envs.values():
        for key in ("id", "tenantId", "displayName", "type", "state", "azureRegion", "geo", "adminMode",
                    "backgroundOperationsState", "retentionDetails", "createdDateTime", "protectionLevel"):
            assert env[key] is not None, (env["displayName"], key)
        assert env["adminMode"] in ("Enabled", "Disabled")
        assert env["backgroundOperationsState"] in ("Enabled", "Disabled")
        assert env["state"] == "Ready"
    assert envs[FABRIKAM_UAT]["finOpsMetadata"] == {
        "id": "c3000000-0000-4000-8000-000000000002", "type": "Internal",
        "url": "https://fabrikam-uat.sandbox.operations.eu.dynamics.com/"}
    assert envs[CONTOSO_UAT]["finOpsMetadata"] == {
        "id": "22222222-2222-4222-8222-222222222222", "type": "Linked",
        "url": "https://contoso-uat.sandbox.operations.dynamics.com/"}
    assert "finOpsMetadata" not in envs[POWERAPPS_PROD]
    # the LCS initial environment has no Dataverse
    initial = envs[CONTOSO_TEST_INITIAL]
    assert initial["dataverseId"] is None and initial["url"] is None and initial["domainName"] is None
    assert envs[FABRIKAM_UAT]["url"] == f"{pp_emulator.base_url}/dataverse/fabrikam-uat"
    assert envs[FABRIKAM_DEV]["azureRegion"] == "eastus" and envs[FABRIKAM_DEV]["type"] == "Developer"
    assert envs[FABRIKAM_DEV]["protectionLevel"] == "Basic"


@pytest.mark.parametrize(("env_id", "days"), [
    (CONTOSO_PROD, 28), (FABRIKAM_PROD, 28),  # production with Dynamics 365 apps
    (POWERAPPS_PROD, 7),  # production without
    (CONTOSO_UAT, 7), (FABRIKAM_UAT, 7), (FABRIKAM_DEV, 7),  # sandbox, developer
    (TRIAL, 0),  # never backed up
])
def test_retention_window_follows_the_environment_type(pp_emulator, env_id, days):
    retention = Pp(pp_emulator).env(env_id)["retentionDetails"]
    assert retention["retentionPeriod"] == f"P{days}D"
    available_from = _time(retention["availableFromDateTime"])
    assert abs((START - dt.timedelta(days=days) - available_from).total_seconds()) < 60


def test_select_and_unknown_environment(pp_emulator):
    pp = Pp(pp_emulator)
    page = pp.ok("GET", ENVS, params={"$select": "id,type"})
    assert all(set(e) == {"id", "type"} for e in page["value"])
    missing = pp.call("GET", f"{ENVS}/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "EnvironmentNotFound"


@pytest.mark.parametrize("version", ["2024-10-01", "2022-03-01-preview"])
def test_both_api_versions_are_accepted(pp_emulator, version):
    assert Pp(pp_emulator).call("GET", f"{ENVS}/{FABRIKAM_UAT}", api_version=version).status_code == 200


@pytest.mark.parametrize(("params", "code"), [
    (None, "MissingApiVersionParameter"), ({"api-version": ""}, "MissingApiVersionParameter"),
    ({"api-version": "2020-01-01"}, "UnsupportedApiVersion")])
def test_api_version_is_required(pp_emulator, params, code):
    response = Pp(pp_emulator).call("GET", ENVS, api_version=None, params=params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert "2024-10-01" in response.json()["error"]["message"]


# -- permissions: each failure is distinct ------------------------------------------------------------------

def _error(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]


def test_wrong_audience_is_401_naming_the_scope(pp_emulator):
    pp = Pp(pp_emulator)
    graph_token = pp_emulator.app_token(scope="https://graph.microsoft.com/.default")
    error = _error(pp.call("GET", ENVS, token=graph_token), 401)
    assert error["code"] == "InvalidAudience" and "https://api.powerplatform.com/.default" in error["message"]
    dataverse_token = pp_emulator.app_token(scope=f"{pp_emulator.dataverse_url('fabrikam-uat')}/.default")
    assert _error(pp.call("GET", ENVS, token=dataverse_token), 401)["code"] == "InvalidAudience"
    garbled = pp.call("GET", ENVS, token="not-a-token")
    assert _error(garbled, 401)["code"] == "InvalidAuthenticationToken"
    assert "invalid_token" in garbled.headers["WWW-Authenticate"]


def test_unregistered_application_is_403_with_the_registration_command(pp_emulator):
    error = _error(Pp(pp_emulator, app="pp-unregistered").call("GET", ENVS), 403)
    assert error["code"] == "ServicePrincipalNotRegistered"
    assert "pac admin application register --application-id 7a0d4c5e-9f63-4b10-a4c8-3b2f5e6d7c8b" in error["message"]


def test_missing_contributor_role_is_403_on_writes(pp_emulator):
    pp = Pp(pp_emulator, app="pp-no-contributor")
    assert pp.call("GET", ENVS).status_code == 200  # registration is enough to read
    error = _error(pp.call("POST", f"{ENVS}/{FABRIKAM_UAT}/backups", json={"label": "x"}), 403)
    assert error["code"] == "MissingPowerPlatformContributorRole" and "Power Platform Contributor" in error["message"]
    assert pp_emulator.counters()["mutating_requests"] == {}


def test_missing_application_user_is_403_on_that_environment_only(pp_emulator):
    pp = Pp(pp_emulator, app="pp-partial")
    assert pp.call("GET", f"{ENVS}/{CONTOSO_UAT}/backups").status_code == 200
    error = _error(pp.call("GET", f"{ENVS}/{FABRIKAM_UAT}/backups"), 403)
    assert error["code"] == "NoApplicationUser"
    assert "Fabrikam UAT" in error["message"] and "System Administrator" in error["message"]
    assert pp.call("GET", f"{ENVS}/{FABRIKAM_UAT}").status_code == 200  # not environment-scoped


def test_users_need_the_power_platform_administrator_role(pp_emulator):
    def user_token(username):
        response = pp_emulator.http.post(
            f"{pp_emulator.base_url}/contoso.example/oauth2/v2.0/token", timeout=30,
            data={"grant_type": "password", "client_id": "5b8e2f3a-7c41-4d9e-b2a6-1f0e3d4c5b6a", "username": username,
                  "password": "Emu-Passw0rd!", "scope": "https://api.powerplatform.com/.default"})
        return response.json()["access_token"]

    admin = Pp(pp_emulator, token=user_token("ppadmin@contoso.example"))
    assert admin.call("GET", f"{ENVS}/{FABRIKAM_UAT}/backups").status_code == 200
    error = _error(Pp(pp_emulator, token=user_token("dataalm@contoso.example")).call("GET", ENVS), 403)
    assert error["code"] == "UserNotPowerPlatformAdmin"


def test_each_permission_failure_has_its_own_body(pp_emulator):
    codes = {
        Pp(pp_emulator).call("GET", ENVS, token=pp_emulator.app_token(scope=BAP_SCOPE)).json()["error"]["code"],
        Pp(pp_emulator, app="pp-unregistered").call("GET", ENVS).json()["error"]["code"],
        Pp(pp_emulator, app="pp-no-contributor").call("DELETE", f"{ENVS}/{FABRIKAM_UAT}/backups/x").json()["error"][
            "code"],
        Pp(pp_emulator, app="pp-partial").call("GET", f"{ENVS}/{FABRIKAM_UAT}/operations").json()["error"]["code"],
    }
    assert len(codes) == 4


# -- backups -------------------------------------------------------------------------------------------------

def test_backups_page_by_continuation_token_newest_first_without_expired(pp_emulator):
    pp = Pp(pp_emulator)
    first = pp.ok("GET", f"{ENVS}/{FABRIKAM_UAT}/backups")
    assert len(first["collection"]) == 2 and first["continuationToken"]
    backups = pp.backups(FABRIKAM_UAT)
    assert [b["id"][-1] for b in backups] == ["1", "2", "3"]  # the 10-day-old one expired (7-day window)
    points = [_time(b["backupPointDateTime"]) for b in backups]
    assert points == sorted(points, reverse=True)
    for backup in backups:
        assert set(backup) == {"id", "label", "backupPointDateTime", "backupExpiryDateTime", "createdBy"}
        assert _time(backup["backupExpiryDateTime"]) - _time(backup["backupPointDateTime"]) == dt.timedelta(days=7)
        assert set(backup["createdBy"]) == {"userId", "type", "displayName", "tenantId"}
    bad = pp.call("GET", f"{ENVS}/{FABRIKAM_UAT}/backups", params={"continuationToken": "garbage!"})
    assert bad.status_code == 400
    assert "continuationToken" in bad.json()["errorDetail"]["fieldErrors"]


def test_create_backup_then_list_then_delete(pp_emulator):
    pp = Pp(pp_emulator)
    created = pp.ok("POST", f"{ENVS}/{FABRIKAM_UAT}/backups", status=201, json={"label": "before go-live"})
    assert created["label"] == "before go-live"
    assert _time(created["backupPointDateTime"]) - START < dt.timedelta(minutes=5)
    assert created["createdBy"]["type"] == "ServicePrincipal"
    assert pp.backups(FABRIKAM_UAT)[0]["id"] == created["id"]
    # the same label again is a new backup: labels are not unique
    again = pp.ok("POST", f"{ENVS}/{FABRIKAM_UAT}/backups", status=201, json={"label": "before go-live"})
    assert again["id"] != created["id"]
    assert pp.call("DELETE", f"{ENVS}/{FABRIKAM_UAT}/backups/{created['id']}").status_code == 204
    assert created["id"] not in [b["id"] for b in pp.backups(FABRIKAM_UAT)]
    gone = pp.call("DELETE", f"{ENVS}/{FABRIKAM_UAT}/backups/{created['id']}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "BackupNotFound"
    assert pp_emulator.counters()["mutating_requests"] == {"Fabrikam UAT": 4}
    kinds = [e["kind"] for e in pp_emulator.events(environment="Fabrikam UAT")]
    assert kinds == ["backup_created", "backup_created", "backup_deleted"]
    state = pp_emulator.state()["power_platform"]["environments"]
    listed = next(e for e in state if e["id"] == FABRIKAM_UAT)["backups"][0]
    assert _time(listed["restorableAfter"]) - _time(listed["backupPointDateTime"]) == dt.timedelta(seconds=900)


@pytest.mark.parametrize(("env_id", "body", "code", "field"), [
    (FABRIKAM_UAT, {}, "InvalidRequest", "label"),
    (FABRIKAM_UAT, {"label": "  "}, "InvalidRequest", "label"),
    (FABRIKAM_UAT, {"label": "x" * 1001}, "InvalidRequest", "label"),
    (CONTOSO_TEST_INITIAL, {"label": "x"}, "EnvironmentHasNoDataverse", None),
    (TRIAL, {"label": "x"}, "BackupNotSupported", None),
])
def test_backup_refusals_are_validation_responses(pp_emulator, env_id, body, code, field):
    response = Pp(pp_emulator).call("POST", f"{ENVS}/{env_id}/backups", json=body)
    assert response.status_code == 400
    detail = response.json()["errorDetail"]
    assert detail["code"] == code
    if field:
        assert detail["fieldErrors"][field]["errorMessages"]
    assert pp_emulator.events() == []


def test_a_busy_environment_refuses_a_backup_with_409(pp_emulator):
    pp_emulator.set_faults(busy="Fabrikam UAT")
    response = Pp(pp_emulator).call("POST", f"{ENVS}/{FABRIKAM_UAT}/backups", json={"label": "x"})
    assert response.status_code == 409 and response.json()["errorDetail"]["code"] == "EnvironmentBusy"


# -- operations ----------------------------------------------------------------------------------------------

def test_operations_page_by_limit_and_continuation_token(pp_emulator):
    pp = Pp(pp_emulator)
    path = f"{ENVS}/{FABRIKAM_UAT}/operations"
    default = pp.ok("GET", path)
    assert len(default["collection"]) == 3 and default["continuationToken"]  # the world's page size
    seen, params = [], {"limit": "1"}
    while True:
        page = pp.ok("GET", path, params=params)
        assert len(page["collection"]) <= 1
        seen += page["collection"]
        if not page["continuationToken"]:
            break
        params = {"limit": "1", "continuationToken": page["continuationToken"]}
    assert [o["operationId"][-2:] for o in seen] == ["14", "13", "12", "11"]
    for op in seen:
        assert op["status"] in OPERATION_STATUSES
        assert [s["name"] for s in op["stageStatuses"]] == ["Validate", "Prepare", "Run", "Finalize"]
        assert all(s["status"] in STAGE_STATUSES for s in op["stageStatuses"])
        assert op["updatedEnvironment"]["environmentId"] == FABRIKAM_UAT
    failed = next(o for o in seen if o["name"] == "Restore")
    assert failed["status"] == "Failed" and failed["errorDetail"]["code"]
    for bad in ("0", "-1", "x"):
        response = pp.call("GET", path, params={"limit": bad})
        assert response.status_code == 400 and "limit" in response.json()["errorDetail"]["fieldErrors"]
    skipped = pp.call("GET", ENVS, params={"$skip": "-2"})
    assert skipped.status_code == 400 and "$skip" in skipped.json()["errorDetail"]["fieldErrors"]
    assert len(pp.ok("GET", ENVS, params={"$skip": "0", "$top": "8"})["value"]) == 8


def test_operation_get_environment_scoped_and_global(pp_emulator):
    pp = Pp(pp_emulator)
    op_id = "e5000000-0000-4000-8000-000000000012"
    scoped = pp.ok("GET", f"{ENVS}/{FABRIKAM_UAT}/operations/{op_id}")
    assert scoped == pp.ok("GET", f"/environmentmanagement/operations/{op_id}")
    assert scoped["name"] == "Restore" and scoped["endTime"]
    other = pp.call("GET", f"{ENVS}/{FABRIKAM_PROD}/operations/{op_id}")
    assert other.status_code == 404 and other.json()["error"]["code"] == "OperationNotFound"
    # a backup started here is an operation too
    pp.ok("POST", f"{ENVS}/{FABRIKAM_PROD}/backups", status=201, json={"label": "x"})
    newest = pp.ok("GET", f"{ENVS}/{FABRIKAM_PROD}/operations")["collection"][0]
    assert newest["name"] == "Backup" and newest["requestedBy"]["type"] == "ServicePrincipal"


# -- F&O in Power Platform -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("env_id", "deployment_type", "app_id"), [
    (FABRIKAM_UAT, "UnifiedSandbox", "c3000000-0000-4000-8000-000000000002"),
    (FABRIKAM_PROD, "UnifiedProduction", "c3000000-0000-4000-8000-000000000001"),
    (FABRIKAM_DEV, "UnifiedDeveloper", "c3000000-0000-4000-8000-000000000003"),
    (CONTOSO_UAT, "LCSSandbox", "22222222-2222-4222-8222-222222222222"),
    (CONTOSO_PROD, "LCSProduction", "11111111-1111-4111-8111-111111111111"),
])
def test_finops_properties_tell_unified_from_lcs(pp_emulator, env_id, deployment_type, app_id):
    body = Pp(pp_emulator).ok("GET", f"/dynamics/environments/{env_id}/finopsproperties")
    assert body["deploymentType"] == deployment_type and body["appId"] == app_id
    assert isinstance(body["lastObservedAOSCount"], int) and isinstance(body["maxAOSCount"], str)


def test_finops_errors_use_the_finops_error_shape(pp_emulator):
    pp = Pp(pp_emulator)
    no_fin_ops = pp.call("GET", f"/dynamics/environments/{POWERAPPS_PROD}/finopsproperties")
    assert no_fin_ops.status_code == 404 and set(no_fin_ops.json()["error"]) == {"code", "message"}
    denied = Pp(pp_emulator, app="pp-partial").call("GET", f"/dynamics/environments/{FABRIKAM_UAT}/finopsproperties")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "NoApplicationUser"


def test_finops_versions_offers_newer_versions_to_unified_environments(pp_emulator):
    pp = Pp(pp_emulator)
    versions = pp.ok("GET", f"/dynamics/environments/{FABRIKAM_UAT}/finopsversions")["availableVersions"]
    assert versions == [{"version": "10.0.45.3", "releaseStage": "GeneralAvailability"},
                        {"version": "10.0.46.1", "releaseStage": "Preview"}]
    lcs = pp.call("GET", f"/dynamics/environments/{CONTOSO_UAT}/finopsversions")
    assert lcs.status_code == 400 and lcs.json()["error"]["code"] == "NotSupportedForLcsEnvironment"


# -- BAP runtime state ---------------------------------------------------------------------------------------

def _runtime(state: str | None = None, background: str | None = None) -> dict:
    states = {}
    if state:
        states["runtime"] = {"id": state}
    if background:
        states["backgroundOperations"] = {"id": background}
    return {"properties": {"states": states}}


def test_admin_mode_and_background_operations_switch(pp_emulator):
    pp = Pp(pp_emulator)
    response = pp.bap("PATCH", FABRIKAM_UAT, json=_runtime("AdminMode", "Disabled"))
    assert response.status_code == 200, response.text
    states = response.json()["properties"]["states"]
    assert states["runtime"]["id"] == "AdminMode" and states["backgroundOperations"]["id"] == "Disabled"
    env = pp.env(FABRIKAM_UAT)
    assert env["adminMode"] == "Enabled" and env["backgroundOperationsState"] == "Disabled"
    # the same again changes nothing and logs nothing
    assert pp.bap("PATCH", FABRIKAM_UAT, json=_runtime("AdminMode")).status_code == 200
    assert pp.bap("PATCH", FABRIKAM_UAT, json=_runtime("Enabled", "Enabled")).status_code == 200
    assert pp.env(FABRIKAM_UAT)["adminMode"] == "Disabled"
    events = pp_emulator.events(environment="Fabrikam UAT")
    assert [(e["kind"], e.get("admin_mode"), e.get("background_operations")) for e in events] == [
        ("runtime_state_changed", True, False), ("runtime_state_changed", False, True)]


def test_background_operations_in_the_shape_microsofts_clients_send(pp_emulator):
    # Set-AdminPowerAppEnvironmentRuntimeState and Microsoft's Terraform provider send this shape
    pp = Pp(pp_emulator)
    body = {"properties": {"linkedEnvironmentMetadata": {"backgroundOperationsState": "Disabled"}}}
    assert pp.bap("PATCH", FABRIKAM_UAT, json=body).status_code == 200
    assert pp.env(FABRIKAM_UAT)["backgroundOperationsState"] == "Disabled"
    body["properties"]["linkedEnvironmentMetadata"]["backgroundOperationsState"] = "Off"
    response = pp.bap("PATCH", FABRIKAM_UAT, json=body)
    assert response.status_code == 400 and "backgroundOperationsState" in response.text


def test_bap_environment_views(pp_emulator):
    pp = Pp(pp_emulator)
    view = pp.bap("GET", CONTOSO_UAT).json()
    assert view["name"] == CONTOSO_UAT
    assert view["properties"]["linkedAppMetadata"]["type"] == "Linked"
    assert view["properties"]["linkedEnvironmentMetadata"]["instanceApiUrl"] == pp_emulator.dataverse_url(
        "contoso-uat")
    every = pp.call("GET", BAP, api_version="2023-06-01", token=pp_emulator.app_token(scope=BAP_SCOPE)).json()
    assert len(every["value"]) == 8


@pytest.mark.parametrize("body", [{}, {"properties": {}}, _runtime("Paused"), _runtime(background="Off"),
                                  {"properties": {"states": {"runtime": "AdminMode"}}}])
def test_bad_runtime_state_bodies_are_refused(pp_emulator, body):
    response = Pp(pp_emulator).bap("PATCH", FABRIKAM_UAT, json=body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "InvalidRequestContent"
    assert pp_emulator.events() == []


def test_bap_wants_its_own_audience_and_api_version(pp_emulator):
    pp = Pp(pp_emulator)
    wrong = pp.call("PATCH", f"{BAP}/{FABRIKAM_UAT}", api_version="2021-04-01", json=_runtime("AdminMode"))
    assert wrong.status_code == 401 and "https://service.powerapps.com" in wrong.json()["error"]["message"]
    no_version = pp.call("GET", f"{BAP}/{FABRIKAM_UAT}", api_version=None, token=pp_emulator.app_token(scope=BAP_SCOPE))
    assert no_version.status_code == 400
    unregistered = Pp(pp_emulator, app="pp-unregistered")
    assert unregistered.bap("GET", FABRIKAM_UAT).json()["error"]["code"] == "ServicePrincipalNotRegistered"


# -- throttling ----------------------------------------------------------------------------------------------

def test_throttle_fault_answers_429_with_retry_after_in_the_pp_shape(pp_emulator):
    pp_emulator.set_faults(throttle={"route": "/environmentmanagement/*", "count": 2, "retry_after": 7})
    pp = Pp(pp_emulator)
    for _attempt in range(2):
        response = pp.call("GET", ENVS)
        assert response.status_code == 429 and response.headers["Retry-After"] == "7"
        assert response.json()["error"]["code"] == "TooManyRequests"
    assert pp.call("GET", ENVS).status_code == 200
    assert pp_emulator.counters()["throttled"]["total"] == 2


def test_requests_per_minute_limit(start_emulator, tmp_path):
    world = yaml.safe_load(PP_WORLD.read_text())
    world["power_platform"]["requests_per_minute"] = 3
    path = tmp_path / "world.yml"
    path.write_text(yaml.safe_dump(world))
    emulator = start_emulator(path, databases=False)
    pp = Pp(emulator)
    assert [pp.call("GET", ENVS).status_code for _attempt in range(3)] == [200, 200, 200]
    limited = pp.call("GET", ENVS)
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.json()["error"]["code"] == "TooManyRequests"
    # another caller has its own budget; a minute later the first one may call again
    assert Pp(emulator, app="pp-no-contributor").call("GET", ENVS).status_code == 200
    emulator.advance(61)
    assert pp.call("GET", ENVS).status_code == 200


def test_entra_issues_power_platform_and_bap_tokens(pp_emulator):
    from .test_dataverse import _claims

    assert _claims(pp_emulator.app_token())["aud"] == "https://api.powerplatform.com"
    assert _claims(pp_emulator.app_token(scope=BAP_SCOPE))["aud"].rstrip("/") == "https://service.powerapps.com"
    v1 = pp_emulator.http.post(
        f"{pp_emulator.base_url}/contoso.example/oauth2/token", timeout=30,
        data={"grant_type": "client_credentials", "client_id": "7a0d4c5e-9f63-4b10-a4c8-3b2f5e6d7c8a",
              "client_secret": "pp-app-secret", "resource": "https://api.powerplatform.com"}).json()
    assert Pp(pp_emulator, token=v1["access_token"]).call("GET", ENVS).status_code == 200


def test_tenant_capacity_reports_the_free_dataverse_capacity(pp_emulator):
    body = Pp(pp_emulator).ok("GET", "/licensing/tenantCapacity")
    database = next(c for c in body["tenantCapacities"] if c["capacityType"] == "Database")
    assert database["capacityUnits"] == "MB" and database["status"] == "Available"
    assert database["totalCapacity"] - database["consumption"]["actual"] == 37.5 * 1024
    assert body["licenseModelType"] == "StorageDriven" and body["capacitySummary"]["status"] == "Available"


def test_an_operation_on_the_clock_goes_queued_in_progress_succeeded(pp_emulator):
    started = pp_emulator.http.post(f"{pp_emulator.admin_url}/powerplatform/operations", timeout=30,
                                    json={"environment": "Fabrikam UAT", "name": "Copy", "run_seconds": 600})
    assert started.status_code == 201, started.text
    op_id = started.json()["operationId"]
    pp = Pp(pp_emulator)
    path = f"/environmentmanagement/operations/{op_id}"
    seen = [pp.ok("GET", path)["status"]]
    for seconds in (61, 300, 400):
        pp_emulator.advance(seconds)
        pp = Pp(pp_emulator)
        body = pp.ok("GET", path)
        seen.append(body["status"])
    assert seen == ["Queued", "InProgress", "InProgress", "Succeeded"]
    assert body["endTime"] and [s["status"] for s in body["stageStatuses"]] == ["Succeeded"] * 4
    busy = pp.call("POST", f"{ENVS}/{FABRIKAM_UAT}/backups", json={"label": "x"})
    assert busy.status_code == 201  # finished: the environment is free again
    failing = pp_emulator.http.post(f"{pp_emulator.admin_url}/powerplatform/operations", timeout=30,
                                    json={"environment": FABRIKAM_UAT, "run_seconds": 10, "fail": True}).json()
    assert pp.call("POST", f"{ENVS}/{FABRIKAM_UAT}/backups", json={"label": "x"}).status_code == 409
    pp_emulator.advance(200)
    failed = Pp(pp_emulator).ok("GET", f"/environmentmanagement/operations/{failing['operationId']}")
    assert failed["status"] == "Failed" and failed["errorDetail"]["code"]
    assert [s["status"] for s in failed["stageStatuses"]] == ["Succeeded", "Succeeded", "Failed", "Skipped"]


def test_environment_list_filter(pp_emulator):
    pp = Pp(pp_emulator)
    sandboxes = pp.ok("GET", ENVS, params={"$filter": "type eq 'Sandbox' and geo eq 'europe'"})["value"]
    assert sorted(e["displayName"] for e in sandboxes) == ["Contoso UAT", "Fabrikam UAT", "contoso-test (initial)"]
    assert "@odata.nextlink" not in pp.ok("GET", ENVS, params={"$filter": "type eq 'Production'"})
    for bad in ("displayName eq 'x'", "startswith(type,'S')"):
        response = pp.call("GET", ENVS, params={"$filter": bad})
        assert response.status_code == 400 and "$filter" in response.json()["errorDetail"]["fieldErrors"]


@pytest.mark.parametrize("body", [{"environment": "nowhere"}, {"environment": "Fabrikam UAT", "run_seconds": -1},
                                  {"environment": "Fabrikam UAT", "fail": "yes"}])
def test_admin_operation_start_refuses_bad_input(pp_emulator, body):
    response = pp_emulator.http.post(f"{pp_emulator.admin_url}/powerplatform/operations", json=body, timeout=30)
    assert response.status_code in (400, 404) and response.json()["error"]
    assert pp_emulator.events() == []


@pytest.mark.parametrize("scope", ["https://api.powerplatform.com/.default", "https://service.powerapps.com//.default"])
def test_msal_client_credentials_with_the_module_options(pp_emulator, monkeypatch, scope):
    import msal

    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # they would override msal's verify= (requests#3829)
        monkeypatch.delenv(name, raising=False)
    args = pp_emulator.pp_module_args()
    app = msal.ConfidentialClientApplication(args["client_id"], client_credential=args["client_secret"],
                                             authority=f"{args['authority_url']}/{args['tenant_id']}",
                                             verify=args["ca_path"], instance_discovery=False)
    result = app.acquire_token_for_client(scopes=[scope])
    assert "access_token" in result, result
    pp = Pp(pp_emulator, token=result["access_token"])
    if scope.startswith("https://api.powerplatform.com"):
        assert pp.call("GET", ENVS).status_code == 200
    else:
        assert pp.call("GET", f"{BAP}/{FABRIKAM_UAT}", api_version="2021-04-01").status_code == 200
