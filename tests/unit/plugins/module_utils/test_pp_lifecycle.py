"""Restore/copy logic without the service: the 202 announcement, request bodies, the supported matrix and the
restore-point rules. Responses are real ``requests.Response`` objects."""

from __future__ import annotations

import datetime
import json

import pytest
import requests
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import InputError
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.errors import PpError
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.lifecycle import (
    copy_body,
    field_verdict,
    operation_id_from,
    restore_body,
)
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.lifecycle_checks import (
    check_advanced_copy,
    check_in_retention,
    check_pair,
    check_restore_choice,
    matrix_problem,
    parse_restore_point,
    retention_days,
)

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 2, 8, tzinfo=UTC)
OP = "7d1b3c2a-9e8f-4a6b-8c5d-1e2f3a4b5c6d"


def _response(headers=None, body=None):
    response = requests.Response()
    response.status_code = 202
    response.headers.update(headers or {})
    response._content = json.dumps(body).encode() if body is not None else b""
    return response


@pytest.mark.parametrize(("headers", "body", "expected"), [
    ({"Location": "https://api.powerplatform.com/environmentmanagement/operations/%s?api-version=1" % OP}, None, OP),
    ({"Operation-Location": "https://x/environmentmanagement/environments/e/operations/%s/" % OP}, None, OP),
    ({}, {"operationUrl": "https://x/environmentmanagement/operations/%s?api-version=2024-10-01" % OP}, OP),
    ({}, {"operationId": OP}, OP),
    ({}, None, None),
    ({}, {"unrelated": True}, None),
])
def test_the_operation_a_202_announces(headers, body, expected):
    assert operation_id_from(_response(headers, body)) == expected


def test_location_wins_over_the_body():
    response = _response({"Location": "https://x/operations/%s" % OP}, {"operationUrl": "https://x/operations/other"})
    assert operation_id_from(response) == OP


def test_request_bodies_use_the_wire_names_and_an_explicit_offset():
    instant = datetime.datetime(2026, 3, 1, 22, tzinfo=UTC)
    assert restore_body("src", instant, skip_audit_data=True) == {
        "sourceEnvironmentId": "src", "restorePointDateTime": "2026-03-01T22:00:00Z",
        "restoreOptions": {"skipAuditData": True}}
    assert copy_body("src", "minimal") == {"sourceEnvironmentId": "src", "copyType": "Minimal"}
    assert copy_body("src", "full", True, environment_name="UAT")["copyOptions"] == {
        "environmentNameToOverride": "UAT", "executeAdvancedCopyForFinanceAndOperations": True}


def test_field_verdict_lists_each_field_with_its_messages():
    error = PpError("refused", status=400, field_errors={
        "restorePointDateTime": {"errorMessages": ["too old"], "suggestedValue": None}, "copyType": "bad"})
    assert field_verdict(error) == [{"field": "copyType", "messages": ["bad"]},
                                    {"field": "restorePointDateTime", "messages": ["too old"]}]


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-01T22:00:00Z", datetime.datetime(2026, 3, 1, 22, tzinfo=UTC)),
    ("2026-03-01T23:00:00+01:00", datetime.datetime(2026, 3, 1, 22, tzinfo=UTC)),
    ("latest", NOW),
    ("LATEST", NOW),
])
def test_restore_points_accepted(text, expected):
    assert parse_restore_point(text, NOW)[0] == expected


@pytest.mark.parametrize(("text", "words"), [
    ("2026-03-01T22:00:00", "with an offset"),
    ("2026-03-01", "with an offset"),
    ("yesterday", "RFC 3339"),
    ("", "RFC 3339"),
    ("2026-03-03T00:00:00Z", "in the future"),
])
def test_restore_points_refused(text, words):
    with pytest.raises(InputError, match=words):
        parse_restore_point(text, NOW)


def test_retention_window_from_the_environment_or_its_period():
    source = {"id": "s", "name": "UAT", "retention_available_from": "2026-02-23T08:00:00Z", "retention_period": "P7D"}
    check_in_retention(NOW - datetime.timedelta(days=6), source, NOW)
    with pytest.raises(InputError, match="older than the retention window"):
        check_in_retention(NOW - datetime.timedelta(days=8), source, NOW)
    with pytest.raises(InputError):
        check_in_retention(NOW - datetime.timedelta(days=29), {"id": "s", "retention_period": "P4W"}, NOW)
    assert retention_days("P28D") == 28 and retention_days("P1W") == 7 and retention_days(None) is None


def _env(env_id, env_type, management=None, region="westeurope", tenant="t", dataverse=True):
    return {"id": env_id, "name": env_id, "type": env_type, "finops_management": management, "region": region,
            "tenant_id": tenant, "dataverse": dataverse}


@pytest.mark.parametrize(("source", "target", "allowed"), [
    (_env("a", "Sandbox", "lcs"), _env("b", "Developer", "unified"), True),
    (_env("a", "Production", "lcs"), _env("b", "Developer", "unified"), True),
    (_env("a", "Sandbox", "lcs"), _env("b", "Sandbox", "unified"), True),
    (_env("a", "Developer", "unified"), _env("b", "Sandbox", "unified"), False),
    (_env("a", "Sandbox", "unified"), _env("b", "Production", "unified"), False),
    (_env("a", "Sandbox", "unified"), _env("b", "Developer", "unified"), True),
    (_env("a", "Production", "unified"), _env("b", "Sandbox", "unified"), True),
    (_env("a", "Production", "unified"), _env("b", "Developer", "unified"), True),
    (_env("a", "Sandbox"), _env("b", "Production"), False),
    (_env("a", "Sandbox"), _env("b", "Trial"), False),
    (_env("a", "Sandbox"), _env("b", "Developer"), False),
    (_env("a", "Developer"), _env("b", "Developer"), True),
    (_env("a", "Default"), _env("b", "Developer"), True),
    (_env("a", "Production", "unified"), _env("b", "Sandbox", "lcs"), True),  # Dataverse data only
])
def test_the_supported_matrix(source, target, allowed):
    assert (matrix_problem(source, target, "copy") is None) is allowed


def test_pair_rules_name_the_option():
    with pytest.raises(InputError, match="different regions"):
        check_pair(_env("a", "Sandbox"), _env("b", "Sandbox", region="eastus"), "restore", None)
    with pytest.raises(InputError, match="different tenants"):
        check_pair(_env("a", "Sandbox"), _env("b", "Sandbox", tenant="other"), "restore", None)
    with pytest.raises(InputError, match="source_environment_id: environment a has no Dataverse"):
        check_pair(_env("a", "Sandbox", dataverse=False), _env("b", "Sandbox"), "restore", None)
    with pytest.raises(InputError, match="at least 1 GB"):
        check_pair(_env("a", "Sandbox"), _env("b", "Sandbox"), "restore", 512.0)
    check_pair(_env("a", "Sandbox"), _env("b", "Sandbox"), "restore", None)  # capacity unknown: the service checks


def test_advanced_copy_and_restore_choice():
    check_advanced_copy(True, "full", _env("b", "Sandbox", "unified"))
    with pytest.raises(InputError):
        check_advanced_copy(True, "minimal", _env("b", "Sandbox", "unified"))
    with pytest.raises(InputError):
        check_advanced_copy(True, "full", _env("b", "Sandbox", "lcs"))
    with pytest.raises(InputError, match="mutually exclusive"):
        check_restore_choice("latest", "label")
    with pytest.raises(InputError, match="give restore_point"):
        check_restore_choice(None, None)
