"""The post_restore role's copy of facts the collection's Python owns must not drift from it."""

from __future__ import annotations

from pathlib import Path

import yaml
from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup

ROLE_VARS = Path(__file__).resolve().parents[3] / "roles" / "post_restore" / "vars" / "main.yml"


def test_verification_allows_exactly_the_service_accounts_the_cleanup_keeps_enabled():
    # The role cannot import cleanup.py, so it keeps a glob copy of the SQL LIKE patterns; a service
    # account kept enabled by the clean-up but unknown to the verification would fail every run.
    role_patterns = yaml.safe_load(ROLE_VARS.read_text())["post_restore_service_accounts"]
    assert sorted(p.replace("*", "%") for p in role_patterns) == sorted(cleanup.SERVICE_ACCOUNT_PATTERNS)
