"""Database refresh: rules, quota, lifecycle on the virtual clock, failures and rollbacks."""

from __future__ import annotations

import re

import pytest

from ._lcs import DEV, PROD, TEST, UAT, Lcs

NET_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?$")


def test_refresh_lifecycle(emulator_http):
    lcs = Lcs(emulator_http)
    started = lcs.refresh(PROD, UAT)
    assert started["IsSuccess"] is True and started["ErrorMessage"] is None
    activity = started["OperationActivityId"]
    status = lcs.status(UAT, activity)
    assert status["OperationStatus"] == "NotStarted" and status["CompletionDate"] is None
    assert status["ActivityId"] == activity and status["OperationActivityId"] != activity
    assert status["ProjectId"] == 1234567 and status["EnvironmentId"] == UAT
    emulator_http.advance(60)
    assert lcs.status(UAT, activity)["OperationStatus"] == "InProgress"
    emulator_http.advance(7200)
    lcs.renew()
    done = lcs.status(UAT, activity)
    assert done["OperationStatus"] == "Completed"
    assert NET_DATE.match(done["CompletionDate"]) and done["CompletionDate"].startswith("2026-03-02T10:01:00")
    counters = emulator_http.counters()
    assert counters["operations_started"] == {"contoso-uat": 1}
    assert counters["mutating_requests"] == {"contoso-uat": 1}


def test_deployment_state_is_the_state_of_the_most_recent_operation(emulator_http):
    """Finished once every operation has ended; while one holds the environment, not Finished (issue 18: a
    fleet's preflight skips the history of a Finished source)."""
    lcs = Lcs(emulator_http)

    def state(env):
        rows = lcs.detail("?environmentId=%s" % env).json()["Data"]
        return rows[0]["DeploymentState"]

    assert state(UAT) == state(PROD) == "Finished"
    lcs.refresh(PROD, UAT)
    emulator_http.advance(60)
    assert state(UAT) == "InProgress" and state(PROD) == "Finished"
    emulator_http.advance(7200)
    lcs.renew()
    assert state(UAT) == "Finished"


def test_status_is_polled_with_the_target_id(emulator_http):
    lcs = Lcs(emulator_http)
    activity = lcs.refresh(PROD, UAT)["OperationActivityId"]
    wrong = lcs.status(PROD, activity)
    assert wrong["IsSuccess"] is False and wrong["OperationStatus"] is None
    unknown = lcs.status(UAT, "0f0f0f0f-0000-4000-8000-000000000000")
    assert unknown["IsSuccess"] is False


def test_dashless_ids_are_accepted(emulator_http):
    lcs = Lcs(emulator_http)
    started = lcs.refresh(PROD.replace("-", ""), UAT.replace("-", ""))
    assert started["IsSuccess"] is True
    assert lcs.status(UAT.replace("-", ""), started["OperationActivityId"])["IsSuccess"] is True


@pytest.mark.parametrize(("source", "target", "fragment"), [
    (UAT, UAT, "cannot be the same"),
    (UAT, PROD, "target must be a sandbox"),
    (PROD, "0f0f0f0f-0000-4000-8000-000000000000", "was not found"),
    ("not-a-guid", UAT, "was not found"),
])
def test_refused_refreshes_are_200_with_is_success_false(emulator_http, source, target, fragment):
    lcs = Lcs(emulator_http)
    body = lcs.refresh(source, target)
    assert body["IsSuccess"] is False and fragment in body["ErrorMessage"]
    assert emulator_http.counters()["operations_started"] == {}


@pytest.mark.parametrize(("source", "target"), [(PROD, DEV), (DEV, UAT)])
def test_tier1_refresh_is_401(emulator_http, source, target):
    lcs = Lcs(emulator_http)
    response = lcs.call("POST", f"/databasemovement/v1/refresh/project/1234567/source/{source}/target/{target}")
    assert response.status_code == 401 and response.json()["IsSuccess"] is False


def test_busy_target_is_refused(emulator_http):
    lcs = Lcs(emulator_http)
    assert lcs.refresh(PROD, UAT)["IsSuccess"] is True
    second = lcs.refresh(TEST, UAT)
    assert second["IsSuccess"] is False and "in progress" in second["ErrorMessage"]
    # the environment being refreshed cannot be a source either
    assert lcs.refresh(UAT, TEST)["IsSuccess"] is False
    # another target is free
    assert lcs.refresh(PROD, TEST)["IsSuccess"] is True


def test_busy_fault(emulator_http):
    emulator_http.set_faults(busy="contoso-test")
    lcs = Lcs(emulator_http)
    assert lcs.refresh(PROD, TEST)["IsSuccess"] is False
    rows = lcs.history(TEST).json()["Data"]
    assert rows[0]["Status"] == "InProgress"
    emulator_http.clear_faults()
    assert lcs.refresh(PROD, TEST)["IsSuccess"] is True


