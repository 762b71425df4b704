"""Pure rules of the target proof (fo_target) and of the runbook inputs (runbook_inputs)."""

from __future__ import annotations

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils import fo_target, runbook_inputs

UAT = "22222222-2222-4222-8222-222222222222"
NAMES = dict(fo_target.DEFAULT_NAMES, connection="dataalm_sql_connection_string", confirm="dataalm_confirm_database",
             force="dataalm_force_cleanup")


def observed(marker=None, users=0, jobs=0, database="db_uat"):
    return {"server": "sql1", "database": database, "marker": marker or {}, "enabled_users": users,
            "active_batch_jobs": jobs}


def request(purpose="cleanup", **extra):
    return dict({"environment_id": UAT, "purpose": purpose, "generation": "op-2", "names": NAMES, "host": "uat"},
                **extra)


def test_a_live_database_without_this_environments_marker_is_refused_naming_the_variables():
    with pytest.raises(fo_target.RefusedError) as exc:
        fo_target.decide(observed(users=9, jobs=58), request())
    assert "dataalm_sql_connection_string of uat" in str(exc.value)
    assert "dataalm_confirm_database: db_uat" in str(exc.value)


def test_a_fresh_copy_is_cleaned_and_a_verified_one_only_verified():
    assert fo_target.decide(observed(), request()) == "clean"
    verified = {"environment_id": UAT, "generation": "op-2", "state": "verified"}
    assert fo_target.decide(observed(verified, users=3), request()) == "verified"
    assert fo_target.decide(observed(verified, users=3), request(force=True)) == "clean"
    # An interrupted clean-up of this copy resumes although kept users are enabled again.
    cleaning = dict(verified, state="cleaning")
    assert fo_target.decide(observed(cleaning, users=3), request()) == "clean"


def test_confirmation_adopts_only_the_named_database_and_never_reopens_a_cleaned_copy():
    assert fo_target.decide(observed(users=9), request(confirm_database="DB_UAT")) == "clean"
    with pytest.raises(fo_target.RefusedError):
        fo_target.decide(observed(users=9), request(confirm_database="db_prod"))
    old = {"environment_id": UAT, "generation": "op-1", "state": "verified"}
    with pytest.raises(fo_target.RefusedError, match="dataalm_force_cleanup"):
        fo_target.decide(observed(old, users=9), request(confirm_database="db_uat"))


def test_the_marker_names_the_environment_whatever_the_spelling_of_its_id():
    """A marker written with the service's lower-case id proves a target typed upper-case or without dashes."""
    own = {"environment_id": UAT, "generation": "op-1", "state": "verified"}
    for spelling in (UAT.upper(), UAT.replace("-", ""), "{%s}" % UAT):
        assert fo_target.decide(observed(own, users=9), request("movement", environment_id=spelling)) == "proven"
    with pytest.raises(fo_target.RefusedError):
        fo_target.decide(observed({"environment_id": UAT[:-1] + "0"}, users=9), request("movement"))


def test_the_database_recorded_with_the_snapshot_must_be_the_one_reached():
    with pytest.raises(fo_target.RefusedError, match="snapshot taken before the movement recorded database db_uat"):
        fo_target.decide(observed(database="db_prod"), request(expected={"server": "sql1", "database": "db_uat"}))


def test_before_a_movement_only_the_marker_or_a_confirmation_proves_the_target():
    own = {"environment_id": UAT, "generation": "op-1", "state": "verified"}
    assert fo_target.decide(observed(own, users=9), request("movement")) == "proven"
    assert fo_target.decide(observed(users=9), request("movement", confirm_database="db_uat")) == "proven"
    with pytest.raises(fo_target.RefusedError, match="marker of environment 1111"):
        fo_target.decide(observed({"environment_id": "1111"}), request("movement"))


def test_connection_strings_naming_the_same_database_are_found_without_connecting():
    own = "DRIVER={ODBC Driver 18 for SQL Server};SERVER=tcp:Prod.database.windows.net,1433;DATABASE=AxDB;PWD=x"
    others = {"prod": "Server=prod.database.windows.net:1433;Database=axdb;Uid=u", "test": "Server=t;Database=axdb"}
    assert fo_target.shared_with(own, others) == ["prod"]
    assert fo_target.shared_with(None, others) == []


def _validate(runbook="refresh", sql=True, **variables):
    raw = {"dataalm_target_environment_id": UAT, "dataalm_source_environment_id": "1" * 32,
           "dataalm_snapshot_dir": "/srv/dataalm/state"}
    raw.update({"dataalm_" + k: v for k, v in variables.items()})
    return runbook_inputs.validate(raw, {"runbook": runbook, "sql_enabled": sql, "collection_dir": "/opt/coll"})


def test_defaults_and_coercion():
    values, problems = _validate(keep_users="Admin")
    assert not problems.errors
    assert values["keep_users"] == ["Admin"] and values["max_age"] == "12h"
    assert values["resolved_cleanup_steps"][0] == "environment_tables"


@pytest.mark.parametrize(("variables", "name"), [
    ({"max_age": ""}, "dataalm_max_age"),
    ({"email_mode": "mask", "cleanup_profile": "hygiene"}, "dataalm_email_mode"),
    ({"snapshot_dir": "/opt/coll/snapshots"}, "dataalm_snapshot_dir"),
    ({"keep_user": ["Admin"]}, "dataalm_keep_user"),
])
def test_each_problem_names_the_inventory_variable(variables, name):
    _values, problems = _validate(**variables)
    assert any(error.startswith(name) or name in error for error in problems.errors), problems.errors


def test_no_window_is_an_explicit_choice_and_integrations_keep_their_jobs_held():
    values, problems = _validate(max_age="none", cleanup_profile="integrations")
    assert not problems.errors and values["max_age"] == ""
    assert values["keep_recurring_integrations_held"] is True
    assert any("none" in w for w in problems.warnings) and any("recurring" in w for w in problems.warnings)


@pytest.mark.parametrize(("runbook", "sql", "variables", "expected"), [
    ("point_in_time_restore", False, {"sql_jit": True}, []),
    ("point_in_time_restore", True, {"sql_jit": True}, ["dataalm_sql_jit: and dataalm_sql_connection_string"]),
    ("refresh", False, {"sql_jit": True}, ["dataalm_sql_jit: is for unified environments"]),
    ("point_in_time_restore", False, {"sql_jit": True, "sql_jit_client_ip": "laptop"},
     ["dataalm_sql_jit_client_ip: the value must be one IP address"]),
    ("point_in_time_restore", False, {"sql_jit": "maybe"}, ["dataalm_sql_jit"]),
])
def test_just_in_time_sql_access_inputs(runbook, sql, variables, expected):
    """Issue 15: JIT SQL access replaces the connection string, for unified environments only."""
    extra = {"restore_point": "latest"} if runbook == "point_in_time_restore" else {}
    _values, problems = _validate(runbook=runbook, sql=sql, **extra, **variables)
    jit_errors = [e for e in problems.errors if "sql_jit" in e]
    assert len(jit_errors) == len(expected), problems.errors
    for error, start in zip(jit_errors, expected, strict=True):
        assert start in error, error
