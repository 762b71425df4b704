#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_app_cleanup
short_description: Run the post-restore clean-up of a Dynamics 365 F&O database copy through its application layer
version_added: 1.1.0
description:
  - Runs the clean-up catalogue (the same steps as M(d365fo.dataalm.fo_database_cleanup)) through data entities,
    so a Tier-2 sandbox needs no just-in-time SQL access.
  - Each catalogue step declares its transports. Steps an entity can express (V(hold_batch_jobs),
    V(disable_users), V(smtp), V(business_events)) run here; the others are returned in RV(not_run) with the reason
    they need SQL (for most of them an LCS refresh already does the work itself).
  - B(Idempotent.) Only records not yet in the cleaned state change, so a second run sends no change.
  - With O(verify) nothing changes; every step that can run becomes a check in RV(verification).
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_app
attributes:
  check_mode:
    support: full
    description: Reads the records and reports per step how many would change; sends no change.
  diff_mode:
    support: none
    description: Nothing to diff; RV(steps) counts the records per step.
options:
  profile:
    description:
      - Catalogue profile, as for M(d365fo.dataalm.fo_database_cleanup).
    type: str
    choices: [standard, integrations, hygiene, tier1]
  steps:
    description:
      - Catalogue steps to run in addition to (or, without O(profile), instead of) the profile's.
    type: list
    elements: str
    default: []
  exclude_steps:
    description:
      - Catalogue steps to leave out.
    type: list
    elements: str
    default: []
  keep_users:
    description:
      - Users V(disable_users) leaves enabled, besides Admin and Microsoft's service accounts. An entry with V(@) or a
        wildcard (V(*), V(?)) is a sign-in pattern, anything else a user id.
    type: list
    elements: str
    default: []
  resume_batch_jobs:
    description:
      - Caption patterns (wildcards V(*), V(?)) of batch jobs that are resumed after the clean-up; V(hold_batch_jobs)
        does not hold them again and the verification accepts them as waiting.
    type: list
    elements: str
    default: []
  smtp_relay:
    description:
      - The sandbox's own SMTP relay host, or empty to clear the relay.
    type: str
    default: ""
  verify:
    description:
      - Change nothing and return each step that can run as a check in RV(verification) (passed when nothing is left
        to change).
    type: bool
    default: false
  batch_size:
    description:
      - Changes per C($batch) request (one changeset, one transaction).
    type: int
    default: 100
notes:
  - The application-layer forms use entities whose names are inferred from F&O metadata (see
    M(d365fo.dataalm.fo_entity)). The identity signing in needs the roles to change users, batch jobs, e-mail
    parameters and business event endpoints; after an LCS refresh that is the environment administrator
    (docs/unattended.md).
"""

EXAMPLES = r"""
- name: Clean a refreshed sandbox without SQL
  d365fo.dataalm.fo_app_cleanup:
    environment_url: https://contoso-uat.sandbox.operations.dynamics.com
    profile: standard
    keep_users: [Admin, "*@partner.example"]
    smtp_relay: smtp.sandbox.contoso.com
  register: cleaned

- name: Say which steps need SQL
  ansible.builtin.debug:
    msg: "{{ cleaned.not_run | map(attribute='name') | list }}"

- name: Verify the clean state
  d365fo.dataalm.fo_app_cleanup:
    profile: standard
    keep_users: [Admin]
    verify: true
"""

RETURN = r"""
steps:
  description: Every step that ran (or would run) through the application layer.
  returned: when O(verify) is false
  type: list
  elements: dict
  contains:
    name: {description: Catalogue step., type: str}
    transport: {description: Always V(application) here (V(sql) from M(d365fo.dataalm.fo_database_cleanup))., type: str}
    rows: {description: Records changed (or that would change in check mode)., type: int}
    changed: {description: Whether the step changed (or would change) records., type: bool}
    sql_only_part:
      description: What the application-layer form leaves undone, and why that is acceptable.
      type: str
      returned: for steps with such a part
not_run:
  description: Selected steps that need SQL, each with C(name), C(transports) and C(reason).
  returned: always
  type: list
  elements: dict
verification:
  description: One check per step, C(name) C(cleanup:<step>), C(passed), C(detail).
  returned: when O(verify) is true
  type: list
  elements: dict
api_calls:
  description: HTTP requests made, retries included.
  returned: always
  type: int
api_retries:
  description: Retried requests by reason (HTTP status or C(connection)).
  returned: when a request was retried
  type: dict
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import cleanup_task
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app.module import FoAppModule


def main():
    fm = FoAppModule(dict(
        profile=dict(type="str", choices=["standard", "integrations", "hygiene", "tier1"]),
        steps=dict(type="list", elements="str", default=[]),
        exclude_steps=dict(type="list", elements="str", default=[]),
        keep_users=dict(type="list", elements="str", default=[]),
        resume_batch_jobs=dict(type="list", elements="str", default=[]),
        smtp_relay=dict(type="str", default=""),
        verify=dict(type="bool", default=False),
        batch_size=dict(type="int", default=100),
    ))
    problems = cleanup_task.problems_of(fm.params)
    if not 1 <= fm.params["batch_size"] <= 1000:
        problems.append("batch_size must be between 1 and 1000")
    if problems:
        fm.fail("; ".join(problems), changed=False)
    fm.run(lambda: cleanup_task.run(fm))


if __name__ == "__main__":
    main()
