"""Which LCS history Type is a refresh or an export is written once, in _lcs/status.py (issue 10: one fact,
one place). The client's row for an operation it has just started used its own copy of the table."""

from __future__ import annotations

import datetime

from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs import client, status


def test_a_started_operation_is_typed_from_the_status_table(monkeypatch):
    monkeypatch.setitem(status.OPERATION_KINDS, "refresh", ("SFSourceDbToSandboxV2",))
    now = datetime.datetime(2026, 3, 4, 10, tzinfo=datetime.UTC)
    row = client._started_row("refresh", "22222222-2222-4222-8222-222222222222", "op-1", now, 1234567)
    assert row["Type"] == "SFSourceDbToSandboxV2"
