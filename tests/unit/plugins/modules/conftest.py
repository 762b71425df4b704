"""Modules under test run in the pytest process; give them the conditions of their own process."""

from __future__ import annotations

import pytest
from ansible.module_utils import _internal


@pytest.fixture(autouse=True)
def module_process(monkeypatch):
    """A module runs in a fresh process where ``is_controller`` is False.

    Any controller import in the same pytest process (the callback tests import ansible.utils.display)
    flips it, after which ``module.warn()`` prints through Display instead of returning the warning in
    the result, and result-shape tests depend on test order.
    """
    monkeypatch.setattr(_internal, "is_controller", False)
