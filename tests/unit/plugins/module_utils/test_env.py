"""An empty environment variable counts as unset: it never replaces an option's default."""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.options import (
    DEFAULT_LCS_API_URL,
    connection_argument_spec,
)


def validated(monkeypatch, **environment):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = ArgumentSpecValidator(connection_argument_spec()).validate({})
    assert result.error_messages == []
    return result.validated_parameters


def test_blank_variables_leave_the_defaults(monkeypatch):
    # As an AWX credential injects a field left blank, and as a pipeline exports an unset secret.
    params = validated(monkeypatch, LCS_TENANT_ID="", LCS_API_URL="  ", LCS_PROJECT_ID="", LCS_CLIENT_SECRET="")
    assert params["tenant_id"] == "organizations"
    assert params["lcs_api_url"] == DEFAULT_LCS_API_URL
    assert params["project_id"] is None
    assert params["client_secret"] is None


def test_set_variables_are_used(monkeypatch):
    params = validated(monkeypatch, LCS_TENANT_ID="contoso.onmicrosoft.com", LCS_PROJECT_ID="1234567")
    assert params["tenant_id"] == "contoso.onmicrosoft.com"
    assert params["project_id"] == 1234567
