"""lcs + lcs_movement: dates, GUID spellings, envelopes, quota text, paging and the start/join/none plan."""

from __future__ import annotations

import datetime
import random

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._http import HttpClient, RetryPolicy
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.client import (
    LcsClient,
    environment_facts,
    normalize_guid,
    parse_datetime,
)
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.errors import LcsError, LcsQuotaError
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.provider import (
    adopt_started_operation,
    plan_movement,
    quota_next_allowed,
)
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.quota import next_start_allowed, parse_quota_message
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.rules import is_tier1, validate_backup_name
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import InputError
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.inputs import parse_duration, parse_not_before
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.planner import JOINED, NONE, STARTED

UTC = datetime.UTC
T = datetime.datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TARGET = "22222222-2222-4222-8222-222222222222"
ENVELOPE = {"IsSuccess": True, "ErrorMessage": None, "VersionEOL": "9999-12-31T23:59:59.9999999"}


@pytest.mark.parametrize("text, expected", [
    ("2019-09-27T15:17:35.867", datetime.datetime(2019, 9, 27, 15, 17, 35, 867000, tzinfo=UTC)),
    ("2021-07-11T00:01:57.4230000", datetime.datetime(2021, 7, 11, 0, 1, 57, 423000, tzinfo=UTC)),
    ("2021-07-11T00:01:57", datetime.datetime(2021, 7, 11, 0, 1, 57, tzinfo=UTC)),
    ("2021-07-11T00:01:57Z", datetime.datetime(2021, 7, 11, 0, 1, 57, tzinfo=UTC)),
    ("2021-07-11T02:01:57+02:00", datetime.datetime(2021, 7, 11, 0, 1, 57, tzinfo=UTC)),
    ("8/5/2021 11:00 PM", datetime.datetime(2021, 8, 5, 23, 0, tzinfo=UTC)),
    ("8/5/2021 11:00:09 AM", datetime.datetime(2021, 8, 5, 11, 0, 9, tzinfo=UTC)),
    ("Thursday, June 30, 2022 8:52:13 PM", datetime.datetime(2022, 6, 30, 20, 52, 13, tzinfo=UTC)),
    ("9999-12-31T23:59:59.9999999", datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ("0001-01-01T00:00:00", None), ("", None), (None, None), ("not a date", None),
])
def test_parse_lcs_dates(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("raw", ["d15ed3a8c2c14054840b946c93915da9", "D15ED3A8-C2C1-4054-840B-946C93915DA9",
                                 "{d15ed3a8-c2c1-4054-840b-946c93915da9}"])
def test_guid_spellings_normalise(raw):
    assert normalize_guid(raw) == "d15ed3a8-c2c1-4054-840b-946c93915da9"


@pytest.mark.parametrize("raw", ["", "1234", "d15ed3a8-c2c1-4054-840b-946c93915dz9", None, "prod"])
def test_malformed_guids_are_refused(raw):
    with pytest.raises(ValueError, match="not a GUID"):
        normalize_guid(raw)


def test_quota_message_parsing():
    limit, when = parse_quota_message("Maximum allowed API operations are 3 from 2019-09-30T04:01:01.9999999")
    assert limit == 3 and when == datetime.datetime(2019, 9, 30, 4, 1, 1, 999999, tzinfo=UTC)
    assert parse_quota_message("Environment is busy") is None


def test_next_start_follows_the_rolling_window():
    starts = [T - datetime.timedelta(hours=h) for h in (1, 5, 20, 30)]
    assert next_start_allowed(starts, T) == T - datetime.timedelta(hours=20) + datetime.timedelta(hours=24)
    assert next_start_allowed(starts[:2], T) == T


def history_row(status, started_hours_ago, op_type="SFSourceDbToSandbox",
                activity="aaaaaaaa-0000-4000-8000-00000000000", ended=True, index=1):
    start = T - datetime.timedelta(hours=started_hours_ago)
    return {"Name": "Refresh", "Type": op_type, "TypeDisplay": "Refresh database", "Status": status,
            "StartDateTimeUTC": start.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
            "EndDateTimeUTC": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S") if ended else None,
            "ActivityId": activity + str(index), "EnvironmentId": TARGET.replace("-", ""), "ProjectId": 1234567}


def test_plan_joins_a_running_refresh():
    plan = plan_movement([history_row("InProgress", 1, ended=False)], "refresh", T)
    assert plan.action == JOINED and plan.operation.operation_id.endswith("1")


def test_plan_refuses_when_another_kind_of_operation_runs():
    with pytest.raises(LcsError, match="busy"):
        plan_movement([history_row("InProgress", 1, op_type="SFExportSandboxDb", ended=False)], "refresh", T)
    with pytest.raises(LcsError, match="busy"):
        plan_movement([history_row("RollbackInProgress", 1, ended=False)], "refresh", T)


def test_plan_none_inside_window_only_for_success():
    rows = [history_row("Completed", 3, index=1), history_row("Failed", 1, index=2)]
    assert plan_movement(rows, "refresh", T, max_age=4 * 3600).action == NONE
    assert plan_movement(rows, "refresh", T, max_age=2 * 3600).action == STARTED
    assert plan_movement(rows, "refresh", T, not_before=T - datetime.timedelta(hours=3, minutes=1)).action == NONE
    # the later bound wins when both are given
    assert plan_movement(rows, "refresh", T, max_age=10 * 3600,
                         not_before=T - datetime.timedelta(hours=2)).action == STARTED
    # without a window a new operation always starts
    assert plan_movement(rows, "refresh", T).action == STARTED
    # an export does not satisfy a refresh
    assert plan_movement([history_row("Completed", 1, op_type="SFExportSandboxDb")], "refresh", T,
                         max_age=86400).action == STARTED


def test_old_rows_with_unfamiliar_status_do_not_block():
    rows = [history_row("Deployed", 5, op_type="ApplicationHotfix")]
    assert plan_movement(rows, "refresh", T).action == STARTED


def test_quota_next_allowed_from_history():
    rows = [history_row("Completed", h, index=i) for i, h in enumerate((2, 6, 10))]
    assert quota_next_allowed(rows, T) == T + datetime.timedelta(hours=14)
    assert quota_next_allowed(rows[:2], T) is None


def test_adopt_finds_the_operation_a_lost_start_created():
    rows = [history_row("InProgress", 0, ended=False, index=7), history_row("Completed", 5, index=8)]
    adopted = adopt_started_operation(rows, "refresh", T - datetime.timedelta(minutes=1))
    assert adopted.operation_id.endswith("7")
    assert adopt_started_operation(rows[1:], "refresh", T) is None


@pytest.mark.parametrize("text, seconds", [("12h", 43200), ("1d12h", 129600), ("90m", 5400), ("3600", 3600),
                                           ("2w", 1209600), ("45s", 45), ("1d 2h 3m 4s", 93784)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "0", "-5h", "1y"])
def test_bad_durations_say_what_to_write(text):
    with pytest.raises(InputError, match="max_age"):
        parse_duration(text)


def test_not_before_must_be_aware_and_past():
    assert parse_not_before("2026-11-21T10:00:00Z", T) == T - datetime.timedelta(hours=2)
    with pytest.raises(InputError, match="time zone"):
        parse_not_before("2026-11-21T10:00:00", T)
    with pytest.raises(InputError, match="future"):
        parse_not_before("2026-11-22T10:00:00Z", T)
    with pytest.raises(InputError, match="ISO 8601"):
        parse_not_before("yesterday", T)


@pytest.mark.parametrize("name, words", [("", "must not be empty"), ("   ", "must not be empty"),
                                         ("a/b", "may only contain"), ("x.bacpac", "drop it"),
                                         ("-lead", "may only contain"), ("n" * 200, "at most 100"),
                                         # issue 9 item 8: LCS refuses spaces and names over 100 characters
                                         ("uat 2026-11-21_v1.2", "no spaces"), ("n" * 101, "at most 100")])
def test_backup_names(name, words):
    with pytest.raises(InputError, match=words):
        validate_backup_name(name)
    assert validate_backup_name("uat-2026-11-21_v1.2") == "uat-2026-11-21_v1.2"
    assert validate_backup_name("n" * 100) == "n" * 100


def test_environment_facts_and_tier1():
    row = {"EnvironmentId": "d15ed3a8c2c14054840b946c93915da9", "EnvironmentName": "dev1",
           "EnvironmentType": "DevTestDev", "EnvironmentInfrastructure": "CustomerManaged",
           "DeployedOnUTC": "8/5/2021 11:00 PM", "CloudStorageLocation": "West Europe"}
    facts = environment_facts(row)
    assert facts["environment_id"] == "d15ed3a8-c2c1-4054-840b-946c93915da9"
    assert facts["deployed_at"] == "2021-08-05T23:00:00Z" and facts["region"] == "West Europe"
    assert is_tier1(facts)
    assert not is_tier1({"type": "Sandbox", "infrastructure": "MicrosoftManaged"})
    assert not is_tier1({"type": "Production", "infrastructure": "CustomerManaged"})


# -- the client against a real HTTP server ---------------------------------------------------------
def lcs_client(srv):
    http = HttpClient(srv.base_url, timeout=5, sleep=lambda s: None, retry=RetryPolicy(rng=random.Random(1)))
    return LcsClient(http, 1234567)


def test_start_refresh_returns_the_operation_id(server):
    path = "/databasemovement/v1/refresh/project/1234567/source/%s/target/%s" % (
        "11111111-1111-4111-8111-111111111111", TARGET)
    server.queue(path, 200, dict(ENVELOPE, OperationActivityId="55EB4327AAAA4BBB8CCC0123456789AB"))
    op = lcs_client(server).start_refresh("11111111111141118111111111111111", TARGET)
    assert op == "55eb4327-aaaa-4bbb-8ccc-0123456789ab"
    assert server.calls(path)[0]["method"] == "POST"


def test_envelope_failure_on_http_200_is_an_error_with_lcs_text(server):
    path = "/databasemovement/v1/export/project/1234567/environment/%s/backupName/uat copy" % TARGET
    server.queue(path, 200, dict(ENVELOPE, IsSuccess=False, ErrorMessage="Environment is busy",
                                 OperationActivityId="x"))
    with pytest.raises(LcsError) as info:
        lcs_client(server).start_export(TARGET, "uat copy")
    assert info.value.error_message == "Environment is busy"
    assert not isinstance(info.value, LcsQuotaError)


def test_quota_refusal_is_a_quota_error_with_next_allowed(server):
    path = "/databasemovement/v1/export/project/1234567/environment/%s/backupName/b1" % TARGET
    server.queue(path, 200, dict(ENVELOPE, IsSuccess=False,
                                 ErrorMessage="Maximum allowed API operations are 3 from 2026-11-21T04:00:00.0000000"))
    with pytest.raises(LcsQuotaError) as info:
        lcs_client(server).start_export(TARGET, "b1")
    assert info.value.next_allowed_at == datetime.datetime(2026, 11, 22, 4, 0, tzinfo=UTC)


def test_history_and_metadata_are_paged(server):
    path = "/environmentinfo/v1/detail/project/1234567/"
    server.queue(path, 200, dict(ENVELOPE, ResultPageCurrent=1, ResultHasMorePages=True,
                                 Data=[{"EnvironmentName": "a"}]))
    server.queue(path, 200, dict(ENVELOPE, ResultPageCurrent=2, ResultHasMorePages=False,
                                 Data=[{"EnvironmentName": "b"}]))
    rows = lcs_client(server).environments()
    assert [r["EnvironmentName"] for r in rows] == ["a", "b"]
    assert [c["args"]["page"] for c in server.calls(path)] == ["1", "2"]


def test_http_401_is_explained_with_host_and_role_advice(server):
    path = "/databasemovement/v1/databases/project/1234567"
    server.queue(path, 401, {"Message": "Unauthorized"})
    with pytest.raises(LcsError) as info:
        lcs_client(server).list_backups()
    assert info.value.status == 401
    assert "regional" in str(info.value) or "geography" in str(info.value)
    assert "project owner" in str(info.value)


def test_missing_project_id_is_explained():
    client = LcsClient(HttpClient("http://127.0.0.1:9"), None)
    with pytest.raises(LcsError, match="project_id is required"):
        client.list_backups()
