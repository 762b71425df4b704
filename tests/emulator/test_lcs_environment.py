"""Environment metadata and history: fields, paging, filters, date formats and the 429 limits."""

from __future__ import annotations

import re

from ._lcs import DEV, PROD, TEST, UAT, Lcs

US_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d (AM|PM)$")
HISTORY_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?$")


def test_metadata_fields(emulator_http):
    body = Lcs(emulator_http).detail().json()
    assert (body["IsSuccess"], body["ResultPageCurrent"], body["ResultHasMorePages"]) == (True, 1, False)
    rows = {row["EnvironmentName"]: row for row in body["Data"]}
    assert list(rows) == ["contoso-prod", "contoso-uat", "contoso-test", "contoso-dev"]
    prod = rows["contoso-prod"]
    assert prod["EnvironmentId"] == PROD.replace("-", "")  # LCS shows dashless ids here
    assert (prod["EnvironmentType"], prod["EnvironmentInfrastructure"], prod["CloudStorageLocation"]) == (
        "Production", "MicrosoftManaged", "West Europe")
    assert prod["CurrentApplicationReleaseName"] == "10.0.41" and prod["CurrentPlatformReleaseName"] == "Update65"
    assert prod["CurrentPlatformVersion"].startswith("7.0.7367.")
    assert US_DATE.match(prod["DeployedOnUTC"]) and prod["ProjectId"] == 1234567
    assert rows["contoso-dev"]["EnvironmentType"] == "DevTestDev"
    assert rows["contoso-dev"]["EnvironmentInfrastructure"] == "CustomerManaged"


def test_metadata_filters(emulator_http):
    lcs = Lcs(emulator_http)
    by_id = lcs.detail(f"?environmentId={UAT}").json()["Data"]
    assert [r["EnvironmentName"] for r in by_id] == ["contoso-uat"]
    by_dashless = lcs.detail(f"?environmentId={TEST.replace('-', '')}").json()["Data"]
    assert [r["EnvironmentName"] for r in by_dashless] == ["contoso-test"]
    by_name = lcs.detail("?environmentName=contoso-dev").json()["Data"]
    assert [r["EnvironmentId"] for r in by_name] == [DEV.replace("-", "")]
    assert lcs.detail("?environmentName=nope").json()["Data"] == []
    no_slash = lcs.call("GET", "/environmentinfo/v1/detail/project/1234567?environmentName=contoso-uat")
    assert [r["EnvironmentName"] for r in no_slash.json()["Data"]] == ["contoso-uat"]
    beyond = lcs.detail("?page=2").json()
    assert beyond["Data"] == [] and beyond["ResultHasMorePages"] is False


