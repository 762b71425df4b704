"""dataalm_preflight as Ansible runs it: argument spec, result shape, failure with every blocking finding."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.d365fo.dataalm.plugins.modules import dataalm_preflight

NOW = "2026-03-10T12:00:00+00:00"


def env(**overrides):
    base = {
        "environment_id": "22222222-2222-4222-8222-222222222222",
        "name": "contoso-uat",
        "type": "Sandbox",
        "infrastructure": "MicrosoftManaged",
        "region": "West Europe",
        "application_release": "10.0.41",
        "platform_release": "Update65",
        "deployment_state": "Deployed",
        "operations": [],
        "operation_starts_24h": 0,
    }
    base.update(overrides)
    return base


PROD = env(environment_id="11111111-1111-4111-8111-111111111111", name="contoso-prod", type="Production")


def run(capsys, **args):
    with patch_module_args(args), pytest.raises(SystemExit) as exit_info:
        dataalm_preflight.main()
    result = json.loads(capsys.readouterr().out)
    return exit_info.value.code, result


def test_passing_refresh_reports_no_findings(capsys):
    code, result = run(capsys, kind="refresh", source=PROD, target=env(), now=NOW)
    assert code == 0
    assert result["changed"] is False
    assert result["passed"] is True and result["blocking"] == []
    # Only the planning note (issue 23): a refresh from production leaves follow-ups to plan.
    assert [(f["id"], f["severity"]) for f in result["findings"]] == [("followups_planned", "info")]
    assert "lcs_sql_credential_access" in result["findings"][0]["message"]


def test_fails_with_every_blocking_finding_in_the_message(capsys):
    target = env(type="Production", region="East US", operation_starts_24h=3)
    code, result = run(capsys, kind="refresh", source=PROD, target=target, now=NOW)
    assert code == 1 and result["failed"] is True
    assert set(result["blocking"]) >= {"target_is_production", "region_mismatch", "operation_quota_exhausted"}
    for rule in result["blocking"]:
        assert rule in result["msg"]
    assert result["msg"].startswith("Preflight found %d blocking" % len(result["blocking"]))
    assert result["findings"] and result["passed"] is False


def test_fail_on_blocking_false_only_reports(capsys):
    code, result = run(capsys, kind="refresh", source=PROD, target=env(type="DevTestDev"), now=NOW,
                       fail_on_blocking=False)
    assert code == 0 and "failed" not in result
    assert result["blocking"] == ["target_is_tier1"]


def test_warnings_are_surfaced_as_ansible_warnings(capsys):
    code, result = run(capsys, kind="refresh", source=PROD, target=env(region=None), now=NOW)
    assert code == 0
    # ansible-core 2.19 returns structured warnings; the text is inside.
    assert "region_unknown: The region" in json.dumps(result["warnings"])


def test_typed_suboptions_are_converted(capsys):
    code, result = run(capsys, kind="refresh", source=PROD, target=env(), now=NOW,
                       database_capacity={"source_allocated_gb": "250", "target_maximum_gb": "200"},
                       sql={"recurring_jobs_active": "0", "recurring_messages_pending": "2"})
    assert code == 1
    assert set(result["blocking"]) == {"database_capacity_exceeded", "recurring_integrations_not_drained"}


def test_bad_now_fails_cleanly(capsys):
    code, result = run(capsys, kind="refresh", source=PROD, target=env(), now="yesterday")
    assert code == 1 and "timezone-aware" in result["msg"]


def test_unknown_kind_is_refused_by_the_argument_spec(capsys):
    code, result = run(capsys, kind="golden_config", target=env())
    assert code == 1 and "kind" in result["msg"]
