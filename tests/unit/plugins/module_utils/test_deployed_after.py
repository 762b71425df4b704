"""deployed_after: what a restore or copy to an instant takes away, from neutral deployment records."""

from __future__ import annotations

import datetime

from ansible_collections.d365fo.dataalm.plugins.module_utils.deployed_after import (
    Deployment,
    deployed_after,
    records,
    versions_at,
)

UTC = datetime.UTC
T = datetime.datetime(2026, 3, 1, 22, tzinfo=UTC)


def _at(hours):
    return T + datetime.timedelta(hours=hours)


HISTORY = [
    Deployment("ContosoExt", "1.0.0.0", _at(-48)),
    Deployment("ContosoExt", "1.1.0.0", _at(-1)),
    Deployment("ContosoExt", "1.2.0.0", _at(2)),
    Deployment("ContosoExt", "1.3.0.0", _at(5)),
    Deployment("FabrikamTax", "2.0.0.0", _at(1)),
    Deployment("Untouched", "9.0", _at(-3)),
]


def test_names_deployed_after_the_instant_with_the_version_the_instant_brings_back():
    assert deployed_after(HISTORY, T) == [
        {"name": "ContosoExt", "version": "1.3.0.0", "deployed_at": "2026-03-02T03:00:00Z",
         "version_at_instant": "1.1.0.0"},
        # absent at the instant: the restore removes it
        {"name": "FabrikamTax", "version": "2.0.0.0", "deployed_at": "2026-03-01T23:00:00Z",
         "version_at_instant": None},
    ]


def test_a_deployment_exactly_at_the_instant_is_part_of_it():
    assert deployed_after([Deployment("A", "1", T)], T) == []
    assert deployed_after([Deployment("A", "1", T + datetime.timedelta(seconds=1))], T)[0]["name"] == "A"


def test_versions_at_an_instant_and_now():
    assert versions_at(HISTORY, T) == {"ContosoExt": "1.1.0.0", "Untouched": "9.0"}
    assert versions_at(HISTORY) == {"ContosoExt": "1.3.0.0", "FabrikamTax": "2.0.0.0", "Untouched": "9.0"}


def test_records_read_any_keys_and_time_forms_and_leave_out_undated_or_unnamed_rows():
    rows = [
        {"uniquename": "msdyn_Contoso", "version": "1.0.0.2", "installedon": "2026-03-02T01:00:00Z"},
        {"uniquename": "Naive", "version": 3, "installedon": "2026-03-01T21:00:00"},  # naive: UTC
        {"uniquename": "Offset", "version": None, "installedon": "2026-03-02T00:30:00+02:00"},
        {"uniquename": "Undated", "version": "1", "installedon": None},
        {"uniquename": "", "version": "1", "installedon": "2026-03-02T01:00:00Z"},
        "not a row",
    ]
    found = records(rows, name="uniquename", version="version", deployed_at="installedon")
    assert [(d.name, d.version) for d in found] == [("msdyn_Contoso", "1.0.0.2"), ("Naive", "3"), ("Offset", None)]
    assert found[1].deployed_at == _at(-1)
    # Offset is 22:30Z, half an hour after T; Naive (21:00Z) is before it
    assert [item["name"] for item in deployed_after(found, T)] == ["Offset", "msdyn_Contoso"]
    assert records(None) == []


def test_offsets_are_compared_as_instants_not_as_text():
    found = records([{"name": "East", "version": "1", "deployed_at": "2026-03-02T01:00:00+04:00"}])
    assert deployed_after(found, T) == []  # 21:00Z, an hour before T