def test_metadata_limit_is_6_per_project_per_minute(emulator_http):
    lcs = Lcs(emulator_http)
    for _attempt in range(6):
        assert lcs.detail().status_code == 200
    throttled = lcs.detail()
    assert throttled.status_code == 429
    retry_after = int(throttled.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert re.fullmatch(r"[0-9a-f-]{36}", throttled.headers["activity-id"])
    emulator_http.advance(retry_after)
    assert lcs.detail().status_code == 200
    counters = emulator_http.counters()
    assert counters["throttled"]["total"] == 1
    route = "GET /environmentinfo/v1/detail/project/<projectId>/"
    assert counters["requests"][route] == {"200": 7, "429": 1}


def test_history_newest_first_with_formats(emulator_http):
    lcs = Lcs(emulator_http)
    activity = lcs.refresh(PROD, UAT)["OperationActivityId"]
    rows = lcs.history(UAT).json()["Data"]
    assert [r["Type"] for r in rows] == ["SFSourceDbToSandbox", "SFSourceDbToSandbox"]
    newest, older = rows
    assert newest["ActivityId"] == activity and newest["Status"] == "NotStarted" and newest["EndDateTimeUTC"] is None
    assert older["Status"] == "Completed" and older["TypeDisplay"] == "Refresh database"
    assert HISTORY_DATE.match(older["StartDateTimeUTC"]) and HISTORY_DATE.match(older["EndDateTimeUTC"])
    assert newest["StartDateTimeUTC"] > older["StartDateTimeUTC"]
    assert newest["EnvironmentId"] == UAT.replace("-", "") and newest["ProjectId"] == 1234567
    assert set(newest) == {"Name", "Type", "TypeDisplay", "StartDateTimeUTC", "EndDateTimeUTC", "Status",
                           "ActivityId", "EnvironmentId", "ProjectId"}


def test_history_paging(emulator_http):
    lcs = Lcs(emulator_http)
    for i in range(3):  # history page size is 10: create 11 rows on contoso-test across days
        for _attempt in range(3):
            assert lcs.export(TEST, f"b{i}")["IsSuccess"] is True
            emulator_http.advance(3700)
            lcs.renew()
        emulator_http.advance(86400)
        lcs.renew()
    for _attempt in range(2):
        assert lcs.export(TEST, "late")["IsSuccess"] is True
        emulator_http.advance(3700)
        lcs.renew()
    first = lcs.history(TEST, "?page=1").json()
    second = lcs.history(TEST, "?page=2").json()
    assert (len(first["Data"]), first["ResultHasMorePages"]) == (10, True)
    assert (len(second["Data"]), second["ResultHasMorePages"]) == (1, False)
    starts = [r["StartDateTimeUTC"] for r in first["Data"] + second["Data"]]
    assert starts == sorted(starts, reverse=True)


def test_history_limits(emulator_http):
    lcs = Lcs(emulator_http)
    for _attempt in range(6):
        assert lcs.history(UAT).status_code == 200
    blocked = lcs.history(UAT)
    # both limits are reached: 6 per environment per 30 s and 6 per project per minute
    assert blocked.status_code == 429 and 30 < int(blocked.headers["retry-after"]) <= 60
    emulator_http.advance(31)
    # the environment window has passed, the project window has not, for any environment
    again = lcs.history(TEST)
    assert again.status_code == 429 and int(again.headers["retry-after"]) <= 30
    emulator_http.advance(30)
    assert lcs.history(TEST).status_code == 200


def test_history_limit_per_environment(start_emulator, tmp_path):
    import yaml

    from devtools.emulator import DEFAULT_WORLD

    world = yaml.safe_load(DEFAULT_WORLD.read_text())
    world["lcs"] = {"history_per_project_per_minute": 100}
    path = tmp_path / "world.yml"
    path.write_text(yaml.safe_dump(world))
    emu = start_emulator(path, databases=False)
    lcs = Lcs(emu)
    for _attempt in range(6):
        assert lcs.history(UAT).status_code == 200
    blocked = lcs.history(UAT)
    assert blocked.status_code == 429 and 1 <= int(blocked.headers["retry-after"]) <= 30
    assert lcs.history(TEST).status_code == 200  # another environment has its own window
    emu.advance(int(blocked.headers["retry-after"]))
    assert lcs.history(UAT).status_code == 200


def test_real_time_limits_hold_while_the_clock_runs_a_million_times_faster(start_emulator, tmp_path):
    import yaml

    from devtools.emulator import DEFAULT_WORLD

    world = yaml.safe_load(DEFAULT_WORLD.read_text())
    world["lcs"] = {"rate_limits_in_real_time": True}
    world["tokens"] = {"lifetime_seconds": 10**10}  # tokens keep virtual time
    path = tmp_path / "world.yml"
    path.write_text(yaml.safe_dump(world))
    emu = start_emulator(path, databases=False, speed=1_000_000)
    lcs = Lcs(emu)
    for _attempt in range(6):
        assert lcs.detail().status_code == 200
    throttled = lcs.detail()
    # a minute of virtual time passes in 60 microseconds: only a real-time window still holds the calls
    assert throttled.status_code == 429 and 50 <= int(throttled.headers["retry-after"]) <= 60
    emu.advance(3600)  # virtual time does not open a real-time window
    assert lcs.detail().status_code == 429


def test_real_time_limits_must_be_true_or_false(tmp_path):
    import pytest
    import yaml

    from devtools.emulator import DEFAULT_WORLD
    from emulator.world import WorldError, parse_world

    world = yaml.safe_load(DEFAULT_WORLD.read_text())
    world["lcs"] = {"rate_limits_in_real_time": 1}
    with pytest.raises(WorldError, match=r"lcs\.rate_limits_in_real_time: must be true or false"):
        parse_world(world)
