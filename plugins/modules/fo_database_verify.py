#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_database_verify
short_description: Verify that a cleaned F&O database copy cannot reach production's people and systems
version_added: 1.0.0
description:
  - Reads the database and checks four invariants after a clean-up, each with the predicate of the
    M(d365fo.dataalm.fo_database_cleanup) step that establishes it, so clean-up and verification share one
    definition of batch statuses, service accounts and e-mail rules.
  - V(no_enabled_user_outside_keep_list) - no user is enabled except C(Admin), Microsoft service accounts,
    O(keep_users) and the users re-enabled from the snapshot.
  - V(no_waiting_batch_job_outside_resume_list) - no batch job is Waiting, Executing, Ready, Cancelling or
    Scheduled except those matching O(resume_batch_jobs) and the jobs re-applied from the snapshot.
  - V(no_real_email_address) - every e-mail address is blank (or masked with O(email_mode=mask)).
  - V(smtp_relay_is_the_sandbox_s) - the SMTP relay is O(smtp_relay), else the snapshot's relay when its
    C(smtp) item was re-applied, else empty.
  - With O(followups), also evaluates on the same connection the follow-ups the movement leaves to do, exactly as
    M(d365fo.dataalm.fo_followup_info) does (one read of the database instead of two module runs).
  - Never changes anything.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_sql
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same queries in check mode.
  diff_mode:
    support: none
    description: Nothing changes.
options:
  keep_users:
    description: User ids or sign-in patterns (C(*), C(?)) that may be enabled besides C(Admin) and service accounts.
    type: list
    elements: str
    default: []
  resume_batch_jobs:
    description: Caption patterns (C(*), C(?)) of batch jobs that may wait or run.
    type: list
    elements: str
    default: []
  email_mode:
    description: How the clean-up treated e-mail addresses.
    type: str
    choices: [blank, mask]
    default: blank
  email_mask_domain:
    description: Sink domain of masked addresses.
    type: str
    default: example.invalid
  smtp_relay:
    description: The sandbox's own SMTP relay; empty expects the snapshot's relay or none.
    type: str
    default: ""
  snapshot_path:
    description:
      - Configuration snapshot of M(d365fo.dataalm.fo_config_snapshot); its re-applied items count as expected.
    type: path
  restore_items:
    description: Snapshot items that were re-applied.
    type: list
    elements: str
    choices: [smtp, enabled_users, batch_jobs]
    default: []
  fail_on_violation:
    description: Fail when an invariant does not hold (the result still lists every check).
    type: bool
    default: true
  followups:
    description:
      - The movement whose follow-ups to evaluate too (the options of M(d365fo.dataalm.fo_followup_info)); omitted,
        none are evaluated.
    type: dict
    suboptions:
      movement_kind:
        description: The movement that produced the target's data.
        type: str
        required: true
        choices: [refresh, export, point_in_time_restore, post_restore_only]
      source_type:
        description: Type of the environment the data came from.
        type: str
        required: true
        choices: [Production, Sandbox, DevTestDev]
      target_type:
        description: Type of the target environment (the one this module connects to).
        type: str
        required: true
        choices: [Production, Sandbox, DevTestDev]
"""

EXAMPLES = r"""
- name: Verify a cleaned sandbox
  d365fo.dataalm.fo_database_verify:
    connection_string: "{{ sandbox_odbc }}"
    keep_users: [Admin, "qa-*@contoso.example"]
    resume_batch_jobs: ["Email distributor*"]
    smtp_relay: smtp-uat.contoso.example

- name: Verify a refreshed sandbox and list the follow-ups the refresh leaves to do
  d365fo.dataalm.fo_database_verify:
    connection_string: "{{ sandbox_odbc }}"
    keep_users: [Admin]
    followups: {movement_kind: refresh, source_type: Production, target_type: Sandbox}
  register: verified
"""

RETURN = r"""
verification:
  description: One entry per invariant.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Invariant name.
      type: str
    passed:
      description: Whether it holds.
      type: bool
    detail:
      description: What was found, naming up to 20 offenders.
      type: str
followups:
  description: The follow-ups that apply (RV(d365fo.dataalm.fo_followup_info#module:followups)).
  returned: when O(followups) is given
  type: list
  elements: dict
followups_detection:
  description: Row counts per probe and the features they imply (RV(d365fo.dataalm.fo_followup_info#module:detection)).
  returned: when O(followups) is given
  type: dict
followups_summary:
  description: Follow-ups per status and the ids still required (RV(d365fo.dataalm.fo_followup_info#module:summary)).
  returned: when O(followups) is given
  type: dict
executed_statements:
  description: Every statement sent, with parameters and row counts.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils import (
    cleanup, fo_config, fo_module, fo_sql, fo_verify, followups)


def main():
    module = fo_module.new_module(dict(
        keep_users=dict(type="list", elements="str", default=[]),
        resume_batch_jobs=dict(type="list", elements="str", default=[]),
        email_mode=dict(type="str", choices=["blank", "mask"], default="blank"),
        email_mask_domain=dict(type="str", default=cleanup.DEFAULT_MASK_DOMAIN),
        smtp_relay=dict(type="str", default=""),
        snapshot_path=dict(type="path"),
        restore_items=dict(type="list", elements="str", default=[], choices=list(fo_config.ITEMS)),
        fail_on_violation=dict(type="bool", default=True),
        followups=dict(type="dict", options=followups.argument_spec()),
    ))
    params = module.params
    try:
        snapshot = fo_config.read_snapshot(params["snapshot_path"]) if params["snapshot_path"] else {"items": {}}
        expected = fo_verify.expected_state(params, snapshot["items"])
        cleanup.STEPS["email_addresses"].actions(expected)  # validates the mask domain before connecting
    except fo_sql.FoSqlError as exc:
        module.fail_json(msg=str(exc), changed=False)
    db = fo_module.open_database(module)
    try:
        checks = fo_verify.verify(db, expected)
        # the follow-ups read the same database: one module run answers both (issue 18)
        found = followups.report(db, params["followups"]) if params["followups"] else {}
    except Exception as exc:
        fo_module.fail(module, db, exc, changed=False)
    db.close()
    result = dict(changed=False, verification=checks, executed_statements=db.log)
    if found:
        result.update(followups=found["followups"], followups_detection=found["detection"],
                      followups_summary=found["summary"])
    failed = [check["detail"] for check in checks if not check["passed"]]
    if failed and params["fail_on_violation"]:
        module.fail_json(msg="Post-restore verification failed: " + "; ".join(failed), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
