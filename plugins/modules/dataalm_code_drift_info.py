#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dataalm_code_drift_info
short_description: Code drift of a linked pair after a movement, with both remedies
version_added: 1.1.0
description:
  - Compares the code of the target recorded B(before) a movement (Dataverse solutions and F&O packages, as
    M(d365fo.dataalm.dataverse_code_info) returns them) with the code found B(after) it, and reports the drift
    with the two ways back into line.
  - Either redeploy in Dataverse the solutions at their recorded versions, or deploy to F&O the package that matches
    the data (after a point-in-time restore the packages as of the instant, listing those deployed after it; after
    a refresh or copy the source's package).
  - For an LCS-managed F&O, a record may also carry C(lcs_history), the C(operations) rows of
    M(d365fo.dataalm.lcs_environment_info) with C(include_history=true).
    Its deployable-package rows (types C(ApplicationHotfix), C(SFApplicationHotfix), C(SFBinaryHotfix)) that
    succeeded are the F&O deployments. LCS names them by the update name given at deployment and gives no version.
    An LCS restore or refresh moves the database only, so the deployments after the instant (restore) or those the
    source has and the target lacks (refresh, copy) are code that disagrees with the data.
  - Runs on the controller and calls no service.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
attributes:
  check_mode:
    support: full
    description: Computes in check mode too.
  diff_mode:
    support: none
    description: Reads only; there is nothing to diff.
options:
  before:
    description:
      - The target's code recorded before the movement (the result of M(d365fo.dataalm.dataverse_code_info)).
    type: dict
    required: true
  after:
    description:
      - The target's code after the movement (the same module's result).
    type: dict
    required: true
  source:
    description:
      - The source's code (the same module's result, read from the source organisation). Its package history lists
        what was deployed after the instant and its packages are the refresh remedy. Without it the record in
        O(before) stands in (an in-place point-in-time restore).
    type: dict
  movement:
    description:
      - The movement, which decides the F&O remedy.
    type: str
    choices: [refresh, copy, restore]
    required: true
  instant:
    description:
      - The restore point (ISO 8601 with a zone) of a V(restore).
    type: str
"""

EXAMPLES = r"""
- name: Report the code drift of the restored sandbox
  d365fo.dataalm.dataalm_code_drift_info:
    before: "{{ code_before }}"
    after: "{{ code_after }}"
    movement: restore
    instant: "2026-03-02T06:00:00Z"
  register: drift
"""

RETURN = r"""
aligned:
  description: Whether no solution, no package and no LCS deployment (RV(finops_deployments)) differs.
  returned: always
  type: bool
solutions:
  description: Solutions whose version or managed flag differs, with C(name), C(before), C(after), C(change)
    (V(changed), V(missing) or V(added)).
  returned: always
  type: list
  elements: dict
packages:
  description: F&O packages whose version differs, in the same shape.
  returned: always
  type: list
  elements: dict
deployed_after_instant:
  description: C(packages) and C(solutions) deployed after O(instant) (empty without it), each with C(name),
    C(version), C(deployed_at) and C(version_at_instant).
  returned: always
  type: dict
finops_deployments:
  description:
    - F&O deployments from the LCS history that disagree with the moved data, each with C(name), C(deployed_at) and
      C(change) - V(after_instant) (a restore left code newer than the data) or V(source_only) (a refresh or copy
      brought data of code the target lacks). Empty without C(lcs_history) in the records.
  returned: always
  type: list
  elements: dict
remedies:
  description:
    - C(dataverse.solutions_to_redeploy) (C(name), C(version) recorded before), or C(finops) (C(deploy), the
      C(packages) to deploy, and C(history), where the F&O deployments were read - V(Dataverse package history),
      V(LCS environment history), or empty when neither was available).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.d365fo.dataalm.plugins.module_utils._dates import parse_datetime
from ansible_collections.d365fo.dataalm.plugins.module_utils.code_drift import report


def main():
    module = AnsibleModule(argument_spec=dict(
        before=dict(type="dict", required=True), after=dict(type="dict", required=True), source=dict(type="dict"),
        movement=dict(type="str", choices=["refresh", "copy", "restore"], required=True), instant=dict(type="str"),
    ), supports_check_mode=True, required_if=[("movement", "restore", ["instant"])])
    p = module.params
    instant = parse_datetime(p["instant"], naive_is_utc=False) if p["instant"] else None
    if p["instant"] and (instant is None or instant.tzinfo is None):
        module.fail_json(msg="instant must be an ISO 8601 instant with a zone, for example 2026-03-02T06:00:00Z; "
                             "got %r" % p["instant"])
    module.exit_json(changed=False, **report(p["before"], p["after"], p["movement"], instant, p["source"]))


if __name__ == "__main__":
    main()
