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
"""

EXAMPLES = r"""
- name: Verify a cleaned sandbox
  d365fo.dataalm.fo_database_verify:
    connection_string: "{{ sandbox_odbc }}"
    keep_users: [Admin, "qa-*@contoso.example"]
    resume_batch_jobs: ["Email distributor*"]
    smtp_relay: smtp-uat.contoso.example
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
executed_statements:
  description: Every statement sent, with parameters and row counts.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup, fo_config, fo_module, fo_sql, fo_verify


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
    except Exception as exc:
        fo_module.fail(module, db, exc, changed=False)
    db.close()
    result = dict(changed=False, verification=checks, executed_statements=db.log)
    failed = [check["detail"] for check in checks if not check["passed"]]
    if failed and params["fail_on_violation"]:
        module.fail_json(msg="Post-restore verification failed: " + "; ".join(failed), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
