"""Every ready playbook hands the LCS modules every sign-in option of the inventory (issue 9, item 12).

docs/runbooks.md promises ``lcs_access_token`` (and the token cache that playbooks/sign_in.yml leaves) to all
playbooks; a playbook whose ``module_defaults`` leave one out silently signs in another way or not at all.
The option list comes from the one place that defines it (_auth.options), so a new sign-in option is
checked here without editing this test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible_collections.d365fo.dataalm.plugins.module_utils._auth.options import auth_argument_spec

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"
LCS_GROUP = "group/d365fo.dataalm.lcs"
# the LCS endpoint options the playbooks map besides the sign-in options (inventory variable = lcs_<option>)
ENDPOINT_OPTIONS = {"project_id": "lcs_project_id", "lcs_api_url": "lcs_api_url", "ca_path": "lcs_ca_path"}


def _lcs_defaults():
    found = []
    for path in sorted(PLAYBOOKS.glob("*.yml")):
        for play in yaml.safe_load(path.read_text()) or []:
            mapping = (play.get("module_defaults") or {}).get(LCS_GROUP) if isinstance(play, dict) else None
            if mapping is not None:
                found.append(pytest.param(mapping, id="%s:%s" % (path.name, play.get("name"))))
    return found


def test_playbooks_with_lcs_defaults_are_found():
    assert len(_lcs_defaults()) >= 5


@pytest.mark.parametrize("mapping", _lcs_defaults())
def test_every_lcs_sign_in_option_comes_from_its_inventory_variable(mapping):
    expected = {option: "lcs_" + option for option in auth_argument_spec()}
    expected.update(ENDPOINT_OPTIONS)
    missing = sorted(set(expected) - set(mapping))
    assert not missing, "module_defaults leave out %s" % missing
    wrong = {option: mapping[option] for option, variable in expected.items()
             if "{{ %s | default(omit) }}" % variable not in str(mapping[option])}
    assert not wrong, wrong
