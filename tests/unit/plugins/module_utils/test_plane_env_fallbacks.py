"""Each plane's options fall back to its own environment variables only (issue 12: ``PP_*`` for the Power
Platform modules, never the LCS ones, so two credentials in one pipeline or AWX job never collide; issue 14:
``FO_*`` for the application layer). Validated as Ansible validates a module's arguments."""

from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import module as fo_app
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs import options as lcs
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp import options as pp

PLANES = {"LCS": lcs.connection_argument_spec, "PP": pp.connection_argument_spec,
          "FO": fo_app.connection_argument_spec}
SIGN_IN = ("CLIENT_ID", "CLIENT_SECRET", "TENANT_ID", "USERNAME", "PASSWORD", "ACCESS_TOKEN", "REFRESH_TOKEN",
           "TOKEN_CACHE", "AUTHORITY_URL")


@pytest.mark.parametrize("prefix", PLANES)
def test_every_fallback_names_only_variables_of_its_own_plane(prefix):
    for name, option in PLANES[prefix]().items():
        if "fallback" in option:
            variables = option["fallback"][1]
            assert variables and all(v.startswith(prefix + "_") for v in variables), (name, variables)


@pytest.mark.parametrize("prefix", PLANES)
def test_with_every_planes_credentials_set_each_plane_takes_its_own(monkeypatch, prefix):
    for plane in PLANES:
        for variable in SIGN_IN:
            monkeypatch.setenv("%s_%s" % (plane, variable), "%s-%s" % (plane.lower(), variable.lower()))
    result = ArgumentSpecValidator(PLANES[prefix]()).validate({})
    assert result.error_messages == []
    params = result.validated_parameters
    for variable in (v for v in SIGN_IN if v.lower() in params):  # the application layer takes no password
        assert params[variable.lower()] == "%s-%s" % (prefix.lower(), variable.lower()), variable


@pytest.mark.parametrize("prefix", ["PP", "FO"])
def test_an_lcs_credential_alone_never_signs_in_another_plane(monkeypatch, prefix):
    for variable in SIGN_IN:
        monkeypatch.setenv("LCS_" + variable, "lcs-" + variable.lower())
    params = ArgumentSpecValidator(PLANES[prefix]()).validate({}).validated_parameters
    assert not [name for name, value in params.items() if str(value).startswith("lcs-")]
