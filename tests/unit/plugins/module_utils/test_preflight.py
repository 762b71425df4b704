"""Every preflight rule, on both sides of its boundary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils import preflight

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def env(**overrides):
    base = {
        "environment_id": "22222222-2222-4222-8222-222222222222",
        "name": "contoso-uat",
        "project_id": 1234567,
        "type": "Sandbox",
        "infrastructure": "MicrosoftManaged",
        "region": "West Europe",
        "application_release": "10.0.41",
        "platform_release": "Update65",
        "deployment_state": "Deployed",
        "operations": [],
        "busy": False,
        "operation_starts_24h": 0,
    }
    base.update(overrides)
    return base


def prod(**overrides):
    values = {"environment_id": "11111111-1111-4111-8111-111111111111", "name": "contoso-prod", "type": "Production"}
    values.update(overrides)
    return env(**values)


def op(op_type="SFSourceDbToSandbox", status="Completed", started=None, completed=None, op_id="op-1"):
    return {
        "operation_id": op_id,
        "type": op_type,
        "name": op_type,
        "status": status,
        "started_at": started.isoformat() if started else None,
        "completed_at": completed.isoformat() if completed else None,
    }


def ids(findings, severity=None):
    return {f["id"] for f in findings if severity is None or f["severity"] == severity}


def evaluate(kind="refresh", source=None, target=None, **kwargs):
    return preflight.evaluate(kind, source=prod() if source is None else source,
                              target=env() if target is None else target, now=NOW, **kwargs)


# ------------------------------------------------------------ the happy path


def test_clean_refresh_has_no_blocking_or_warning_findings():
    findings = evaluate()
    assert findings == []


def test_findings_have_the_contract_shape_and_blocking_comes_first():
    findings = evaluate(target=env(type="Production", region="East US", platform_release="PU20",
                                   application_release=None))
    assert findings[0]["severity"] == "blocking"
    for item in findings:
        assert set(item) == {"id", "severity", "message", "remedy"}
        assert item["severity"] in ("blocking", "warning", "info")
        assert item["message"] and item["remedy"]
    severities = [f["severity"] for f in findings]
    assert severities == sorted(severities, key=["blocking", "warning", "info"].index)


def test_every_blocking_condition_is_reported_at_once():
    target = env(type="Production", region="East US", platform_release="Update20", deployment_state="Failed",
                 operation_starts_24h=3)
    blocking = ids(evaluate(target=target), "blocking")
    assert {"target_is_production", "region_mismatch", "platform_update_too_old", "target_not_deployed",
            "operation_quota_exhausted"} <= blocking


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="kind must be one of"):
        preflight.evaluate("golden_config", source=prod(), target=env(), now=NOW)


def test_naive_now_is_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        preflight.evaluate("refresh", source=prod(), target=env(), now="2026-03-10T12:00:00")


def test_now_accepts_iso_text_with_z():
    assert preflight.evaluate("refresh", source=prod(), target=env(), now="2026-03-10T12:00:00Z") == []


def test_now_defaults_to_current_time():
    assert preflight.evaluate("refresh", source=prod(), target=env()) == []


# ------------------------------------------------------------ types


@pytest.mark.parametrize("target_type, rule", [
    ("Production", "target_is_production"),
    ("DevTestDev", "target_is_tier1"),
    ("Build", "target_is_tier1"),
    ("Mystery", "target_not_sandbox"),
])
@pytest.mark.parametrize("kind", ["refresh", "point_in_time_restore"])
def test_target_must_be_a_sandbox(kind, target_type, rule):
    extra = {"point_in_time": (NOW - timedelta(hours=1)).isoformat()} if kind == "point_in_time_restore" else {}
    assert rule in ids(evaluate(kind, target=env(type=target_type), **extra), "blocking")


def test_sandbox_target_passes_type_rule():
    type_rules = {"target_is_production", "target_is_tier1", "target_not_sandbox"}
    assert not ids(evaluate(target=env(type="Sandbox"))) & type_rules


def test_sandbox_to_sandbox_refresh_is_allowed():
    source = env(environment_id="33333333-3333-4333-8333-333333333333", name="contoso-test")
    assert evaluate(source=source) == []


def test_tier1_source_is_not_a_refresh_source():
    source = env(environment_id="44444444-4444-4444-8444-444444444444", type="DevTestDev")
    assert "source_type_unsupported" in ids(evaluate(source=source), "blocking")


def test_point_in_time_restore_needs_a_production_source():
    source = env(environment_id="33333333-3333-4333-8333-333333333333")
    findings = evaluate("point_in_time_restore", source=source, point_in_time=(NOW - timedelta(hours=1)).isoformat())
    assert "source_type_unsupported" in ids(findings, "blocking")
    findings = evaluate("point_in_time_restore", point_in_time=(NOW - timedelta(hours=1)).isoformat())
    assert "source_type_unsupported" not in ids(findings)


def test_export_source_must_be_sandbox():
    assert "export_source_not_sandbox" in ids(preflight.evaluate("export", source=prod(), now=NOW), "blocking")
    assert preflight.evaluate("export", source=env(), now=NOW) == []


def test_export_accepts_the_environment_as_target_when_no_source_given():
    assert "export_source_not_sandbox" in ids(preflight.evaluate("export", target=prod(), now=NOW))


def test_post_restore_only_accepts_tier1_but_not_production():
    assert preflight.evaluate("post_restore_only", target=env(type="DevTestDev"), now=NOW) == []
    findings = preflight.evaluate("post_restore_only", target=prod(), now=NOW)
    assert "target_is_production" in ids(findings, "blocking")


def test_post_restore_only_needs_no_source_and_ignores_quota():
    findings = preflight.evaluate("post_restore_only", target=env(operation_starts_24h=5), now=NOW)
    assert findings == []


def test_post_restore_only_blocks_while_a_movement_runs():
    running = op(status="InProgress", started=NOW - timedelta(hours=1))
    findings = preflight.evaluate("post_restore_only", target=env(operations=[running], busy=True), now=NOW)
    assert "target_busy" in ids(findings, "blocking")


# ------------------------------------------------------------ pair rules


def test_source_equal_to_target_blocks():
    same = env()
    assert "same_environment" in ids(evaluate(source=dict(same, type="Sandbox"), target=same), "blocking")


def test_source_id_comparison_ignores_dashes_and_case():
    source = prod(environment_id="22222222222242228222222222222222".upper())
    assert "same_environment" in ids(evaluate(source=source))


def test_different_projects_block_and_same_or_unknown_pass():
    assert "different_projects" in ids(evaluate(source=prod(project_id=7654321)), "blocking")
    assert "different_projects" not in ids(evaluate(source=prod(project_id="1234567")))
    assert "different_projects" not in ids(evaluate(source=prod(project_id=None)))


def test_region_mismatch_blocks_unless_spartan_managed():
    source = prod(region="East US")
    assert "region_mismatch" in ids(evaluate(source=source), "blocking")
    assert "region_mismatch" not in ids(evaluate(source=source, spartan_managed=True))


def test_region_comparison_ignores_spacing_and_case():
    assert "region_mismatch" not in ids(evaluate(source=prod(region="westeurope")))


def test_unknown_region_is_a_warning():
    assert "region_unknown" in ids(evaluate(source=prod(region=None)), "warning")


def _pitr(source, target, point=None, **kwargs):
    point = point or (NOW - timedelta(hours=2)).isoformat()
    return preflight.evaluate("point_in_time_restore", source=source, target=target, now=NOW,
                              point_in_time=point, **kwargs)


def test_pitr_from_microsoft_managed_to_self_service_blocks():
    findings = _pitr(prod(infrastructure="MicrosoftManaged"), env(infrastructure="SelfService"))
    assert "pitr_infrastructure_unsupported" in ids(findings, "blocking")


def test_pitr_same_infrastructure_passes():
    assert _pitr(prod(), env()) == []
    assert _pitr(prod(infrastructure="SelfService"), env(infrastructure="SelfService")) == []


def test_refresh_between_infrastructures_is_not_a_pitr_rule():
    findings = evaluate(source=prod(infrastructure="MicrosoftManaged"), target=env(infrastructure="SelfService"))
    assert "pitr_infrastructure_unsupported" not in ids(findings)


def test_pitr_self_service_across_regions_blocks_even_when_spartan_managed():
    source = prod(infrastructure="SelfService", region="East US")
    target = env(infrastructure="SelfService", region="West Europe")
    findings = _pitr(source, target, spartan_managed=True)
    assert "pitr_cross_region_self_service" in ids(findings, "blocking")
    assert "region_mismatch" not in ids(findings)


# ------------------------------------------------------------ versions


@pytest.mark.parametrize("release, blocked", [
    ("Update20", True), ("PU20", True), ("Platform update 19", True),
    ("Update21", False), ("PU44", False), ("21", False),
])
def test_platform_update_must_be_above_20(release, blocked):
    findings = evaluate(target=env(platform_release=release))
    assert ("platform_update_too_old" in ids(findings, "blocking")) is blocked


def test_platform_update_of_source_is_checked_too():
    assert "platform_update_too_old" in ids(evaluate(source=prod(platform_release="PU20")), "blocking")


def test_unparsable_platform_update_is_a_warning():
    assert "platform_update_unknown" in ids(evaluate(target=env(platform_release="7.0.6060.45")), "warning")


@pytest.mark.parametrize("source_release, target_release, rule, severity", [
    ("10.0.41", "10.0.40", "application_release_target_older", "blocking"),
    ("10.0.41", "10.0.9", "application_release_target_older", "blocking"),
    ("10.0.41", "10.0.41", None, None),
    ("10.0.40", "10.0.41", "application_release_target_newer", "info"),
    ("10.0.9", "10.0.41", "application_release_target_newer", "info"),
    (None, "10.0.41", "application_release_unknown", "warning"),
])
def test_application_release_ordering(source_release, target_release, rule, severity):
    findings = evaluate(source=prod(application_release=source_release), target=env(application_release=target_release))
    app_ids = {f["id"] for f in findings if f["id"].startswith("application_release")}
    if rule is None:
        assert app_ids == set()
    else:
        assert app_ids == {rule}
        assert rule in ids(findings, severity)


@pytest.mark.parametrize("versions, rule", [
    ({"source": "10.0.41.2", "target": "10.0.41.1"}, "financial_reporting_target_older"),
    ({"source": "10.0.41.1", "target": "10.0.41.1"}, None),
    ({"source": "10.0.41.1", "target": "10.0.41.2"}, None),
    ({"source": "10.0.41.1", "target": None}, "financial_reporting_unknown"),
])
def test_financial_reporting_when_supplied(versions, rule):
    found = {f["id"] for f in evaluate(financial_reporting=versions) if f["id"].startswith("financial")}
    assert found == ({rule} if rule else set())


def test_financial_reporting_not_checked_when_not_supplied():
    assert not [f for f in evaluate(financial_reporting=None) if f["id"].startswith("financial")]


@pytest.mark.parametrize("allocated, maximum, rule", [
    (100, 100, "database_capacity_exceeded"),
    (101, 100, "database_capacity_exceeded"),
    (99.5, 100, None),
    (None, 100, "database_capacity_unknown"),
])
def test_database_capacity_when_supplied(allocated, maximum, rule):
    capacity = {"source_allocated_gb": allocated, "target_maximum_gb": maximum}
    found = {f["id"] for f in evaluate(database_capacity=capacity) if f["id"].startswith("database_capacity")}
    assert found == ({rule} if rule else set())


# ------------------------------------------------------------ deployment, busy, quota


@pytest.mark.parametrize("state, rule, severity", [
    ("Deployed", None, None),
    ("Finished", None, None),
    ("Failed", "target_not_deployed", "blocking"),
    ("Stopped", "target_not_deployed", "blocking"),
    ("", "deployment_state_unknown", "warning"),
    ("Hibernating", "deployment_state_unrecognised", "warning"),
])
def test_target_deployment_state(state, rule, severity):
    findings = evaluate(target=env(deployment_state=state))
    found = {f["id"] for f in findings if "deploy" in f["id"]}
    assert found == ({rule} if rule else set())
    if rule:
        assert rule in ids(findings, severity)


def test_source_deployment_state_is_checked():
    assert "source_not_deployed" in ids(evaluate(source=prod(deployment_state="Stopped")), "blocking")


def test_target_busy_with_another_kind_blocks():
    deploying = op("SFApplicationHotfix", "InProgress", started=NOW - timedelta(minutes=5))
    findings = evaluate(target=env(operations=[deploying], busy=True))
    assert "target_busy" in ids(findings, "blocking")
    assert "SFApplicationHotfix" in next(f for f in findings if f["id"] == "target_busy")["message"]


def test_unknown_status_counts_as_running():
    strange = op("SFApplicationHotfix", "SomethingNew", started=NOW - timedelta(minutes=5))
    assert "target_busy" in ids(evaluate(target=env(operations=[strange])), "blocking")


def test_busy_flag_without_history_blocks():
    assert "target_busy" in ids(evaluate(target=env(busy=True, operations=None)), "blocking")


def test_terminal_operations_do_not_make_busy():
    history = [op(status=s, started=NOW - timedelta(days=3), op_id=s)
               for s in ("Completed", "SignedOff", "Failed", "RollbackCompleted", "Canceled")]
    assert evaluate(target=env(operations=history)) == []


def test_running_operation_of_the_same_kind_is_joined_not_blocking():
    running = op("SFSourceDbToSandbox", "InProgress", started=NOW - timedelta(hours=1), op_id="abc")
    findings = evaluate(target=env(operations=[running], busy=True, operation_starts_24h=3))
    assert ids(findings, "blocking") == set()
    joined = next(f for f in findings if f["id"] == "operation_in_progress")
    assert joined["severity"] == "info" and "abc" in joined["message"]


def test_running_export_on_export_source_is_joined():
    running = op("SFExportSandboxDb", "InProgress", started=NOW - timedelta(hours=1))
    findings = preflight.evaluate("export", source=env(operations=[running], busy=True), now=NOW)
    assert ids(findings) == {"operation_in_progress"}


def test_running_export_blocks_a_refresh_into_that_environment():
    running = op("SFExportSandboxDb", "InProgress", started=NOW - timedelta(hours=1))
    assert "target_busy" in ids(evaluate(target=env(operations=[running], busy=True)), "blocking")


def test_source_busy_is_only_a_warning():
    running = op("SFApplicationHotfix", "InProgress", started=NOW - timedelta(hours=1))
    findings = evaluate(source=prod(operations=[running], busy=True))
    assert "source_busy" in ids(findings, "warning")
    assert ids(findings, "blocking") == set()


@pytest.mark.parametrize("starts, blocked", [(2, False), (3, True), (4, True)])
def test_quota_of_three_starts_in_24_hours(starts, blocked):
    findings = evaluate(target=env(operation_starts_24h=starts))
    assert ("operation_quota_exhausted" in ids(findings, "blocking")) is blocked


def test_quota_is_counted_from_history_when_fact_missing():
    recent = [op(started=NOW - timedelta(hours=h), op_id=str(h)) for h in (1, 5, 23)]
    old = [op(started=NOW - timedelta(hours=24, seconds=1), op_id="old")]
    assert "operation_quota_exhausted" in ids(evaluate(target=env(operation_starts_24h=None, operations=recent)))
    target = env(operation_starts_24h=None, operations=recent[:2] + old)
    assert "operation_quota_exhausted" not in ids(evaluate(target=target))


def test_quota_ignores_code_deployments_in_history():
    deployments = [op("SFApplicationHotfix", started=NOW - timedelta(hours=h), op_id=str(h)) for h in (1, 2, 3)]
    assert "operation_quota_exhausted" not in ids(evaluate(target=env(operation_starts_24h=None,
                                                                      operations=deployments)))


def test_export_quota_applies_to_the_exported_environment():
    findings = preflight.evaluate("export", source=env(operation_starts_24h=3), now=NOW)
    assert "operation_quota_exhausted" in ids(findings, "blocking")


# ------------------------------------------------------------ point in time


def test_pitr_point_missing_blocks():
    findings = preflight.evaluate("point_in_time_restore", source=prod(), target=env(), now=NOW)
    assert "point_in_time_missing" in ids(findings, "blocking")


def test_pitr_point_unparsable_blocks():
    assert "point_in_time_invalid" in ids(_pitr(prod(), env(), point="last tuesday"), "blocking")


def test_pitr_point_naive_blocks():
    assert "point_in_time_naive" in ids(_pitr(prod(), env(), point="2026-03-09T12:00:00"), "blocking")


def test_pitr_point_with_offset_is_accepted():
    assert _pitr(prod(), env(), point="2026-03-09T13:00:00+01:00") == []


@pytest.mark.parametrize("delta, blocked", [
    (timedelta(seconds=0), True), (timedelta(seconds=1), True), (timedelta(seconds=-1), False)])
def test_pitr_point_must_be_in_the_past(delta, blocked):
    findings = _pitr(prod(), env(), point=(NOW + delta).isoformat())
    assert ("point_in_time_future" in ids(findings, "blocking")) is blocked


@pytest.mark.parametrize("source, days, blocked", [
    ("production", 28, False), ("production", 28.001, True),
    ("sandbox", 7, False), ("sandbox", 7.001, True),
])
def test_pitr_retention_window(source, days, blocked):
    source_env = prod() if source == "production" else env(environment_id="33333333-3333-4333-8333-333333333333")
    point = (NOW - timedelta(days=days)).isoformat()
    findings = preflight.evaluate("point_in_time_restore", source=source_env, target=env(), now=NOW,
                                  point_in_time=point)
    assert ("point_in_time_outside_retention" in ids(findings, "blocking")) is blocked


def test_pitr_point_before_last_chain_break_blocks():
    moved = NOW - timedelta(days=3)
    history = [op("SFSourceDbToSandbox", "Completed", started=moved - timedelta(hours=2), completed=moved)]
    source = prod(operations=history)
    before = _pitr(source, env(), point=(moved - timedelta(seconds=1)).isoformat())
    after = _pitr(source, env(), point=(moved + timedelta(seconds=1)).isoformat())
    assert "point_in_time_before_chain_break" in ids(before, "blocking")
    assert "point_in_time_before_chain_break" not in ids(after)


def test_pitr_failed_movements_do_not_break_the_chain():
    moved = NOW - timedelta(days=3)
    history = [op("SFSourceDbToSandbox", "RollbackCompleted", started=moved - timedelta(hours=2), completed=moved)]
    findings = _pitr(prod(operations=history), env(), point=(moved - timedelta(days=1)).isoformat())
    assert "point_in_time_before_chain_break" not in ids(findings)


def test_pitr_point_before_code_deployment_warns():
    deployed = NOW - timedelta(days=1)
    history = [op("SFApplicationHotfix", "Completed", started=deployed - timedelta(hours=1), completed=deployed)]
    target = env(operations=history)
    before = _pitr(prod(), target, point=(deployed - timedelta(seconds=1)).isoformat())
    after = _pitr(prod(), target, point=(deployed + timedelta(seconds=1)).isoformat())
    assert "point_in_time_before_code_deployment" in ids(before, "warning")
    assert ids(before, "blocking") == set()
    assert "point_in_time_before_code_deployment" not in ids(after)


def test_point_in_time_is_not_checked_for_a_refresh():
    assert evaluate(point_in_time="not a time") == []


# ------------------------------------------------------------ recurring integrations


@pytest.mark.parametrize("sql, expected", [
    ({"recurring_jobs_active": 1, "recurring_messages_pending": 0}, {"recurring_integrations_not_held"}),
    ({"recurring_jobs_active": 0, "recurring_messages_pending": 1}, {"recurring_integrations_not_drained"}),
    ({"recurring_jobs_active": 2, "recurring_messages_pending": 4},
     {"recurring_integrations_not_held", "recurring_integrations_not_drained"}),
    ({"recurring_jobs_active": 0, "recurring_messages_pending": 0}, set()),
    (None, set()),
])
def test_recurring_integrations_when_sql_facts_given(sql, expected):
    assert ids(evaluate(sql=sql), "blocking") == expected


# ------------------------------------------------------------ parsing


@pytest.mark.parametrize("text, expected", [
    ("2026-03-10T12:00:00Z", NOW),
    ("2026-03-10T12:00:00.1234567Z", NOW.replace(microsecond=123456)),
    ("2026-03-10T13:00:00+01:00", NOW),
    ("3/10/2026 12:00 PM", NOW),
    ("2026-03-10 12:00:00", NOW),
])
def test_parse_timestamp_formats(text, expected):
    assert preflight.parse_timestamp(text) == expected


def test_parse_timestamp_reads_every_lcs_text_form():
    # The rules read history rows with the LCS client's parser, long text included.
    assert preflight.parse_timestamp("Tuesday, March 10, 2026 12:00:00 PM") == NOW
    assert preflight.parse_timestamp("3/10/2026 12:00") == NOW
    assert preflight.parse_timestamp("0001-01-01T00:00:00") is None  # LCS's "no end time yet"


def test_parse_timestamp_rejects_garbage_and_empty():
    assert preflight.parse_timestamp("soon") is None
    assert preflight.parse_timestamp("") is None
    assert preflight.parse_timestamp(None) is None


def test_parse_timestamp_keeps_naive_when_asked():
    assert preflight.parse_timestamp("2026-03-10T12:00:00", assume_utc=False).tzinfo is None


def test_summary_lists_every_blocking_finding_with_remedy():
    findings = evaluate(target=env(type="Production", region="East US"))
    text = preflight.summary(findings)
    assert "target_is_production" in text and "region_mismatch" in text and "Sandbox" in text


def test_running_recurring_jobs_are_info_when_the_runbook_holds_them():
    findings = evaluate(sql={"recurring_jobs_active": 2, "recurring_messages_pending": 0, "hold_planned": True})
    assert ids(findings) == {"recurring_integrations_hold_planned"}
    assert ids(findings, "info") == {"recurring_integrations_hold_planned"}


@pytest.mark.parametrize("status, state, rule", [
    ("Deployed", "Finished", None),
    ("Failed", "Finished", "target_not_deployed"),
    ("Stopped", None, "target_not_deployed"),
    ("Deployed", "Hibernating", None),
    (None, "Hibernating", "deployment_state_unrecognised"),
])
def test_deployment_status_and_state_are_both_considered(status, state, rule):
    findings = evaluate(target=env(deployment_status=status, deployment_state=state))
    found = {f["id"] for f in findings if "deploy" in f["id"]}
    assert found == ({rule} if rule else set())
