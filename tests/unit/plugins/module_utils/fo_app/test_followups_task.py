"""fo_app_followup_info's reasons for a feature it could not check: what F&O refused, in the user's terms, with
what to change, F&O's own words and its activity id. The module's runs against the emulator (403, 404, 401
through ansible-playbook) are in tests/integration/test_fo_app_followups.py."""

from __future__ import annotations

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils import followups
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import followups_task
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app.client import FoError

CHANNELS = followups.FEATURE_ENTITY_PROBES["commerce"]["commerce_channels"]


@pytest.mark.parametrize("status, says", [
    (404, "this environment does not serve RetailChannels (HTTP 404, request id aid-1: Resource not found for the "
          "segment 'RetailChannels'.); its F&O version may not have the entity"),
    (403, "the user this run signs in as may not read RetailChannels (HTTP 403, request id aid-1: Resource not found "
          "for the segment 'RetailChannels'.); give that user a security role that can"),
    (400, "this environment refused the query on RetailChannels (HTTP 400, request id aid-1: Resource not found for "
          "the segment 'RetailChannels'.); its F&O version may name the fields differently"),
])
def test_a_refused_probe_says_what_happened_and_what_to_change(status, says):
    error = FoError("reading RetailChannels failed: ...", status=status, request_id="aid-1",
                    detail="Resource not found for the segment 'RetailChannels'.")
    reason = followups_task.unreadable_reason("commerce", CHANNELS, error)
    assert reason.startswith(says), reason
    assert reason.endswith("run fo_followup_info over SQL to check commerce")


def test_without_f_and_o_words_or_activity_id_the_reason_still_names_the_status():
    reason = followups_task.unreadable_reason("financial_reporting", CHANNELS, FoError("x", status=404))
    assert "(HTTP 404); " in reason and reason.endswith("to check financial reporting")


def test_f_and_o_words_are_redacted_like_every_error_text():
    error = FoError("x", status=403, detail="denied for Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")
    assert "eyJ" not in followups_task.unreadable_reason("commerce", CHANNELS, error)
