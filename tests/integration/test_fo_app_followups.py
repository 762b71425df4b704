"""fo_app_followup_info through real ansible-playbook against the emulator's F&O OData endpoint, when F&O refuses
what the module reads: an entity this F&O version does not have (404), an identity that may not read an entity
(403), an identity the environment does not accept at all (401). The refusals are the emulator's injected
``http_error`` faults on the entity routes (emulator/README.md, Faults); 401 is the emulator's own answer to an
application that is not registered in the environment.

contoso-uat of the default world uses every feature: Commerce channels and hardware profiles, an enabled
FRServiceUser (emulator/fodb/seed.py), so a feature is found whenever one of its entities can be read.
"""

from __future__ import annotations

from tests.integration.fo_app_support import APP_SECRET, play

PITR = {"movement_kind": "point_in_time_restore", "source_type": "Production", "target_type": "Sandbox"}
FOLLOWUPS = {"d365fo.dataalm.fo_app_followup_info": PITR, "register": "r"}
DATA = "/fo/contoso-uat/data/"


def refuse(fo, status, *entities):
    fo.emu.set_faults(mode="add", http_error=[{"route": DATA + entity, "status": status} for entity in entities])


def clean(proc):
    """Nothing the user should not see: no traceback, no application secret, no token."""
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output and APP_SECRET not in output and "eyJ" not in output, output[-3000:]


def test_an_entity_refused_leaves_its_feature_not_checked_with_what_to_change(fo, tmp_path):
    refuse(fo, 404, "RetailChannels", "RetailHardwareProfiles")  # a version without the Commerce entities
    refuse(fo, 403, "SystemUsers")  # an identity without a role that reads users
    proc, res = play(tmp_path, [dict(FOLLOWUPS)], fo.defaults(), verbosity=4)
    assert proc.returncode == 0, proc.stdout[-3000:]
    clean(proc)
    result = res["r"]
    assert result["changed"] is False and not result.get("failed")
    assert result["detection"]["features"]["commerce"] is None
    assert result["detection"]["features"]["financial_reporting"] is None
    found = {item["id"]: item for item in result["followups"]}
    # never dropped: listed as not checked, and the follow-up that needs no data is still required
    assert found["commerce_reprovision"]["status"] == "not_checked"
    assert found["financial_reporting_data_mart_reset"]["status"] == "not_checked"
    assert found["lcs_sql_credential_access"]["status"] == "required"
    commerce = found["commerce_reprovision"]["not_checked"]
    assert "does not serve RetailChannels" in commerce and "does not serve RetailHardwareProfiles" in commerce
    assert "HTTP 404, request id " in commerce and "run fo_followup_info over SQL to check commerce" in commerce
    # not the client's advice to check the entity set name: the user does not choose it here
    assert "check the entity set name" not in commerce
    reporting = found["financial_reporting_data_mart_reset"]["not_checked"]
    assert "may not read SystemUsers (HTTP 403" in reporting and "security role" in reporting
    assert "Microsoft Entra applications" in reporting and "fo_followup_info over SQL" in reporting
    assert "lacks a security role for this entity" not in reporting
    assert set(result["summary"]["not_checked"]) >= {"commerce_reprovision", "financial_reporting_data_mart_reset"}


def test_a_feature_is_found_through_its_other_entity_when_one_is_missing(fo, tmp_path):
    """RetailChannels absent from this version, RetailHardwareProfiles has records: Commerce is in use."""
    refuse(fo, 404, "RetailChannels")
    proc, res = play(tmp_path, [dict(FOLLOWUPS)], fo.defaults())
    assert proc.returncode == 0, proc.stdout[-3000:]
    clean(proc)
    result = res["r"]
    assert result["detection"]["features"]["commerce"] is True
    assert result["detection"]["found"]["commerce_hardware_profiles"] is True
    assert "commerce_channels" not in result["detection"]["found"]
    found = {item["id"]: item for item in result["followups"]}
    assert found["commerce_reprovision"]["status"] == "required"
    assert "commerce" not in result["detection"]["not_checked"]


def test_an_identity_the_environment_does_not_accept_fails_with_what_to_change(fo, tmp_path):
    fo.sql("DELETE FROM SYSAADCLIENTTABLE")  # the application is not registered in the environment: 401
    proc, res = play(tmp_path, [dict(FOLLOWUPS)], fo.defaults(), verbosity=4)
    clean(proc)
    result = res["r"]
    assert result["failed"] and result["http_status"] == 401 and result["request_id"]
    assert "Microsoft Entra applications" in result["msg"] and "followups" not in result
