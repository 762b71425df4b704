#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dataalm_preflight
short_description: Check every documented condition before a Dynamics 365 F&O database movement
version_added: 1.0.0
description:
  - Evaluates the conditions Microsoft documents for database refresh, export and point-in-time restore
    against environment facts gathered with M(d365fo.dataalm.lcs_environment_info) and reports B(every)
    finding at once, each with a remedy.
  - Fails, listing all blocking findings, when at least one finding is blocking and O(fail_on_blocking=true).
  - Never calls a service; it only evaluates the facts it is given, so it is safe in check mode.
  - "Checked: target type (Sandbox; no Production or Tier-1 target), source type, source differs from target,
    same LCS project, same Azure region unless O(spartan_managed), point-in-time restore infrastructure pairs,
    platform update above 20, application release ordering, Financial Reporting versions and database capacity
    (when supplied), both environments deployed, target not busy, fewer than three operation starts in
    24 hours, the point in time (timezone-aware, in the past, inside the 28-day production or 7-day sandbox
    retention, after the last chain-breaking movement, warning before the last code deployment) and recurring
    integrations drained and held (when O(sql) facts are supplied), the identity the run signs in to F&O as
    (when O(identity) facts are supplied) and the data projects it relies on (O(data_projects))."
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
attributes:
  check_mode:
    support: full
    description: The module never changes anything.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  kind:
    description:
      - The movement to check.
      - V(post_restore_only) checks a target whose database was moved outside the playbook
        (portal point-in-time restore, bacpac import); Tier-1 targets are accepted there.
    type: str
    required: true
    choices: [refresh, export, point_in_time_restore, post_restore_only]
  source:
    description:
      - Facts of the source environment, one element of RV(d365fo.dataalm.lcs_environment_info#module:environments)
        gathered with O(d365fo.dataalm.lcs_environment_info#module:include_history=true).
      - For O(kind=export) this is the environment being exported.
    type: dict
    default: {}
  target:
    description:
      - Facts of the target environment, in the same shape as O(source).
    type: dict
    default: {}
  now:
    description:
      - Time to evaluate against, timezone-aware ISO-8601. Defaults to the current UTC time.
    type: str
  point_in_time:
    description:
      - Restore point for O(kind=point_in_time_restore), timezone-aware ISO-8601.
    type: str
  spartan_managed:
    description:
      - Both databases are Spartan-managed (the SQL server name contains C(spartan)), which lifts the
        same-region rule.
    type: bool
    default: false
  financial_reporting:
    description:
      - Financial Reporting (C(MRApplicationService)) versions, when known. The rule is checked only when given.
    type: dict
    suboptions:
      source:
        description: Version on the source.
        type: str
      target:
        description: Version on the target.
        type: str
  database_capacity:
    description:
      - Database capacity figures in GB, when known. The rule is checked only when given.
    type: dict
    suboptions:
      source_allocated_gb:
        description: Allocated database capacity of the source.
        type: float
      target_maximum_gb:
        description: Maximum database capacity of the target.
        type: float
  sql:
    description:
      - Facts read from the target database when SQL access is configured.
    type: dict
    suboptions:
      recurring_jobs_active:
        description: Number of recurring-integration batch jobs that are not on hold.
        type: int
      recurring_messages_pending:
        description: Number of recurring-integration messages not yet processed.
        type: int
      hold_planned:
        description:
          - The runbook holds the recurring-integration batch jobs itself right before the start, so jobs that
            still run are reported as V(info) instead of V(blocking).
        type: bool
        default: false
  identity:
    description:
      - Who the run signs in to F&O's application layer as, read before the move with
        M(d365fo.dataalm.fo_app_identity_info) from the target and (when it can be read) the source. Checked only
        for refreshes and point-in-time restores.
      - "Blocking: the identity is refused by the target now, or cannot sign in after the move: after an LCS refresh
        only C(Admin) (reset to the target's environment administrator) is enabled, after a Power Platform copy
        C(Admin) and C(DBMovementAPI). Warning: the automation's user (its mapped user, or C(DBMovementAPI)) is
        enabled in a production source."
    type: dict
    suboptions:
      movement:
        description: How the database arrives.
        type: str
        choices: [lcs_refresh, pp_copy, pp_restore]
        default: lcs_refresh
      dbmovementapi_survives_refresh:
        description:
          - Assume an LCS refresh spares C(DBMovementAPI) as a Power Platform copy does. Microsoft does not document
            it; leave V(false) unless you have seen it on your own environments.
        type: bool
        default: false
      target:
        description: The result of M(d365fo.dataalm.fo_app_identity_info) for the target.
        type: dict
        default: {}
      source:
        description:
          - The result of M(d365fo.dataalm.fo_app_identity_info) for the source, read with
            O(d365fo.dataalm.fo_app_identity_info#module:fail_on_refusal=false); empty when it was not read.
        type: dict
        default: {}
  data_projects:
    description:
      - Data projects the run relies on, checked against the data projects found in O(identity).
    type: dict
    suboptions:
      required:
        description:
          - Projects that must exist in the target now and in the source (the copy takes the source's projects);
            a missing one is blocking.
        type: list
        elements: str
        default: []
      created_by_run:
        description: Projects the run creates itself when missing (reported as info).
        type: list
        elements: str
        default: []
      variable:
        description: The inventory variable that names O(data_projects.required), for messages.
        type: str
        default: data_projects.required
  fail_on_blocking:
    description:
      - Fail when a blocking finding exists. Set V(false) to only report (for change approval records).
    type: bool
    default: true
notes:
  - Unknown enum values and missing facts never pass silently; they become warnings that say what to check.
seealso:
  - module: d365fo.dataalm.lcs_environment_info
  - module: d365fo.dataalm.lcs_database_refresh
"""

EXAMPLES = r"""
- name: Gather source and target facts
  d365fo.dataalm.lcs_environment_info:
    environment_name: "{{ item }}"
    include_history: true
  loop: [contoso-prod, contoso-uat]
  register: facts

- name: Check the refresh before the change window
  d365fo.dataalm.dataalm_preflight:
    kind: refresh
    source: "{{ facts.results[0].environments[0] }}"
    target: "{{ facts.results[1].environments[0] }}"

- name: Check a point-in-time restore and report without failing
  d365fo.dataalm.dataalm_preflight:
    kind: point_in_time_restore
    source: "{{ facts.results[0].environments[0] }}"
    target: "{{ facts.results[1].environments[0] }}"
    point_in_time: "2026-01-31T22:00:00+01:00"
    financial_reporting:
      source: 10.0.41.1
      target: 10.0.41.1
    fail_on_blocking: false
  register: preflight
"""

RETURN = r"""
findings:
  description: Every finding, blocking ones first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Stable rule identifier, for example C(region_mismatch).
      type: str
      sample: region_mismatch
    severity:
      description: V(blocking), V(warning) or V(info).
      type: str
      sample: blocking
    message:
      description: What was found.
      type: str
    remedy:
      description: What to change.
      type: str
blocking:
  description: Identifiers of the blocking findings; empty when the movement may start.
  returned: always
  type: list
  elements: str
  sample: [target_is_production, operation_quota_exhausted]
passed:
  description: True when no finding is blocking.
  returned: always
  type: bool
environment_type:
  description:
    - The target's type as LCS states it, in the SQL modules' terms (V(Production), V(Sandbox), V(DevTestDev));
      null when no target was given or LCS names an unknown type.
  returned: always
  type: str
  sample: Sandbox
kind:
  description: The kind that was checked.
  returned: always
  type: str
  sample: refresh
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.d365fo.dataalm.plugins.module_utils import preflight, preflight_identity


def argument_spec():
    return dict(
        kind=dict(type="str", required=True, choices=list(preflight.KINDS)),
        source=dict(type="dict", default={}),
        target=dict(type="dict", default={}),
        now=dict(type="str"),
        point_in_time=dict(type="str"),
        spartan_managed=dict(type="bool", default=False),
        financial_reporting=dict(type="dict", options=dict(source=dict(type="str"), target=dict(type="str"))),
        database_capacity=dict(
            type="dict", options=dict(source_allocated_gb=dict(type="float"), target_maximum_gb=dict(type="float"))),
        sql=dict(type="dict", options=dict(
            recurring_jobs_active=dict(type="int"), recurring_messages_pending=dict(type="int"),
            hold_planned=dict(type="bool", default=False))),
        identity=dict(type="dict", options=dict(
            movement=dict(type="str", choices=list(preflight_identity.MOVEMENTS), default="lcs_refresh"),
            dbmovementapi_survives_refresh=dict(type="bool", default=False),
            target=dict(type="dict", default={}), source=dict(type="dict", default={}))),
        data_projects=dict(type="dict", options=dict(
            required=dict(type="list", elements="str", default=[]),
            created_by_run=dict(type="list", elements="str", default=[]),
            variable=dict(type="str", default="data_projects.required"))),
        fail_on_blocking=dict(type="bool", default=True),
    )


def outcome(params):
    """(result, warnings, failure message or None) for validated options; no I/O, so the action plugin
    runs it on the controller without a module process."""
    try:
        findings = preflight.evaluate(
            params["kind"],
            source=params["source"],
            target=params["target"],
            now=params["now"],
            point_in_time=params["point_in_time"],
            spartan_managed=params["spartan_managed"],
            financial_reporting=params["financial_reporting"],
            database_capacity=params["database_capacity"],
            sql=params["sql"],
            plan_followups=True,  # hook (issue 23): the follow-ups the movement will create
            identity=params["identity"],
            data_projects=params["data_projects"],
        )
    except ValueError as exc:
        return {}, [], str(exc)

    blocking = []
    for item in preflight.blocking(findings):
        if item["id"] not in blocking:
            blocking.append(item["id"])
    result = dict(changed=False, kind=params["kind"], findings=findings, blocking=blocking, passed=not blocking,
                  environment_type=preflight.sql_environment_type(params["target"]) if params["target"] else None)
    warnings = ["%s: %s %s" % (item["id"], item["message"], item["remedy"])
                for item in findings if item["severity"] == preflight.WARNING]
    failure = None
    if blocking and params["fail_on_blocking"]:
        failure = "Preflight found %d blocking condition(s): %s" % (len(blocking), preflight.summary(findings))
    return result, warnings, failure


def run_module():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    result, warnings, failure = outcome(module.params)
    for warning in warnings:
        module.warn(warning)
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


def main():
    run_module()


if __name__ == "__main__":
    main()
