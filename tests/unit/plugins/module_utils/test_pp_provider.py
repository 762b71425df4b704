"""The Power Platform provider driven by the movement engine: a start answered with 202 and no id is located
in the environment's operations, joined when already running, and followed to the end (real loopback server)."""

from __future__ import annotations

import datetime

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._http import HttpClient
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import EnvironmentBusy
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.orchestrate import Request, run_movement
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.waiter import Waiter
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.client import PowerPlatformClient
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.provider import PowerPlatformOperations, movement_of

ENV = "b2000000-0000-4000-8000-000000000002"
OPS = "/environmentmanagement/environments/%s/operations" % ENV
RESTORE = "/environmentmanagement/environments/%s/restore" % ENV
NOW = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC)


class RestoreLike(PowerPlatformOperations):
    """A start that the service accepts with 202 and no operation id, like restore and copy."""

    label = "restore"

    def start(self):
        self.client.http.request("POST", RESTORE, params={"api-version": self.client.api_version}, json_body={})
        return None

    def now(self):
        return NOW


def engine(server, check_mode=False):
    client = PowerPlatformClient(HttpClient(server.base_url, sleep=lambda s: None))
    clock = {"t": 0.0}

    def sleep(seconds):
        clock["t"] += seconds

    def make_waiter(fetch):
        return Waiter(fetch, timeout=3600, poll_interval=30, clock=lambda: clock["t"], sleep=sleep)

    def run():
        return run_movement(RestoreLike(client, ENV), Request("restore", check_mode=check_mode), make_waiter,
                            warn=lambda text: None, sleep=sleep)

    return run


def op(operation_id, name, status, started):
    return {"operationId": operation_id, "name": name, "status": status, "startTime": started}


def test_movement_kinds_from_operation_names():
    assert [movement_of(n) for n in ("Restore", "Copy environment", "Backup", "Reset", "Provision", None)] == \
        ["restore", "copy", "backup", "reset", None, None]


def test_a_202_start_is_located_in_the_operations_and_followed(server):
    server.queue(OPS, body={"collection": [op("old", "Backup", "Succeeded", "2026-11-28T10:00:00Z")]})
    server.queue(RESTORE, status=202, body="")
    server.queue(OPS, body={"collection": [op("new", "Restore", "Queued", "2026-11-29T10:00:05Z"),
                                           op("old", "Backup", "Succeeded", "2026-11-28T10:00:00Z")]})
    server.queue(OPS + "/new", body=op("new", "Restore", "InProgress", "2026-11-29T10:00:05Z"))
    server.queue(OPS + "/new", body=dict(op("new", "Restore", "Succeeded", "2026-11-29T10:00:05Z"),
                                         endTime="2026-11-29T11:00:00Z"))
    result = engine(server)()
    assert (result["action"], result["operation_id"], result["state"]) == ("started", "new", "succeeded")
    assert result["duration_seconds"] == 3595
    assert len(server.calls(RESTORE, "POST")) == 1


def test_a_running_restore_is_joined_and_check_mode_starts_nothing(server):
    running = op("run1", "Restore", "InProgress", "2026-11-29T09:00:00Z")
    server.queue(OPS, body={"collection": [running]})
    result = engine(server, check_mode=True)()
    assert (result["action"], result["operation_id"]) == ("joined", "run1")
    assert not server.calls(RESTORE)


def test_an_unknown_status_keeps_the_environment_busy(server):
    server.queue(OPS, body={"collection": [op("x", "Copy", "SomethingNew", "2026-11-29T09:00:00Z")]})
    with pytest.raises(EnvironmentBusy) as caught:
        engine(server)()
    assert "pp_operation_info" in str(caught.value)
    assert not server.calls(RESTORE)
    assert server.calls(OPS)[0]["args"] == {"limit": "50", "api-version": "2024-10-01"}
