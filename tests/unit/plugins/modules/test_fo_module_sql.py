"""SQL the fo_user, fo_batch_job and fo_sql modules build: portable, parameterised, guarded."""

from __future__ import annotations

import pytest
import sqlglot
from ansible_collections.d365fo.dataalm.plugins.module_utils import batch_jobs, fo_sql
from ansible_collections.d365fo.dataalm.plugins.modules import fo_sql as fo_sql_module
from ansible_collections.d365fo.dataalm.plugins.modules import fo_user


def _parse(where, table="USERINFO"):
    sqlglot.parse_one("UPDATE %s SET ENABLE = 0 WHERE %s" % (table, where), read="tsql")


def test_user_disable_never_touches_admin_and_binds_patterns():
    where, values = fo_user.build_predicate({"state": "disabled", "ids": None, "sign_in_pattern": "*@x.com'--",
                                             "all_except": ["bob", "qa*@contoso.com"]})
    assert "ID <> 'Admin'" in where
    assert where.startswith("ENABLE = 1")
    assert values == ["%@x.com'--", "bob", "qa%@contoso.com"]
    assert "x.com" not in where
    _parse(where)


def test_user_enable_selects_disabled_users_only():
    where, values = fo_user.build_predicate({"state": "enabled", "ids": ["alice", "bob"], "sign_in_pattern": None,
                                             "all_except": None})
    assert where == "ENABLE = 0 AND ID IN (?, ?)"
    assert values == ["alice", "bob"]


def test_batch_job_defaults_and_filters():
    where, values = batch_jobs.build_predicate({"state": "held", "statuses": None, "caption_pattern": "Email*",
                                                "company": "usmf", "class_number": 1234, "job_ids": [1, 2]})
    assert where.startswith("STATUS IN (1, 2, 5, 7, 9) AND CAPTION LIKE ? ESCAPE '!'")
    assert values == ["Email%", "usmf", 1234, 1, 2]
    _parse(where, "BATCHJOB")
    where, _values = batch_jobs.build_predicate({"state": "waiting", "statuses": None})
    assert where == "STATUS IN (0)"


@pytest.mark.parametrize("statuses", [[10], [-1], [0]])
def test_batch_job_rejects_useless_or_invalid_statuses(statuses):
    with pytest.raises(fo_sql.FoSqlError):
        batch_jobs.build_predicate({"state": "held", "statuses": statuses})


def test_fo_sql_plan_shapes():
    assert fo_sql_module.plan({"statements": ["SELECT ?"], "params": [1]}) == [("SELECT ?", [1])]
    assert fo_sql_module.plan({"statements": ["SELECT ?"], "params": [[1]]}) == [("SELECT ?", [1])]
    assert fo_sql_module.plan({"statements": ["A", "B ?"], "params": [[], [2]]}) == [("A", []), ("B ?", [2])]
    assert fo_sql_module.plan({"script": "A\nGO\nB", "params": []}) == [("A", []), ("B", [])]
    with pytest.raises(fo_sql.FoSqlError):
        fo_sql_module.plan({"statements": ["A", "B"], "params": [1, 2]})
    with pytest.raises(fo_sql.FoSqlError):
        fo_sql_module.plan({"script": "A", "params": [1]})
    with pytest.raises(fo_sql.FoSqlError):
        fo_sql_module.plan({"statements": ["  "], "params": []})
