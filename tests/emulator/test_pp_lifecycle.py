"""Contract tests of the emulated Power Platform restore and copy (services/pplifecycle): ValidateOnly,
ValidationResponse errors, the three ways a 202 announces its operation, the operation on the clock,
the rules (matrix, region, retention, Dataverse, advanced copy), candidates, and data and code as of
the instant, row by row (F&O row history and the Dataverse store)."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from ._pp import CONTOSO_TEST_INITIAL, CONTOSO_UAT, FABRIKAM_DEV, FABRIKAM_PROD, FABRIKAM_UAT, Pp
from .test_data_through_time import _as_of, _dump, _environment, _libpq, _write_after, _write_before

ENVS = "/environmentmanagement/environments"
ADVANCED = "executeAdvancedCopyForFinanceAndOperations"


def _iso(emulator, seconds_ago: int = 0) -> str:
    now = dt.datetime.fromisoformat(emulator.state()["clock"]["now"].replace("Z", "+00:00"))
    return (now - dt.timedelta(seconds=seconds_ago)).isoformat()


def _restore(pp, target=FABRIKAM_UAT, body=None, **params):
    body = body if body is not None else {"sourceEnvironmentId": target,
                                          "restorePointDateTime": _iso(pp.emulator, 3600)}
    return pp.call("POST", f"{ENVS}/{target}/restore", params=params, json=body)


def _counts(emulator, env="Fabrikam UAT"):
    counters = emulator.counters()
    return (counters.get("mutating_requests", {}).get(env, 0), counters["pp_restores_started"].get(env, 0),
            counters["pp_copies_started"].get(env, 0))


def _operation_url(response) -> str | None:
    return response.headers.get("Location") or response.headers.get("Operation-Location") or (
        response.json().get("operationUrl") if response.content else None)


def test_validate_only_passes_with_202_and_changes_nothing(pp_emulator):
    pp = Pp(pp_emulator)
    response = _restore(pp, ValidateOnly="true")
    assert response.status_code == 202 and not response.content
    assert not response.headers.get("Location") and not response.headers.get("Operation-Location")
    assert _counts(pp_emulator) == (0, 0, 0)
    copy = pp.call("POST", f"{ENVS}/{FABRIKAM_UAT}/copy", params={"ValidateOnly": "true"},
                   json={"sourceEnvironmentId": FABRIKAM_PROD, "copyType": "Full"})
    assert copy.status_code == 202 and _counts(pp_emulator) == (0, 0, 0)


@pytest.mark.parametrize(("target", "body", "status", "field"), [
    (FABRIKAM_UAT, {"sourceEnvironmentId": FABRIKAM_UAT, "restorePointDateTime": "2026-03-02T07:00:00"}, 400,
     "restorePointDateTime"),  # naive
    (FABRIKAM_UAT, {"sourceEnvironmentId": FABRIKAM_UAT, "restorePointDateTime": "2026-03-03T07:00:00Z"}, 400,
     "restorePointDateTime"),  # future
    (FABRIKAM_UAT, {"sourceEnvironmentId": FABRIKAM_UAT, "restorePointDateTime": "2026-02-20T07:00:00Z"}, 400,
     "restorePointDateTime"),  # 10 days back: outside 7 days of retention
    (FABRIKAM_UAT, {"sourceEnvironmentId": FABRIKAM_UAT}, 400, "restorePointDateTime"),
    (FABRIKAM_UAT, {"restorePointDateTime": "2026-03-02T07:00:00Z"}, 400, "sourceEnvironmentId"),
    (FABRIKAM_UAT, {"sourceEnvironmentId": "c0ffee00-0000-4000-8000-000000000000",
                    "restorePointDateTime": "2026-03-02T07:00:00Z"}, 404, "sourceEnvironmentId"),
    (FABRIKAM_PROD, {"sourceEnvironmentId": FABRIKAM_UAT, "restorePointDateTime": "2026-03-02T07:00:00Z"}, 400,
     "sourceEnvironmentId"),  # production is never a target
    (FABRIKAM_DEV, {"sourceEnvironmentId": FABRIKAM_PROD, "restorePointDateTime": "2026-03-02T07:00:00Z"}, 400,
     "sourceEnvironmentId"),  # another region
    (CONTOSO_TEST_INITIAL, {"sourceEnvironmentId": CONTOSO_UAT, "restorePointDateTime": "2026-03-02T07:00:00Z"},
     400, "environmentId"),  # no Dataverse
])
def test_restore_validation_errors_name_the_field(pp_emulator, target, body, status, field):
    pp = Pp(pp_emulator)
    for validate_only in ("true", "false"):
        response = _restore(pp, target=target, body=body, ValidateOnly=validate_only)
        assert response.status_code == status, response.text
        detail = response.json()["errorDetail"]
        assert detail["code"] and field in detail["fieldErrors"], detail
        assert detail["fieldErrors"][field]["errorMessages"][0]
    assert pp_emulator.counters()["pp_restores_started"] == {}


def test_validate_properties_limits_the_check_to_the_named_fields(pp_emulator):
    pp = Pp(pp_emulator)
    body = {"sourceEnvironmentId": FABRIKAM_UAT, "restorePointDateTime": "2026-03-02T07:00:00"}
    assert _restore(pp, body=body, ValidateOnly="true", ValidateProperties="sourceEnvironmentId").status_code == 202
    response = _restore(pp, body=body, ValidateOnly="true", ValidateProperties="restorePointDateTime")
    assert response.status_code == 400 and list(response.json()["errorDetail"]["fieldErrors"]) == [
        "restorePointDateTime"]


@pytest.mark.parametrize(("body", "field"), [
    ({"sourceEnvironmentId": FABRIKAM_PROD}, "copyType"),
    ({"sourceEnvironmentId": FABRIKAM_PROD, "copyType": "FullCopy"}, "copyType"),
    ({"sourceEnvironmentId": FABRIKAM_PROD, "copyType": "Minimal",
      "copyOptions": {"executeAdvancedCopyForFinanceAndOperations": True}}, ADVANCED),
    ({"sourceEnvironmentId": CONTOSO_TEST_INITIAL, "copyType": "Full"}, "sourceEnvironmentId"),  # no Dataverse
    ({"sourceEnvironmentId": FABRIKAM_DEV, "copyType": "Full"}, "sourceEnvironmentId"),  # developer -> sandbox
])
def test_copy_validation_errors(pp_emulator, body, field):
    response = Pp(pp_emulator).call("POST", f"{ENVS}/{FABRIKAM_UAT}/copy", json=body)
    assert response.status_code == 400, response.text
    assert field in response.json()["errorDetail"]["fieldErrors"]


def test_insufficient_capacity_is_a_409(pp_emulator, start_emulator, tmp_path):
    import yaml

    from devtools.emulator import PP_WORLD

    with open(PP_WORLD, encoding="utf-8") as handle:
        world = yaml.safe_load(handle)
    world["power_platform"]["free_capacity_gb"] = 0.5
    path = tmp_path / "world.yml"
    path.write_text(yaml.safe_dump(world))
    emulator = start_emulator(path, databases=False)
    response = _restore(Pp(emulator))
    assert response.status_code == 409 and response.json()["errorDetail"]["code"] == "InsufficientCapacity"


@pytest.mark.parametrize("mode", ["location", "operation_location", "operation_url", "none"])
def test_each_announcement_and_the_operation_on_the_clock(pp_emulator, mode):
    pp = Pp(pp_emulator)
    assert pp_emulator.http.post(f"{pp_emulator.admin_url}/pplifecycle", json={"operation_announcement": mode},
                                 timeout=30).status_code == 200
    response = _restore(pp)
    assert response.status_code == 202, response.text
    url = _operation_url(response)
    if mode == "none":
        assert url is None
        operation = pp.ok("GET", f"{ENVS}/{FABRIKAM_UAT}/operations")["collection"][0]
    else:
        assert url and "/environmentmanagement/operations/" in url
        got = pp.http.get(url, headers={"Authorization": f"Bearer {pp.token}"}, timeout=30)
        operation = got.json()
    assert operation["name"] == "Restore" and operation["status"] == "Queued"
    path = f"/environmentmanagement/operations/{operation['operationId']}"
    assert _restore(pp).status_code == 409  # busy: never a second restore
    pp_emulator.advance(120)
    running = pp.ok("GET", path)
    assert running["status"] == "InProgress" and {s["status"] for s in running["stageStatuses"]} >= {"InProgress"}
    assert pp.env(FABRIKAM_UAT)["adminMode"] == "Disabled"
    pp_emulator.advance(3600)
    pp.token = pp_emulator.app_token(pp.app)  # the virtual hour outlived the token
    done = pp.ok("GET", path)
    assert done["status"] == "Succeeded" and done["endTime"]
    assert [s["status"] for s in done["stageStatuses"]] == ["Succeeded"] * 4
    assert pp.env(FABRIKAM_UAT)["adminMode"] == "Enabled"
    assert pp_emulator.counters()["pp_restores_started"] == {"Fabrikam UAT": 1}


def test_a_failed_operation_changes_nothing(pp_emulator):
    pp = Pp(pp_emulator)
    pp_emulator.set_faults({"kind": "operation_failure", "environment": "Fabrikam UAT"})
    response = _restore(pp)
    assert response.status_code == 202
    pp_emulator.advance(4000)
    pp.token = pp_emulator.app_token(pp.app)  # the virtual hour outlived the token
    operation = pp.ok("GET", f"{ENVS}/{FABRIKAM_UAT}/operations")["collection"][0]
    assert operation["status"] == "Failed" and operation["errorDetail"]["code"]
    assert pp.env(FABRIKAM_UAT)["adminMode"] == "Disabled"


def test_copy_turns_background_operations_off_and_candidates_follow_the_rules(pp_emulator):
    pp = Pp(pp_emulator)
    restore_targets = {e["environmentId"] for e in pp.ok("GET", f"{ENVS}/{FABRIKAM_PROD}/restoreCandidates")[
        "collection"]}
    assert FABRIKAM_UAT in restore_targets and FABRIKAM_PROD not in restore_targets
    assert FABRIKAM_DEV not in restore_targets  # another region
    copy_targets = pp.ok("GET", f"{ENVS}/{FABRIKAM_PROD}/copyCandidates")["collection"]
    # Contoso UAT's F&O is managed in LCS: a copy into it moves only Dataverse data, so it is a candidate
    assert {e["environmentId"] for e in copy_targets} == {FABRIKAM_UAT, CONTOSO_UAT}
    assert set(copy_targets[0]) == {"environmentId", "displayName", "dataverseOrganizationUrl"}
    response = pp.call("POST", f"{ENVS}/{FABRIKAM_UAT}/copy",
                       json={"sourceEnvironmentId": FABRIKAM_PROD, "copyType": "Full",
                             "copyOptions": {"executeAdvancedCopyForFinanceAndOperations": True}})
    assert response.status_code == 202, response.text
    pp_emulator.advance(4000)
    pp.token = pp_emulator.app_token(pp.app)  # the virtual hour outlived the token
    env = pp.env(FABRIKAM_UAT)
    assert env["adminMode"] == "Enabled" and env["backgroundOperationsState"] == "Disabled"
    assert pp_emulator.counters()["pp_copies_started"] == {"Fabrikam UAT": 1}


def test_restore_brings_back_data_and_code_as_of_the_instant_row_by_row(pp_emulator_db):
    from .test_dataverse import Dataverse

    emulator = pp_emulator_db
    pp = Pp(emulator)
    dv = Dataverse(emulator, "fabrikam-uat")
    deploy = f"{emulator.admin_url}/pplifecycle/deployments"
    odbc = _environment(emulator, "Fabrikam UAT")["odbc_connection_string"]
    with psycopg.connect(_libpq(odbc), autocommit=True) as conn:
        emulator.advance(60)
        _write_before(conn)
        dv.ok("POST", "solutions", status=204, json={"uniquename": "Before", "version": "1.0.0.0"})
        emulator.http.post(deploy, json={"environment": "Fabrikam UAT", "package": "FabrikamExt", "version": "1.0"},
                           timeout=30)
        emulator.advance(60)
        instant = emulator.state()["clock"]["now"]
        expected_rows = _dump(conn)
        expected_dv = _as_of(emulator, "dataverse/fabrikam-uat", instant)
        emulator.advance(60)
        _write_after(conn)
        dv.ok("POST", "solutions", status=204, json={"uniquename": "After"})
        emulator.http.post(deploy, json={"environment": "Fabrikam UAT", "package": "FabrikamExt", "version": "2.0",
                                         "fin_ops_version": "10.0.45.3"}, timeout=30)
        assert _dump(conn) != expected_rows
        response = _restore(pp, body={"sourceEnvironmentId": FABRIKAM_UAT, "restorePointDateTime": instant})
        assert response.status_code == 202, response.text
        emulator.advance(4000)
        pp.token = emulator.app_token(pp.app)  # the virtual hour outlived the token
        operation = pp.ok("GET", f"{ENVS}/{FABRIKAM_UAT}/operations")["collection"][0]
        assert operation["status"] == "Succeeded"
        assert _dump(conn) == expected_rows  # row by row; the rows written after the instant are gone
    now = emulator.state()["clock"]["now"]
    assert _as_of(emulator, "dataverse/fabrikam-uat", now) == expected_dv
    code = emulator.http.get(f"{deploy}/Fabrikam UAT", timeout=30).json()
    assert code["fin_ops_version"] == "10.0.44.7" and code["packages"] == {"FabrikamExt": "1.0"}
    after = emulator.http.get(f"{deploy}/Fabrikam UAT", params={"as_of": instant}, timeout=30).json()
    assert after["deployed_after"][0]["packages"] == {"FabrikamExt": "2.0"}
