"""Wrong or contradictory runbook inputs fail before anything starts, naming the variable to fix.

Each case runs a ready playbook through the real ansible-playbook, as a user would, with one wrong
inventory variable. It must fail before any mutating call (the emulator counts none and starts no
operation) and before any SQL change (the databases' fingerprints are unchanged), with a message
that names the inventory variable (dataalm_*), not a module option. Cases are independent, so
``pytest -n 2`` (pytest-xdist) runs them on both cores.
"""

from __future__ import annotations

import pytest

from tests.integration.runbook_support import REPO, Runbooks, fingerprint, inventory

WATCHED = ("contoso-uat", "contoso-prod")
GUID_UAT = "22222222-2222-4222-8222-222222222222"

# (case id, playbook, extra vars, the variable the message must name)
CASES = [
    ("email_mode_typo", "refresh.yml", {"dataalm_email_mode": "masked"}, "dataalm_email_mode"),
    ("profile_typo", "refresh.yml", {"dataalm_cleanup_profile": "standrad"}, "dataalm_cleanup_profile"),
    ("environment_type_case", "refresh.yml", {"dataalm_environment_type": "sandbox"}, "dataalm_environment_type"),
    ("environment_type_production", "refresh.yml", {"dataalm_environment_type": "Production"},
     "dataalm_environment_type"),
    ("keep_users_dict", "refresh.yml", {"dataalm_keep_users": {"Admin": True}}, "dataalm_keep_users"),
    ("keep_users_empty_entry", "refresh.yml", {"dataalm_keep_users": ["Admin", " "]}, "dataalm_keep_users"),
    ("max_age_empty", "refresh.yml", {"dataalm_max_age": ""}, "dataalm_max_age"),
    ("max_age_zero", "refresh.yml", {"dataalm_max_age": 0}, "dataalm_max_age"),
    ("max_age_words", "refresh.yml", {"dataalm_max_age": "soon"}, "dataalm_max_age"),
    ("not_before_naive", "refresh.yml", {"dataalm_not_before": "2026-03-01T10:00:00"}, "dataalm_not_before"),
    ("poll_interval_text", "refresh.yml", {"dataalm_poll_interval": "often"}, "dataalm_poll_interval"),
    ("poll_interval_zero", "refresh.yml", {"dataalm_poll_interval": 0}, "dataalm_poll_interval"),
    ("wait_timeout_text", "refresh.yml", {"dataalm_wait_timeout": "long"}, "dataalm_wait_timeout"),
    ("unknown_step", "refresh.yml", {"dataalm_cleanup_steps": ["no_such_step"]}, "dataalm_cleanup_steps"),
    ("unknown_excluded_step", "refresh.yml", {"dataalm_cleanup_exclude_steps": ["nope"]},
     "dataalm_cleanup_exclude_steps"),
    ("empty_profile_no_steps", "refresh.yml", {"dataalm_cleanup_profile": ""}, "dataalm_cleanup_profile"),
    ("mask_without_email_step", "refresh.yml",
     {"dataalm_email_mode": "mask", "dataalm_cleanup_profile": "integrations"}, "dataalm_email_mode"),
    ("smtp_relay_not_a_host", "refresh.yml", {"dataalm_smtp_relay": "smtp relay.example"}, "dataalm_smtp_relay"),
    ("smtp_relay_without_smtp_step", "refresh.yml",
     {"dataalm_smtp_relay": "smtp-uat.contoso.example", "dataalm_cleanup_profile": "hygiene"}, "dataalm_smtp_relay"),
    ("mask_domain_with_at", "refresh.yml", {"dataalm_email_mask_domain": "x@example.invalid"},
     "dataalm_email_mask_domain"),
    ("resume_everything", "refresh.yml", {"dataalm_resume_batch_jobs": ["*"]}, "dataalm_resume_batch_jobs"),
    ("restore_item_unknown", "refresh.yml", {"dataalm_restore_items": ["smtp", "printers"]}, "dataalm_restore_items"),
    ("force_not_bool", "refresh.yml", {"dataalm_force_cleanup": "maybe"}, "dataalm_force_cleanup"),
    ("target_not_guid", "refresh.yml", {"dataalm_target_environment_id": "contoso-uat"},
     "dataalm_target_environment_id"),
    ("source_missing", "refresh.yml", {"dataalm_source_environment_id": ""}, "dataalm_source_environment_id"),
    ("source_is_target", "refresh.yml", {"dataalm_source_environment_id": GUID_UAT}, "dataalm_source_environment_id"),
    ("snapshot_dir_empty", "refresh.yml", {"dataalm_snapshot_dir": ""}, "dataalm_snapshot_dir"),
    ("snapshot_dir_relative", "refresh.yml", {"dataalm_snapshot_dir": "snapshots"}, "dataalm_snapshot_dir"),
    ("snapshot_dir_in_collection", "refresh.yml", {"dataalm_snapshot_dir": str(REPO / "playbooks" / "snapshots")},
     "dataalm_snapshot_dir"),
    ("variable_typo", "refresh.yml", {"dataalm_keep_user": ["Admin"]}, "dataalm_keep_user"),
    ("tier1_profile_on_sandbox", "refresh.yml",
     {"dataalm_cleanup_profile": "tier1", "dataalm_environment_type": "Sandbox"}, "dataalm_cleanup_profile"),
    ("spartan_not_bool", "refresh.yml", {"dataalm_spartan_managed": "perhaps"}, "dataalm_spartan_managed"),
    ("capacity_not_dict", "refresh.yml", {"dataalm_database_capacity": "big"}, "dataalm_database_capacity"),
    ("targets_match_nothing", "refresh.yml", {"dataalm_targets": "contoso-uta"}, "dataalm_targets"),
    ("type_contradicts_lcs", "refresh.yml", {"dataalm_environment_type": "DevTestDev"}, "dataalm_environment_type"),
    ("post_restore_no_lcs_no_type", "post_restore.yml", {"dataalm_check_lcs": False}, "dataalm_environment_type"),
    ("post_restore_email_mode_typo", "post_restore.yml", {"dataalm_email_mode": "masked"}, "dataalm_email_mode"),
    ("post_restore_force_not_bool", "post_restore.yml", {"dataalm_force_cleanup": "yes please"},
     "dataalm_force_cleanup"),
    ("export_max_age_zero", "export.yml", {"dataalm_max_age": "0"}, "dataalm_max_age"),
    ("preflight_kind_typo", "preflight.yml", {"dataalm_kind": "restore"}, "dataalm_kind"),
]


