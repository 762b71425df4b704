#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lcs_database_refresh
short_description: Refresh a Dynamics 365 F&O sandbox database from another environment through LCS
version_added: 1.0.0
description:
  - Copies the databases of O(source_environment_id) (Production or Sandbox) into the sandbox
    O(target_environment_id) with the LCS database movement API and, by default, waits until LCS has finished.
  - B(Idempotent against the target's LCS history.) A refresh already running on the target is joined, never
    started twice, so re-running the task after the controller died waits on the same operation. With
    O(not_before) and/or O(max_age) a refresh of the target that succeeded and started inside that window counts as
    done (RV(action=none), not changed). Without either, every run starts a new refresh once the previous one has
    finished.
  - "Refused before any call that changes something: a Production or Tier-1 (cloud-hosted, DevTestDev) target,
    a source that is not Production or Sandbox, source equal to target, malformed ids, environments that are not in
    the project, and a target that is busy with another operation."
  - LCS allows three refresh/export starts per environment in 24 hours; a refused start fails with RV(next_allowed_at).
  - When run through the collection's action plugin the wait prints status and elapsed time on the controller.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.auth
  - d365fo.dataalm.lcs
  - d365fo.dataalm.wait
attributes:
  check_mode:
    support: full
    description: Makes no change and never waits; reports the RV(action) it would take.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  source_environment_id:
    description:
      - Id (GUID, dashes optional) of the Production or Sandbox environment to copy from.
    type: str
    required: true
  target_environment_id:
    description:
      - Id (GUID, dashes optional) of the sandbox to overwrite. Its database is replaced.
    type: str
    required: true
  not_before:
    description:
      - ISO 8601 timestamp with a time zone. A refresh of the target that started at or after it and succeeded
        counts as done.
    type: str
  max_age:
    description:
      - Duration such as V(12h), V(1d) or V(1d12h). A refresh of the target that started within this age and
        succeeded counts as done. Combined with O(not_before), the later bound wins.
    type: str
  operation_id:
    description:
      - Id of a refresh operation to follow instead of starting one, for example from an earlier run with
        O(wait=false).
    type: str
"""

EXAMPLES = r"""
- name: Refresh UAT from production, unless that already happened today
  d365fo.dataalm.lcs_database_refresh:
    client_id: "{{ lcs_client_id }}"
    username: "{{ lcs_username }}"
    password: "{{ lcs_password }}"
    project_id: 1234567
    source_environment_id: 11111111-1111-4111-8111-111111111111
    target_environment_id: 22222222-2222-4222-8222-222222222222
    max_age: 20h
  register: refresh

- name: Start without waiting and follow it later
  d365fo.dataalm.lcs_database_refresh:
    source_environment_id: 11111111-1111-4111-8111-111111111111
    target_environment_id: 22222222-2222-4222-8222-222222222222
    wait: false
  register: started

- name: Wait for it in a later task
  d365fo.dataalm.lcs_operation_info:
    environment_id: 22222222-2222-4222-8222-222222222222
    operation_id: "{{ started.operation_id }}"
    wait: true
"""

RETURN = r"""
operation_id:
  description: LCS activity id of the refresh; null in check mode when a refresh would be started.
  returned: always
  type: str
  sample: 6a90b45f-0a8c-4c8e-9b5e-3d2f1e0c9b7a
status:
  description: Last LCS status, for example V(InProgress), V(Completed), V(Failed), V(RollbackCompleted).
  returned: always
  type: str
state:
  description: Normalized state, one of V(pending), V(running), V(succeeded), V(failed), V(rolled_back), V(unknown).
  returned: always
  type: str
action:
  description: V(started) (a new refresh), V(joined) (one already running) or V(none) (already done).
  returned: success
  type: str
started_at:
  description: When the refresh started, ISO 8601 UTC.
  returned: always
  type: str
completed_at:
  description: When LCS reported it complete, ISO 8601 UTC; null while running.
  returned: always
  type: str
duration_seconds:
  description: Seconds between start and completion, when both are known.
  returned: always
  type: int
error_message:
  description: LCS's error text for a failed operation.
  returned: when LCS gave one
  type: str
next_allowed_at:
  description: When LCS will accept the next start, after a refusal for the 3-per-24-hours limit.
  returned: on quota failures
  type: str
timed_out:
  description: True when the wait ended at O(wait_timeout); the operation keeps running in LCS.
  returned: on timeout
  type: bool
api_calls:
  description: HTTP calls made to LCS (including retries).
  returned: when LCS was called
  type: int
api_retries:
  description: Calls retried because of throttling, server errors or dropped connections.
  returned: when LCS was called
  type: int
api_retry_reasons:
  description: Retried calls by cause (HTTP status or C(connection)), when any call was retried.
  returned: when a call was retried
  type: dict
  sample: {"429": 3, "503": 1}
http_status:
  description: HTTP status of the LCS call that failed.
  returned: on failures of an LCS call
  type: int
request_id:
  description: LCS activity or request id of the call that failed, for a support case.
  returned: on failures of an LCS call
  type: str
activity_id:
  description: C(OperationActivityId) LCS returned with a refusal.
  returned: on LCS refusals
  type: str
aadsts:
  description: Entra ID error code (without the C(AADSTS) prefix) when the token request was refused.
  returned: on authentication failures
  type: str
  sample: "50076"
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs import rules
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.module import LcsModule, environment_by_id, movement
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.options import wait_argument_spec
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import InputError

TARGET_REFUSALS = {
    "production": "target {name} ({id}) is a Production environment; LCS refreshes only into sandboxes, and "
                  "overwriting production is never done by this module: choose a Sandbox target",
    "tier1": "target {name} ({id}) is a Tier-1 / cloud-hosted environment ({type}, {infrastructure}); LCS cannot "
             "refresh into it: export a sandbox (lcs_database_export) and import the bacpac instead, or choose a "
             "Sandbox target",
    "not_sandbox": "target {name} has type {type}; LCS refreshes only into Sandbox environments",
}


def refresh_spec():
    spec = dict(
        source_environment_id=dict(type="str", required=True),
        target_environment_id=dict(type="str", required=True),
        not_before=dict(type="str"),
        max_age=dict(type="str"),
        operation_id=dict(type="str"),
    )
    spec.update(wait_argument_spec())
    return spec


def check_pair(lm, source, target):
    """The environment rules, from the project's metadata, before anything can change."""
    target_facts = environment_by_id(lm, target, "target")
    source_facts = environment_by_id(lm, source, "source")
    problem = rules.target_problem(target_facts)
    if problem is not None:
        raise InputError(TARGET_REFUSALS[problem].format(
            name=target_facts["name"], id=target, type=target_facts.get("type") or "unknown",
            infrastructure=target_facts.get("infrastructure")))
    if not rules.source_allowed("refresh", source_facts):
        raise InputError("source %s has type %s; LCS refreshes only from Production or Sandbox environments; "
                         "choose one of those as source" % (source_facts["name"], source_facts.get("type")))


def main():
    lm = LcsModule(argument_spec=refresh_spec())
    lm.require_project()
    source = lm.guid("source_environment_id")
    target = lm.guid("target_environment_id")
    if rules.same_environment(source, target):
        lm.fail("source_environment_id and target_environment_id are the same environment (%s); a refresh copies "
                "another environment into the target, so pick a different source" % source, changed=False)
    if lm.params["operation_id"] is not None:
        lm.guid("operation_id")
    lm.run(lambda: movement(lm, "refresh", target, start=lambda: lm.client.start_refresh(source, target),
                            preflight=lambda: check_pair(lm, source, target)))


if __name__ == "__main__":
    main()
