"""Every module that signs in can use a vault-encrypted token cache: its action plugin decrypts it (issue 11).

Modules cannot read vault secrets, so a module without such an action plugin would find only ciphertext
and fail with "run sign_in.yml again". The end-to-end runs are in tests/integration/test_sign_in.py.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parents[3] / "plugins"
# the shared sign-in options of each plane (plugins/module_utils/_auth/options.py and the planes' modules)
SIGNS_IN = re.compile(r"module_utils\._(lcs|pp|fo_app|dataverse)\.module import|module_utils\._auth")
# the sign-in module writes the cache itself and has its own vault handling (plugins/action/dataalm_sign_in.py)
OWN_VAULT_HANDLING = {"dataalm_sign_in"}
# Dataverse modules sign in with the Power Platform options (module_utils/_dataverse/module.py)
PLANE_VARIABLE = {"lcs": "LCS_TOKEN_CACHE", "pp": "PP_TOKEN_CACHE", "dataverse": "PP_TOKEN_CACHE",
                  "fo": "FO_TOKEN_CACHE", "linked": "PP_TOKEN_CACHE"}  # linked_pair_info: the Power Platform options


def modules_that_sign_in():
    return sorted(path.stem for path in (PLUGINS / "modules").glob("*.py")
                  if SIGNS_IN.search(path.read_text()) and path.stem not in OWN_VAULT_HANDLING)


def test_the_list_of_modules_that_sign_in_is_found():
    names = modules_that_sign_in()
    expected = {"lcs_environment_info", "lcs_database_refresh", "pp_environment_info", "fo_entity",
                "dataverse_code_info"}
    assert expected <= set(names)


@pytest.mark.parametrize("name", modules_that_sign_in())
def test_the_action_plugin_decrypts_a_vault_encrypted_cache(name):
    assert (PLUGINS / "action" / ("%s.py" % name)).is_file(), "%s has no action plugin" % name
    action = importlib.import_module("ansible_collections.d365fo.dataalm.plugins.action.%s" % name).ActionModule
    assert any(getattr(cls.__dict__.get("run"), "decrypts_token_cache", False) for cls in action.__mro__), name
    # the cache option falls back to the plane's own variable, as the module's token_cache does
    assert action.token_cache_env == PLANE_VARIABLE[name.split("_", 1)[0]]


def test_a_module_run_without_the_action_plugin_says_the_cache_is_encrypted(tmp_path):
    """Without an action plugin (ansible-test, another runner) the module used to fail parsing ciphertext as JSON."""
    from ansible_collections.d365fo.dataalm.plugins.module_utils._auth import auth_problem

    cache = tmp_path / "cache.vault"
    cache.write_text("$ANSIBLE_VAULT;1.1;AES256\n6162\n")
    problem = auth_problem({"client_id": "app", "token_cache": str(cache)})
    assert "vault-encrypted" in problem and "--vault-id" in problem and str(cache) in problem
    cache.write_text("{}")
    assert auth_problem({"client_id": "app", "token_cache": str(cache)}) is None
