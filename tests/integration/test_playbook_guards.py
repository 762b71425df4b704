"""Every ready playbook refuses a host pattern that matches no target (issue 9, item 10), through the real
ansible-playbook. The guard runs on localhost before any module, so no service is needed: an inventory with one
host that the pattern misses is enough. Before the guard, such a run ended "OK" with exit code 0.
"""

from __future__ import annotations

import pytest
import yaml

from devtools.ansible_runner import run_playbook
from tests.integration.runbook_support import REPO

PLAYBOOKS = REPO / "playbooks"


def _targets_playbooks():
    """Playbooks with a play on the dataalm_targets host pattern (sign_in.yml runs on localhost only)."""
    found = []
    for path in sorted(PLAYBOOKS.glob("*.yml")):
        plays = yaml.safe_load(path.read_text()) or []
        if isinstance(plays, list) and any("dataalm_targets" in str(play.get("hosts", "")) for play in plays):
            found.append(path.name)
    return found


def test_the_ready_playbooks_are_all_found():
    # the parametrisation below is not blind: the runbooks of the README are there
    assert {"refresh.yml", "post_restore.yml", "export.yml", "preflight.yml",
            "promote_configuration.yml"} <= set(_targets_playbooks())


@pytest.mark.parametrize("playbook", _targets_playbooks())
def test_a_host_pattern_that_matches_nothing_fails(tmp_path, playbook):
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"contoso-uat": {"ansible_connection": "local"}}}}))
    proc = run_playbook(PLAYBOOKS / playbook, inventory=inventory, extra_vars={"dataalm_targets": "contoso-uta"},
                        timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    assert "dataalm_targets 'contoso-uta' matches no host" in " ".join(output.split()), output[-3000:]