def test_three_starts_per_24_hours(emulator_http):
    lcs = Lcs(emulator_http)
    for _attempt in range(3):
        assert lcs.refresh(PROD, TEST)["IsSuccess"] is True
        emulator_http.advance(7300)  # let it complete
        lcs.renew()
    fourth = lcs.refresh(PROD, TEST)
    assert fourth["IsSuccess"] is False
    # window start = now - 24 h, seven-digit fraction
    assert re.fullmatch(r"Maximum allowed API operations are 3 from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}",
                        fourth["ErrorMessage"]), fourth["ErrorMessage"]
    assert " from 2026-03-01T14:05:0" in fourth["ErrorMessage"]  # clock start + 3 x 7300 s - 24 h
    emulator_http.advance(86400 - 3 * 7300 + 1)  # the first start leaves the window
    lcs.renew()
    assert lcs.refresh(PROD, TEST)["IsSuccess"] is True


def test_quota_exhausted_fault(emulator_http):
    emulator_http.set_faults(quota_exhausted="contoso-uat")
    body = Lcs(emulator_http).refresh(PROD, UAT)
    assert body["IsSuccess"] is False and body["ErrorMessage"].startswith("Maximum allowed API operations are 3 from ")


@pytest.mark.parametrize(("rollback", "final"), [("completed", "RollbackCompleted"), ("failed", "RollbackFailed")])
def test_failed_operation_rolls_back(emulator_http, rollback, final):
    emulator_http.set_faults(operation_failure={"environment": "contoso-uat", "rollback": rollback})
    lcs = Lcs(emulator_http)
    activity = lcs.refresh(PROD, UAT)["OperationActivityId"]
    seen = []
    for step in (60, 7200, 300, 1800):
        emulator_http.advance(step)
        lcs.renew()
        seen.append(lcs.status(UAT, activity)["OperationStatus"])
    assert seen == ["InProgress", "Failed", "RollbackInProgress", final]
    assert NET_DATE.match(lcs.status(UAT, activity)["CompletionDate"])
    history = lcs.history(UAT).json()["Data"][0]
    assert (history["Type"], history["Status"]) == ("SFSourceDbToSandbox", final)
    # the fault was for one operation only
    emulator_http.advance(86400)
    lcs.renew()
    again = lcs.refresh(PROD, UAT)["OperationActivityId"]
    emulator_http.advance(7300)
    lcs.renew()
    assert lcs.status(UAT, again)["OperationStatus"] == "Completed"


def test_fault_environment_must_exist(emulator_http):
    response = emulator_http.http.post(f"{emulator_http.admin_url}/faults",
                                       json={"faults": [{"kind": "busy", "environment": "nope"}]})
    assert response.status_code == 400 and response.json()["error"].startswith("faults[0].environment")


def test_signoff_and_custom_world(start_emulator, tmp_path):
    world = tmp_path / "signoff.yml"
    world.write_text("""
clock: {start: "2026-01-05T00:00:00Z"}
lcs: {metadata_page_size: 2}
tenants:
  - id: 0b7a3c91-5e2d-4f8a-9c16-7d4e2a1b3f50
    domain: fabrikam.example
    users: [{username: bot@fabrikam.example, password: pw}]
    apps: [{name: app, client_id: 9d1e4b27-3c6a-4f05-8e92-b5a7c0d3e1f4}]
projects:
  - id: 42
    tenant: fabrikam.example
    region: Europe
    members: [{user: bot@fabrikam.example, role: EnvironmentAdministrator}]
    environments:
      - {id: a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a50, name: p, type: Production}
      - {id: a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a50, name: s1, type: Sandbox,
         durations: {queue: 0, refresh: 100, signoff: 50}}
      - {id: a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a50, name: s2, type: Sandbox}
""")
    emu = start_emulator(world, databases=False)
    lcs = Lcs(emu)
    source, target = "a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a50", "a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a50"
    activity = lcs.refresh(source, target, project=42)["OperationActivityId"]
    assert lcs.status(target, activity, project=42)["OperationStatus"] == "InProgress"
    emu.advance(100)
    assert lcs.status(target, activity, project=42)["OperationStatus"] == "Completed"
    emu.advance(50)
    assert lcs.status(target, activity, project=42)["OperationStatus"] == "SignedOff"
    # metadata paging with a page size of 2
    first = lcs.detail("?page=1", project=42).json()
    second = lcs.detail("?page=2", project=42).json()
    assert (len(first["Data"]), first["ResultHasMorePages"]) == (2, True)
    assert (len(second["Data"]), second["ResultHasMorePages"], second["ResultPageCurrent"]) == (1, False, 2)
    assert emu.lcs_module_args()["project_id"] == 42


@pytest.mark.parametrize(("rollback", "final"), [("none", "Failed"), ("aborted", "Aborted")])
def test_failures_without_automatic_rollback(emulator_http, rollback, final):
    emulator_http.set_faults(operation_failure={"environment": "contoso-test", "rollback": rollback})
    lcs = Lcs(emulator_http)
    activity = lcs.refresh(PROD, TEST)["OperationActivityId"]
    emulator_http.advance(7260)
    lcs.renew()
    first = lcs.status(TEST, activity)
    emulator_http.advance(86400)
    lcs.renew()
    later = lcs.status(TEST, activity)
    assert first["OperationStatus"] == later["OperationStatus"] == final
    assert first["CompletionDate"] == later["CompletionDate"] and NET_DATE.match(later["CompletionDate"])
    assert lcs.refresh(PROD, TEST)["IsSuccess"] is True  # a terminal failure no longer holds the environment
