"""The identity and data-project rules of preflight, on both sides of each boundary (seed 001; addendum 1.3)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils import preflight

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ADMIN = {"user_id": "Admin", "enabled": True, "alias": "uat.admin@contoso.example"}
PROD_ADMIN = {"user_id": "Admin", "enabled": True, "alias": "prod.admin@contoso.example"}


def env(**overrides):
    base = {"environment_id": "22222222-2222-4222-8222-222222222222", "name": "contoso-uat", "project_id": 1234567,
            "type": "Sandbox", "infrastructure": "MicrosoftManaged", "region": "West Europe",
            "application_release": "10.0.41", "platform_release": "Update65", "deployment_state": "Deployed",
            "operations": [], "busy": False, "operation_starts_24h": 0}
    return dict(base, **overrides)


def prod():
    return env(environment_id="11111111-1111-4111-8111-111111111111", name="contoso-prod", type="Production")


def facts(kind="application", mapped=None, users=(), signed_in=True, username=None, projects=(), refusal=None):
    return {"signed_in": signed_in, "refusal": refusal, "mapped_user": mapped, "users": list(users),
            "data_projects": list(projects),
            "identity": {"kind": kind, "client_id": "app-1" if kind == "application" else None, "username": username}}


def run(target, source=None, movement="lcs_refresh", survives=False, projects=None, source_env=None):
    identity = {"movement": movement, "dbmovementapi_survives_refresh": survives, "target": target,
                "source": source or {}}
    return preflight.evaluate("refresh", source=source_env or prod(), target=env(), now=NOW, identity=identity,
                              data_projects=projects)


def by_id(findings, rule_id):
    return [f for f in findings if f["id"] == rule_id]


@pytest.mark.parametrize("mapped, movement, survives, blocked", [
    ("Admin", "lcs_refresh", False, False),
    ("admin", "lcs_refresh", False, False),            # F&O user ids compare without case
    ("DBMovementAPI", "lcs_refresh", False, True),     # documented: an LCS refresh is not said to spare it
    ("DBMovementAPI", "lcs_refresh", True, False),     # the undocumented alternative, when the caller says so
    ("bob", "lcs_refresh", True, True),
    ("DBMovementAPI", "pp_copy", False, False),
    ("bob", "pp_copy", False, True),
    (None, "lcs_refresh", False, True),                # not registered: 401 after the move
])
def test_an_application_signs_in_after_the_move_only_as_a_kept_user(mapped, movement, survives, blocked):
    findings = run(facts(mapped=mapped, users=[ADMIN]), movement=movement, survives=survives)
    found = by_id(findings, "identity_cannot_sign_in_after_move")
    assert bool(found) is blocked
    if blocked:
        assert found[0]["severity"] == "blocking"
        assert "fo_client_secret" in found[0]["remedy"] or "DBMovementAPI" in found[0]["remedy"]


def test_the_copy_carries_the_sources_mapping_so_the_source_decides_when_it_could_be_read():
    target = facts(mapped="Admin", users=[ADMIN])  # the target maps the app to Admin, production to bob
    findings = run(target, source=facts(mapped="bob", users=[{"user_id": "bob", "enabled": False}]))
    [found] = by_id(findings, "identity_cannot_sign_in_after_move")
    assert "bob in contoso-prod" in found["message"]
    assert "uat.admin@contoso.example" in found["remedy"]  # the person to sign in as instead
    # production refused (its user is disabled there): the target's mapping is the best view, and says so
    findings = run(facts(mapped="bob", users=[ADMIN]), source=facts(signed_in=False, refusal="HTTP 401"))
    [found] = by_id(findings, "identity_cannot_sign_in_after_move")
    assert "as contoso-uat maps it now" in found["message"]


def test_a_pp_copy_remedy_names_dbmovementapi_and_the_source():
    [found] = by_id(run(facts(mapped="bob"), movement="pp_copy"), "identity_cannot_sign_in_after_move")
    assert "Create the user DBMovementAPI in contoso-prod" in found["remedy"]


def test_a_pp_restore_keeps_the_users_as_they_are():
    assert not by_id(run(facts(mapped="bob", users=[{"user_id": "bob", "enabled": True}]), movement="pp_restore"),
                     "identity_cannot_sign_in_after_move")
    assert by_id(run(facts(mapped="bob", users=[{"user_id": "bob", "enabled": False}]), movement="pp_restore"),
                 "identity_cannot_sign_in_after_move")


@pytest.mark.parametrize("person, blocked", [("uat.admin@contoso.example", False), ("UAT.Admin@contoso.example", False),
                                             ("alice@contoso.example", True)])
def test_a_person_signs_in_after_an_lcs_refresh_only_as_the_targets_administrator(person, blocked):
    findings = run(facts(kind="delegated", username=person, users=[ADMIN]))
    assert bool(by_id(findings, "identity_cannot_sign_in_after_move")) is blocked


def test_after_a_pp_copy_the_person_must_be_the_sources_admin():
    target = facts(kind="delegated", username="prod.admin@contoso.example", users=[ADMIN])
    assert not by_id(run(target, source=facts(kind="delegated", users=[PROD_ADMIN]), movement="pp_copy"),
                     "identity_cannot_sign_in_after_move")
    assert by_id(run(target, movement="lcs_refresh"), "identity_cannot_sign_in_after_move")


def test_an_unknown_person_or_token_is_a_warning_not_a_pass():
    assert by_id(run(facts(kind="delegated", username=None, users=[ADMIN])), "identity_unknown_after_move")
    [found] = by_id(run(facts(kind="access_token")), "identity_unknown_after_move")
    assert found["severity"] == "warning"


def test_a_target_that_refuses_the_identity_now_blocks_and_names_the_variables():
    [found] = by_id(run(facts(mapped=None, signed_in=False, refusal="User bob is disabled")),
                    "identity_refused_by_target")
    assert found["severity"] == "blocking" and "User bob is disabled" in found["message"]
    assert "fo_client_id" in found["remedy"]
    [found] = by_id(run(facts(kind="delegated", signed_in=False)), "identity_refused_by_target")
    assert "fo_token_cache" in found["remedy"]


def test_the_automation_user_enabled_in_production_is_a_warning():
    source = facts(mapped="DBMovementAPI", users=[{"user_id": "DBMovementAPI", "enabled": True}])
    [found] = by_id(run(facts(mapped="DBMovementAPI", users=[ADMIN]), source=source, movement="pp_copy"),
                    "automation_user_enabled_in_production")
    assert found["severity"] == "warning" and "DBMovementAPI" in found["message"]
    assert "Disable DBMovementAPI in contoso-prod" in found["remedy"]
    # disabled there (Microsoft: it may stay disabled), or production refused the identity: nothing to say
    quiet = facts(kind="delegated", users=[PROD_ADMIN, {"user_id": "DBMovementAPI", "enabled": False}])
    assert not by_id(run(facts(mapped="DBMovementAPI"), source=quiet, movement="pp_copy"),
                     "automation_user_enabled_in_production")
    assert not by_id(run(facts(mapped="DBMovementAPI"), source=facts(signed_in=False), movement="pp_copy"),
                     "automation_user_enabled_in_production")
    # production not asked at all: said, as info
    [unchecked] = by_id(run(facts(mapped="Admin", users=[ADMIN])), "automation_user_in_production_unchecked")
    assert unchecked["severity"] == "info" and "fo_source_environment_url" in unchecked["remedy"]
    # a sandbox source is not production
    assert not by_id(run(facts(mapped="DBMovementAPI"), source=source, movement="pp_copy",
                         source_env=env(name="contoso-test", environment_id="33333333-3333-4333-8333-333333333333")),
                     "automation_user_enabled_in_production")


def test_an_application_signing_in_to_production_as_admin_is_flagged_with_another_remedy():
    source = facts(mapped="Admin", users=[PROD_ADMIN])
    [found] = by_id(run(facts(mapped="Admin", users=[ADMIN]), source=source), "automation_user_enabled_in_production")
    assert "Map the application to DBMovementAPI" in found["remedy"]


def test_a_required_data_project_missing_in_the_target_or_the_source_blocks():
    projects = {"required": ["Vendors"], "created_by_run": ["DataALM-Settings"], "variable": "dataalm_data_projects"}
    findings = run(facts(mapped="Admin", users=[ADMIN]), projects=projects)
    [missing] = by_id(findings, "data_project_missing")
    assert missing["severity"] == "blocking" and "contoso-uat has no data project Vendors" in missing["message"]
    assert "dataalm_data_projects" in missing["message"] and "initialize: true" in missing["remedy"]
    [created] = by_id(findings, "data_project_created_by_run")
    assert created["severity"] == "info"
    # present in the target but not in production: the copy takes production's projects
    findings = run(facts(mapped="Admin", users=[ADMIN], projects=["vendors", "DataALM-Settings"]),
                   source=facts(mapped="Admin", projects=[]), projects=projects)
    [missing] = by_id(findings, "data_project_missing")
    assert "after the move contoso-uat holds contoso-prod's projects" in missing["message"]
    assert not by_id(findings, "data_project_created_by_run")
    findings = run(facts(mapped="Admin", users=[ADMIN], projects=["Vendors"]),
                   source=facts(mapped="Admin", projects=["VENDORS"]), projects=projects)
    assert not by_id(findings, "data_project_missing")


def test_without_identity_facts_nothing_is_said():
    findings = preflight.evaluate("refresh", source=prod(), target=env(), now=NOW)
    assert not [f for f in findings if "identity" in f["id"] or "data_project" in f["id"]]
    findings = preflight.evaluate("export", source=env(), now=NOW, identity={"target": facts(mapped="bob")})
    assert not by_id(findings, "identity_cannot_sign_in_after_move")
