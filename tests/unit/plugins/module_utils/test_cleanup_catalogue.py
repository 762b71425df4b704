"""The clean-up catalogue: every shipped statement is portable T-SQL, selection rules, doc coverage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup, fo_config, fo_sql
from sqlglot import exp

REPO = Path(__file__).resolve().parents[4]
OPTION_SETS = [
    {},
    {"email_mode": "mask", "email_mask_domain": "sink.example"},
    {"keep_users": ["bob", "*@partner.example", "qa?@contoso.com"]},
]
FORBIDDEN = re.compile(r"\b(TOP|LIMIT|GETDATE|ISNULL|NVL|IFNULL|LEN|NOW|TRUNCATE)\b|\|\||\[|\"")


def _statements():
    seen = []
    for options in OPTION_SETS:
        for sql in cleanup.all_statements(options):
            if sql not in seen:
                seen.append(sql)
    return seen


@pytest.mark.parametrize("sql", _statements())
def test_every_statement_parses_as_tsql_and_is_portable(sql):
    tree = sqlglot.parse_one(sql, read="tsql")
    assert tree is not None
    assert not FORBIDDEN.search(sql.replace("'[", "").replace("ESCAPE '!'", "")), sql
    # identifiers are plain upper case
    for ident in tree.find_all(exp.Identifier):
        assert ident.name == ident.name.upper(), (ident.name, sql)
        assert not ident.quoted, sql


def test_catalogue_covers_the_issue():
    names = set(cleanup.step_names())
    assert {"disable_users", "hold_batch_jobs", "smtp", "email_addresses", "outgoing_email_queue",
            "print_management", "environment_tables", "dual_write", "recurring_integrations", "power_bi",
            "maintenance_mode_off", "commerce_merchant_properties", "batch_history", "dmf_staging_logs",
            "document_storage_provider", "backend_flags"} <= names
    assert {s.name for s in cleanup.CATALOGUE if s.tier1_only} == {"document_storage_provider", "backend_flags"}
    for profile in cleanup.PROFILES:
        assert cleanup.profile_steps(profile)
    assert not any(cleanup.STEPS[n].tier1_only for n in cleanup.profile_steps("standard"))


def test_hold_batch_jobs_includes_scheduled():
    action = cleanup.STEPS["hold_batch_jobs"].actions()[0]
    assert action.where == "STATUS IN (1, 2, 5, 7, 9)"


def test_select_steps_rejects_unknown_names_and_keeps_catalogue_order():
    with pytest.raises(fo_sql.FoSqlError, match="unknown step"):
        cleanup.select_steps(["smtp", "drop_everything"])
    with pytest.raises(fo_sql.FoSqlError, match="unknown step"):
        cleanup.select_steps(profile="standard", exclude_steps=["nope"])
    with pytest.raises(fo_sql.FoSqlError, match="profile"):
        cleanup.select_steps(profile="everything")
    picked = [s.name for s in cleanup.select_steps(["smtp", "environment_tables"])]
    assert picked == ["environment_tables", "smtp"]
    picked = [s.name for s in cleanup.select_steps(profile="standard", exclude_steps=["smtp"])]
    assert "smtp" not in picked and "hold_batch_jobs" in picked


def test_keep_users_split_and_bound_as_parameters():
    action = cleanup.STEPS["disable_users"].actions({"keep_users": ["bob", "x' OR 1=1 --@y"]})[0]
    assert "ID NOT IN (?)" in action.where
    assert "NETWORKALIAS LIKE ? ESCAPE '!'" in action.where
    assert "OR 1=1" not in action.where
    assert action.params == ("bob", "x' OR 1=1 --@y")
    assert "ID <> 'Admin'" in action.where


def test_mask_mode_validates_domain():
    with pytest.raises(fo_sql.FoSqlError):
        cleanup.STEPS["email_addresses"].actions({"email_mode": "mask", "email_mask_domain": "x'; DROP TABLE y"})
    with pytest.raises(fo_sql.FoSqlError):
        cleanup.STEPS["email_addresses"].actions({"email_mode": "shred"})


def test_every_action_has_a_predicate_that_excludes_done_rows_or_deletes():
    for step in cleanup.CATALOGUE:
        for action in step.actions():
            if action.assignments:
                assert action.where, (step.name, action.table)


def test_config_snapshot_statements_parse():
    for sql in ("SELECT KEY_, %s FROM SYSEMAILPARAMETERS ORDER BY KEY_" % ", ".join(fo_config.SmtpItem.columns),
                "UPDATE USERINFO SET ENABLE = 1, RECVERSION = RECVERSION + 1 WHERE ENABLE = 0 AND ID IN (?, ?)",
                "UPDATE BATCHJOB SET STATUS = ?, RECVERSION = RECVERSION + 1 WHERE CAPTION = ? AND COMPANY = ? "
                "AND STATUS = 0"):
        sqlglot.parse_one(sql, read="tsql")


def test_docs_list_every_step():
    doc = (REPO / "docs" / "sql-access.md").read_text(encoding="utf-8")
    for step in cleanup.CATALOGUE:
        assert "`%s`" % step.name in doc, step.name


# -- transports (issue 15) ---------------------------------------------------------------------------------
def test_every_step_declares_its_transports_and_sql_only_steps_say_why():
    from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup as catalogue

    for step in catalogue.CATALOGUE:
        assert step.transports[0] == catalogue.SQL
        if catalogue.APPLICATION in step.transports:
            assert step.entity_actions() and not step.sql_only
        else:
            assert step.sql_only, step.name
    assert set(catalogue.APPLICATION_FORMS) | set(catalogue.SQL_ONLY) == set(catalogue.STEPS)
    assert not set(catalogue.APPLICATION_FORMS) & set(catalogue.SQL_ONLY)


def test_application_form_of_disable_users_keeps_what_the_sql_form_keeps():
    from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup as catalogue

    action = catalogue.STEPS["disable_users"].entity_actions({"keep_users": ["alice", "*@partner.example"]})[0]
    records = [{"UserID": "Admin", "Alias": "admin@x"}, {"UserID": "alice", "Alias": "alice@x"},
               {"UserID": "p", "Alias": "P@Partner.example"}, {"UserID": "svc", "Alias": "frs@dynamics.com"},
               {"UserID": "noalias", "Alias": ""}, {"UserID": "bob", "Alias": "bob@x"}]
    assert [r["UserID"] for r in action.pending(records)] == ["bob"]
    assert action.filter == "Enabled eq true" and action.values == {"Enabled": False}


def test_application_form_of_hold_batch_jobs_names_every_active_status_and_spares_resumed_jobs():
    from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup as catalogue

    action = catalogue.STEPS["hold_batch_jobs"].entity_actions({"resume_batch_jobs": ["*settle*"]})[0]
    for value in catalogue.ACTIVE_BATCH_STATUS_VALUES:
        assert "BatchStatus'%s'" % catalogue.BATCH_STATUS_NAMES[value] in action.filter
    assert "'Hold'" not in action.filter and action.values == {"Status": "Hold"}
    assert action.pending([{"JobDescription": "Priority-scheduled settlement"}, {"JobDescription": "Alerts"}]) == [
        {"JobDescription": "Alerts"}]


def test_application_form_of_smtp_refuses_a_bad_relay_like_the_sql_form():
    from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup as catalogue

    with pytest.raises(catalogue.FoSqlError, match="smtp_relay"):
        catalogue.STEPS["smtp"].entity_actions({"smtp_relay": "smtp' or 1 eq 1"})
