#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_database_cleanup
short_description: Run the post-restore clean-up catalogue on a Dynamics 365 F&O database
version_added: 1.0.0
description:
  - Runs named steps of a declarative catalogue, or a O(profile) of them, against an F&O (AxDB) database after a
    refresh, point-in-time restore or import, so a sandbox copy of production cannot send e-mail, run
    production's batch jobs, talk to production's integrations or let production's users in.
  - Every step changes only rows that are not yet in the desired state, so a second run reports C(changed=false).
    Large tables are changed in RECID ranges with a commit per batch; rows are never fetched into Python.
  - "Steps: V(environment_tables), V(hold_batch_jobs), V(smtp), V(email_addresses), V(outgoing_email_queue),
    V(print_management), V(disable_users), V(user_partition), V(maintenance_mode_off),
    V(commerce_merchant_properties), V(power_bi), V(business_events), V(dual_write), V(recurring_integrations),
    V(key_vault), V(batch_history), V(finished_batch_jobs), V(dmf_staging_logs), and the Tier-1-only
    V(document_storage_provider) and V(backend_flags). The SQL access guide lists what each does and why."
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_sql
attributes:
  check_mode:
    support: full
    description: Counts the rows each step would change with the same predicates; nothing is changed.
  diff_mode:
    support: none
    description: Row counts per step are returned instead.
options:
  steps:
    description:
      - Catalogue steps to run, in addition to those of O(profile). Unknown names fail before anything runs.
    type: list
    elements: str
  profile:
    description:
      - V(standard) mirrors and completes what LCS does on a refresh (environment tables, batch jobs, e-mail,
        print management, users, maintenance mode, Commerce merchant properties, Power BI).
      - V(integrations) cuts the copy off the source's integrations (business events, dual-write, recurring
        integrations, Key Vault, Power BI).
      - V(hygiene) removes history and logs (batch history, finished batch jobs, data management logs).
      - V(tier1) is V(standard) plus the Tier-1-only steps; it needs O(environment_type=DevTestDev).
    type: str
    choices: [standard, integrations, hygiene, tier1]
  exclude_steps:
    description:
      - Steps to leave out of O(profile) or O(steps).
    type: list
    elements: str
    default: []
  keep_users:
    description:
      - Users that V(disable_users) leaves enabled besides C(Admin) and Microsoft service accounts. An entry with
        C(@), C(*) or C(?) is a sign-in (network alias) pattern where C(*) and C(?) are wildcards; any other entry
        is a user id.
    type: list
    elements: str
    default: []
  email_mode:
    description:
      - V(blank) empties every address that contains C(@) (what LCS does).
      - V(mask) replaces it with C(sandbox+<RECID>@<email_mask_domain>), unique and well-formed.
    type: str
    choices: [blank, mask]
    default: blank
  email_mask_domain:
    description:
      - Sink domain for O(email_mode=mask).
    type: str
    default: example.invalid
  smtp_relay:
    description:
      - The sandbox's own SMTP relay host. The V(smtp) step sets it instead of clearing the relay, so the copy
        sends through the sandbox's relay (or, when empty, through none).
    type: str
    default: ""
  batch_size:
    description:
      - Width of the RECID range changed per transaction on large tables.
    type: int
    default: 50000
"""

EXAMPLES = r"""
- name: Clean a refreshed sandbox
  d365fo.dataalm.fo_database_cleanup:
    server: "{{ sandbox_sql_server }}"
    database: "{{ sandbox_database }}"
    login_user: "{{ jit_user }}"
    login_password: "{{ jit_password }}"
    encrypt: true
    environment_type: Sandbox
    profile: standard
    steps: [business_events, dual_write, recurring_integrations]
    keep_users: [testlead, "*@partner.example"]
    email_mode: mask

- name: Preview what would change
  d365fo.dataalm.fo_database_cleanup:
    connection_string: "{{ odbc_connection_string }}"
    environment_type: Sandbox
    profile: hygiene
  check_mode: true
"""

RETURN = r"""
steps:
  description: One entry per step run, in catalogue order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Step name.
      type: str
    rows:
      description: Rows changed (or, in check mode, rows that would change).
      type: int
    changed:
      description: Whether the step changed (or would change) rows.
      type: bool
    duration_ms:
      description: Time the step took in milliseconds.
      type: int
executed_statements:
  description: Every statement sent, with parameters and row counts; batched statements once with their batch count.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup, fo_module, fo_sql


def main():
    module = fo_module.new_module(
        dict(
            steps=dict(type="list", elements="str"),
            profile=dict(type="str", choices=list(cleanup.PROFILES)),
            exclude_steps=dict(type="list", elements="str", default=[]),
            keep_users=dict(type="list", elements="str", default=[]),
            email_mode=dict(type="str", choices=["blank", "mask"], default="blank"),
            email_mask_domain=dict(type="str", default=cleanup.DEFAULT_MASK_DOMAIN),
            smtp_relay=dict(type="str", default=""),
            batch_size=dict(type="int", default=50000),
        ),
        required_one_of=[("steps", "profile")],
    )
    params = module.params
    options = {k: params[k] for k in ("keep_users", "email_mode", "email_mask_domain", "smtp_relay")}
    try:
        selected = cleanup.select_steps(params["steps"], params["profile"], params["exclude_steps"])
        for step in selected:
            step.actions(options)  # validates option values before connecting
    except fo_sql.FoSqlError as exc:
        module.fail_json(msg=str(exc), changed=False)
    if params["batch_size"] < 1:
        module.fail_json(msg="batch_size must be at least 1", changed=False)
    fo_module.guard(module, [s.name for s in selected if s.tier1_only])

    db = fo_module.open_database(module)
    try:
        results = cleanup.run_steps(db, selected, options, module.check_mode, params["batch_size"])
    except Exception as exc:
        fo_module.fail(module, db, exc)
    db.close()
    module.exit_json(changed=any(r["changed"] for r in results), steps=results, executed_statements=db.log)


if __name__ == "__main__":
    main()
