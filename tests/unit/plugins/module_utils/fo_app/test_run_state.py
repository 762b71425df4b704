"""Run state without SQL: the marker fits F&O's 60-character description and reads back as the decision needs."""

from __future__ import annotations

from ansible_collections.d365fo.dataalm.plugins.module_utils import fo_target
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import run_state

ENV = "22222222-2222-4222-8222-222222222222"
OPERATION = "6f0e2a3b-1c4d-4e5f-8a9b-0c1d2e3f4a5b"


class _Client:
    def __init__(self, description):
        self.description = description

    def record(self, entity, key, cross_company=True):
        return None if self.description is None else {"Name": key["Name"], "Description": self.description}


def test_marker_fits_the_description_and_hides_the_ids():
    text = run_state.marker_text(ENV, OPERATION, "verified")
    assert len(text) <= 60 and ENV not in text and OPERATION not in text
    # the same environment however LCS spells it (case, dashes, braces)
    assert run_state.fingerprint(ENV) == run_state.fingerprint("{%s}" % ENV.upper().replace("-", ""))
    assert run_state.read_marker(_Client(text)) == {"environment_id": run_state.fingerprint(ENV),
                                                    "generation": run_state.fingerprint(OPERATION),
                                                    "state": "verified"}


def test_anything_else_in_the_description_is_no_marker():
    for description in (None, "", "My project", "dataalm:1;e=zz;g=;s=verified", "dataalm:2;e=0123456789;g=;s=done"):
        assert run_state.read_marker(_Client(description)) == {}


def test_the_decision_compares_fingerprints_with_fingerprints():
    p = {"environment_id": ENV, "environment_name": "", "generation": OPERATION, "force": False, "confirm": "",
         "host": "contoso-uat"}
    request = run_state.request_of(p, dict(fo_target.DEFAULT_NAMES))
    observed = {"server": "h", "database": "h", "enabled_users": 3, "active_batch_jobs": 0,
                "marker": run_state.read_marker(_Client(run_state.marker_text(ENV, OPERATION, "verified")))}
    assert fo_target.decide(observed, request) == "verified"
    observed["marker"] = run_state.read_marker(_Client(run_state.marker_text(ENV, OPERATION, "cleaning")))
    assert fo_target.decide(observed, request) == "clean"  # its clean-up is under way, users already re-enabled
