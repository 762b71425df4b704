"""_pp admin-mode and operation-following logic over real clients and a real loopback server."""

from __future__ import annotations

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._http import HttpClient
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp import admin_mode, operations
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.client import BapAdminClient, PowerPlatformClient
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.errors import PpError
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.module import waiter_for

ENV = "2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b"
ENV_PATH = "/environmentmanagement/environments/" + ENV
BAP_PATH = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/" + ENV


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class Failed(Exception):
    pass


class ModuleStandIn:
    """The parts of PpModule the logic uses, with real clients and a virtual clock (no AnsibleModule)."""

    def __init__(self, server, wait_timeout=60, poll_interval=5):
        self.client = PowerPlatformClient(HttpClient(server.base_url, sleep=lambda s: None))
        self.bap = BapAdminClient(HttpClient(server.base_url, sleep=lambda s: None))
        self.params = {"wait_timeout": wait_timeout, "poll_interval": poll_interval}
        self.clock = FakeClock()
        self.warnings = []

    def waiter(self, fetch):
        return waiter_for(fetch, self.params, clock=self.clock, sleep=self.clock.sleep, warn=self.warnings.append)

    def fail(self, msg, **result):
        raise Failed(msg, result)


def test_settings_come_from_the_power_platform_api(server):
    server.queue(ENV_PATH, body={"id": ENV, "adminMode": "Enabled", "backgroundOperationsState": "Disabled"})
    settings, _facts = admin_mode.current_settings(ModuleStandIn(server), ENV)
    assert settings == {"admin_mode": "enabled", "background_operations": "disabled"}
    assert not server.calls(BAP_PATH)


def test_settings_missing_from_the_power_platform_api_are_read_from_bap(server):
    server.queue(ENV_PATH, body={"id": ENV, "displayName": "UAT"})
    server.queue(BAP_PATH, body={"name": ENV, "properties": {
        "states": {"runtime": {"id": "AdminMode"}},
        "linkedEnvironmentMetadata": {"backgroundOperationsState": "Enabled"}}})
    settings, _facts = admin_mode.current_settings(ModuleStandIn(server), ENV)
    assert settings == {"admin_mode": "enabled", "background_operations": "enabled"}
    assert server.calls(BAP_PATH)[0]["args"]["api-version"] == "2021-04-01"


def test_only_differing_settings_are_switched():
    current = {"admin_mode": "enabled", "background_operations": "enabled"}
    assert admin_mode.wanted_changes(current, {"admin_mode": "disabled", "background_operations": "enabled"}) == \
        {"admin_mode": "disabled"}
    assert admin_mode.wanted_changes(current, {"admin_mode": None, "background_operations": "enabled"}) == {}


def test_confirm_waits_until_the_environment_shows_the_switch(server):
    server.queue(ENV_PATH, body={"id": ENV, "adminMode": "Enabled", "backgroundOperationsState": "Enabled"}, times=2)
    server.queue(ENV_PATH, body={"id": ENV, "adminMode": "Disabled", "backgroundOperationsState": "Enabled"})
    pm = ModuleStandIn(server)
    settings = admin_mode.confirm(pm, ENV, {"admin_mode": "disabled", "background_operations": None})
    assert settings["admin_mode"] == "disabled"
    assert len(server.calls(ENV_PATH)) == 3


def test_confirm_that_never_shows_fails_with_advice(server):
    server.always(ENV_PATH, body={"id": ENV, "adminMode": "Enabled", "backgroundOperationsState": "Enabled"})
    pm = ModuleStandIn(server, wait_timeout=30)
    with pytest.raises(PpError) as caught:
        admin_mode.confirm(pm, ENV, {"admin_mode": "disabled", "background_operations": None})
    assert "re-run the task later" in str(caught.value)


def test_follow_waits_through_unknown_and_state_spellings_to_success(server):
    path = ENV_PATH + "/operations/op1"
    server.queue(path, body={"operationId": "op1", "name": "Restore", "state": "Running"})
    server.queue(path, body={"operationId": "op1", "name": "Restore", "status": "SomethingNew"})
    server.queue(path, body={"operationId": "op1", "name": "Restore", "status": "Succeeded",
                             "startTime": "2026-11-29T08:00:00Z", "endTime": "2026-11-29T08:30:00Z"})
    pm = ModuleStandIn(server)
    result = operations.follow(pm, "op1", ENV, wait=True)
    assert (result["state"], result["done"], result["completed_at"]) == ("succeeded", True, "2026-11-29T08:30:00Z")
    assert any("SomethingNew" in warning for warning in pm.warnings)


def test_follow_fails_a_wait_that_ends_in_failure(server):
    path = "/environmentmanagement/operations/op2"
    server.queue(path, body={"operationId": "op2", "status": "Failed", "errorDetail": {"code": "CopyFailed"}})
    with pytest.raises(Failed) as caught:
        operations.follow(ModuleStandIn(server), "op2", wait=True)
    assert "CopyFailed" in caught.value.args[0]


def test_recent_operations_newest_first_and_limited(server):
    server.queue(ENV_PATH + "/operations", body={"collection": [
        {"operationId": "a", "status": "Succeeded", "startTime": "2026-11-01T00:00:00Z"},
        {"operationId": "c", "status": "InProgress", "startTime": "2026-11-03T00:00:00Z"},
        {"operationId": "b", "status": "Failed", "startTime": "2026-11-02T00:00:00Z"}]})
    rows = operations.recent(ModuleStandIn(server).client, ENV, 2)
    assert [row["operation_id"] for row in rows] == ["c", "b"]
