#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_app_target
short_description: Decide whether a Dynamics 365 F&O database copy needs its clean-up, through the application layer
version_added: 1.1.0
description:
  - The application-layer counterpart of M(d365fo.dataalm.fo_database_target) for runs without a SQL connection.
    The run state lives inside the environment, in the description of a data project the collection owns
    (C(DataALM-RunState)), so a movement replaces it with the database and every controller reads the same state.
  - RV(decision) is V(clean) for a copy that needs its clean-up (it looks like a fresh copy, or its clean-up of
    this movement is under way), V(verified) when the clean-up of this movement was verified. A live environment
    (enabled users, batch jobs that would run, no marker of this environment) is refused.
  - O(state=cleaning) records that the clean-up began (only when it is needed), O(state=verified) that it was
    verified.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_app
attributes:
  check_mode:
    support: full
    description: Decides, and records nothing.
  diff_mode:
    support: none
    description: Nothing to diff; RV(marker) is the recorded state.
options:
  environment_id:
    description: The LCS environment id of the target (recorded as a fingerprint).
    type: str
    required: true
  environment_name:
    description: The target's name, for messages.
    type: str
    default: ""
  host:
    description: The inventory host, for messages.
    type: str
    default: ""
  generation:
    description: The movement (operation id) that produced the copy (recorded as a fingerprint).
    type: str
    default: ""
  state:
    description: V(checked) only decides; V(cleaning) and V(verified) also record.
    type: str
    choices: [checked, cleaning, verified]
    default: checked
  force:
    description: Clean again a copy whose clean-up was verified.
    type: bool
    default: false
  confirm:
    description:
      - The environment's host name (for example C(contoso-uat.sandbox.operations.dynamics.com)), to adopt an
        environment that looks live and carries no marker.
    type: str
    default: ""
  variable_names:
    description: Inventory variable names to name in messages (keys C(connection), C(confirm), C(force)).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Decide whether the refreshed sandbox needs its clean-up, and record that it began
  d365fo.dataalm.fo_app_target:
    environment_url: https://contoso-uat.sandbox.operations.dynamics.com
    environment_id: 22222222-2222-4222-8222-222222222222
    generation: "{{ refresh.operation_id }}"
    state: cleaning
  register: target

- name: Record that the clean-up was verified
  d365fo.dataalm.fo_app_target:
    environment_id: 22222222-2222-4222-8222-222222222222
    generation: "{{ refresh.operation_id }}"
    state: verified
  when: target.decision == 'clean'
"""

RETURN = r"""
decision:
  description: V(clean) or V(verified).
  returned: success
  type: str
marker:
  description: The recorded state (C(environment_id) and C(generation) fingerprints, C(state)).
  returned: always
  type: dict
observed:
  description: Enabled users (besides Admin, service accounts) and batch jobs that would run.
  returned: success
  type: dict
api_calls:
  description: HTTP requests made, retries included.
  returned: always
  type: int
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils import fo_target
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import run_state
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app.module import FoAppModule

NAMES = {"connection": "fo_environment_url", "confirm": "confirm", "force": "force"}


def decide(fm):
    p = fm.params
    names = dict(fo_target.DEFAULT_NAMES, **dict(NAMES, **p["variable_names"]))
    observed = run_state.observe(fm.client, p["environment_url"])
    try:
        decision = fo_target.decide(observed, run_state.request_of(p, names))
    except fo_target.RefusedError as exc:
        fm.fail(str(exc), changed=False, marker=observed["marker"])
    marker = observed["marker"]
    write = p["state"] == "verified" or (p["state"] == "cleaning" and decision == "clean")
    if write and not fm.check_mode:
        marker = run_state.write_marker(fm.client, p["environment_id"], p["generation"], p["state"])
    counts = {k: observed[k] for k in ("enabled_users", "active_batch_jobs")}
    return dict(changed=marker != observed["marker"], decision=decision, marker=marker, observed=counts)


def main():
    fm = FoAppModule(dict(
        environment_id=dict(type="str", required=True), environment_name=dict(type="str", default=""),
        host=dict(type="str", default=""), generation=dict(type="str", default=""),
        state=dict(type="str", choices=["checked", "cleaning", "verified"], default="checked"),
        force=dict(type="bool", default=False), confirm=dict(type="str", default=""),
        variable_names=dict(type="dict", default={}),
    ))
    fm.run(lambda: decide(fm))


if __name__ == "__main__":
    main()
