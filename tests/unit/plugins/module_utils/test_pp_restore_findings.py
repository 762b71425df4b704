"""Restore preflight findings from Dataverse rows (the rows as the Web API returns them; the HTTP side is covered
by tests/integration/test_pp_restore_copy.py against the emulator)."""

from __future__ import annotations

import datetime

from ansible_collections.d365fo.dataalm.plugins.module_utils._http import HttpError
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.restore_findings import code_after, restore_findings

T = datetime.datetime(2026, 3, 1, 22, tzinfo=datetime.UTC)


class Rows:
    """Stands in for DataverseReader: the rows of each entity set, or an error to raise."""

    def __init__(self, tables=None, error=None):
        self.tables, self.error = tables or {}, error

    def rows(self, entity_set, select=None):
        if self.error:
            raise self.error
        return self.tables.get(entity_set, [])


TABLES = {
    "solutions": [
        {"uniquename": "System", "version": "9.2", "installedon": None},
        {"uniquename": "fab_Portal", "version": "1.1.0.0", "installedon": "2026-03-02T01:00:00Z"},
        {"uniquename": "fab_Old", "version": "1.0.0.0", "installedon": "2026-02-01T01:00:00Z"},
    ],
    # the spelling without packageuniquename/packageversion: the documented applicationname only
    "packagehistories": [
        {"applicationname": "FabrikamExt", "createdon": "2026-03-01T20:00:00Z"},
        {"applicationname": "FabrikamExt", "createdon": "2026-03-02T02:00:00Z"},
    ],
}


def test_packages_and_solutions_after_the_instant_become_warnings_with_the_code_alignment_step():
    after = code_after(Rows(TABLES), T)
    assert [s["name"] for s in after["solutions"]] == ["fab_Portal"]
    assert after["packages"] == [{"name": "FabrikamExt", "version": None, "deployed_at": "2026-03-02T02:00:00Z",
                                  "version_at_instant": None}]
    findings, _after = restore_findings(Rows(TABLES), T, "2026-03-01T22:00:00Z", "Fabrikam UAT")
    assert [f["id"] for f in findings] == ["restore_packages_deployed_after_instant",
                                           "restore_solutions_deployed_after_instant", "restore_admin_mode",
                                           "restore_flows_off", "restore_connection_references"]
    assert all(f["remedy"] for f in findings)
    assert "code alignment" in findings[0]["remedy"] and "fab_Portal 1.1.0.0" in findings[1]["message"]


def test_nothing_after_the_instant_leaves_only_the_documented_follow_ups():
    findings, after = restore_findings(Rows({}), T, "t", "env")
    assert after == {"solutions": [], "packages": []}
    assert {f["severity"] for f in findings} == {"info"}


def test_an_unreadable_history_is_one_warning_not_a_failure():
    error = HttpError("forbidden", status=403)
    findings, after = restore_findings(Rows(error=error), T, "t", "env")
    assert after is None and findings[0]["id"] == "restore_code_history_unreadable" and len(findings) == 4