@pytest.fixture(scope="module")
def runbooks(emulator_server, tmp_path_factory):
    client = emulator_server.client()
    client.reset(databases=True)
    runner = Runbooks(client, tmp_path_factory.mktemp("inputs"))
    runner.before = {name: fingerprint(client, name) for name in WATCHED}
    return runner


@pytest.mark.parametrize(("playbook", "extra_vars", "variable"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_wrong_input_fails_before_anything_starts(runbooks, playbook, extra_vars, variable):
    extra = dict(extra_vars)
    targets = extra.pop("dataalm_targets", "contoso-uat")
    proc, _report = runbooks(playbook, targets, extra_vars=extra, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    assert variable in output, output[-3000:]
    counters = runbooks.emulator.counters()
    assert counters["mutating_requests"] == {} and counters["operations_started"] == {}
    assert {name: fingerprint(runbooks.emulator, name) for name in WATCHED} == runbooks.before


def test_the_same_database_for_two_hosts_is_refused_before_anything_starts(runbooks, tmp_path):
    prod = runbooks.emulator.env("contoso-prod")["odbc_connection_string"]
    path = inventory(tmp_path, {"contoso-uat": {"dataalm_sql_connection_string": prod}})
    proc, _report = runbooks("refresh.yml", "contoso-uat", inventory_path=path, timeout=300)
    assert proc.returncode != 0
    assert "dataalm_sql_connection_string" in proc.stdout and "contoso-prod" in proc.stdout
    assert runbooks.emulator.counters()["mutating_requests"] == {}
    assert {name: fingerprint(runbooks.emulator, name) for name in WATCHED} == runbooks.before


def test_a_single_user_is_coerced_to_a_list_not_refused(runbooks):
    # Types are coerced where Ansible's argument specs coerce them: "Admin" is the list [Admin].
    proc, _report = runbooks("preflight.yml", "contoso-uat", extra_vars={"dataalm_keep_users": "Admin"}, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]  # the run itself passes, not merely without that message
    assert "dataalm_keep_users" not in proc.stdout
