#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lcs_environment_info
short_description: Facts about Dynamics 365 F&O environments in an LCS project
version_added: 1.0.0
description:
  - Reads environment metadata (type, infrastructure, region, versions, deployment state, URL) from the LCS
    environment API, for one environment or every environment of the project.
  - With O(include_history=true) also reads each environment's recent operations, whether it is busy, and how
    many database movements started in the last 24 hours (LCS allows three).
  - Through the collection's action plugin, the hosts of one playbook run share one listing of the project and one
    history read per environment (LCS allows 6 metadata and 6 history calls per project per minute), so these facts
    are as of the first read in the run. A task with C(until) reads afresh on every try. See O(project_run_dir).
  - Read-only.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.auth
  - d365fo.dataalm.lcs
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  environment_id:
    description:
      - Id of one environment (GUID, dashes optional). Mutually exclusive with O(environment_name).
    type: str
  environment_name:
    description:
      - Name of one environment as shown in LCS. Mutually exclusive with O(environment_id).
    type: str
  include_history:
    description:
      - Also return RV(environments[].operations), RV(environments[].busy) and RV(environments[].operation_starts_24h).
      - Costs one history call per environment (LCS allows 6 per environment per 30 seconds; throttling is retried).
    type: bool
    default: false
  skip_history_when_finished:
    description:
      - With O(include_history=true), do not read the history of an environment whose metadata states that its
        most recent operation has finished (C(DeploymentState) V(Finished)); it is returned with
        RV(environments[].busy=false) and RV(environments[].history_read=false), without operations or counts.
        Any other, unknown or missing state still reads the history.
      - For checks that only ask whether something runs now, such as the source of a refresh. It spares the
        history limit LCS applies per project (6 calls per minute), which binds when many targets move at once.
      - Never for a decision that needs the 24-hour start count or past operations.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Read every environment of the project
  d365fo.dataalm.lcs_environment_info:
    client_id: "{{ lcs_client_id }}"
    username: "{{ lcs_username }}"
    password: "{{ lcs_password }}"
    project_id: 1234567
  register: lcs_envs

- name: Read the UAT sandbox with its recent operations
  d365fo.dataalm.lcs_environment_info:
    environment_name: contoso-uat
    include_history: true
  register: uat

- name: Stop when UAT is busy
  ansible.builtin.assert:
    that: not uat.environments[0].busy
"""

RETURN = r"""
environments:
  description: One element per environment.
  returned: always
  type: list
  elements: dict
  contains:
    environment_id:
      description: Environment id, lower-case with dashes.
      type: str
      sample: 22222222-2222-4222-8222-222222222222
    name:
      description: Environment name.
      type: str
      sample: contoso-uat
    project_id:
      description: LCS project number.
      type: int
    type:
      description: LCS environment type, for example V(Production), V(Sandbox), V(DevTestDev).
      type: str
    infrastructure:
      description: V(MicrosoftManaged), V(SelfService) or V(CustomerManaged).
      type: str
    group:
      description: V(Primary) or the disaster-recovery group.
      type: str
    product:
      description: Product name.
      type: str
    region:
      description: Azure region of the environment's storage.
      type: str
      sample: West Europe
    disaster_recovery_region:
      description: Disaster-recovery region, if any.
      type: str
    application_release:
      description: Application release, for example V(10.0.41).
      type: str
    application_build:
      description: Application build version.
      type: str
    platform_release:
      description: Platform update name, for example V(Update65).
      type: str
    platform_version:
      description: Platform build version.
      type: str
    topology:
      description: Topology display name.
      type: str
    deployment_state:
      description: State of the most recent deployment operation, for example V(Finished).
      type: str
    deployment_status:
      description: Deployment status shown in LCS, for example V(Deployed).
      type: str
    deployed_at:
      description: Deployment time, ISO 8601 UTC.
      type: str
    url:
      description: Environment URL.
      type: str
    can_start:
      description: Whether LCS allows starting the environment.
      type: bool
    can_stop:
      description: Whether LCS allows stopping the environment.
      type: bool
    operations:
      description: Recent operations, newest first (only with O(include_history=true)).
      type: list
      elements: dict
      returned: when O(include_history=true) and RV(environments[].history_read) is true
      contains:
        operation_id:
          description: Activity id of the operation.
          type: str
        type:
          description: LCS operation type, for example V(SFSourceDbToSandbox) (refresh) or V(SFExportSandboxDb).
          type: str
        name:
          description: Operation name.
          type: str
        status:
          description: LCS status, for example V(InProgress), V(Completed), V(RollbackCompleted).
          type: str
        state:
          description: Normalized state (V(pending), V(running), V(succeeded), V(failed), V(rolled_back), V(unknown)).
          type: str
        started_at:
          description: Start time, ISO 8601 UTC.
          type: str
        completed_at:
          description: End time, ISO 8601 UTC, or null.
          type: str
    busy:
      description: Whether an operation is still running on the environment.
      type: bool
      returned: when O(include_history=true)
    history_read:
      description:
        - Whether the environment's history was read. V(false) only with O(skip_history_when_finished=true) for an
          environment whose most recent operation has finished; operations and counts are then not returned.
      type: bool
      returned: when O(include_history=true)
    operation_starts_24h:
      description: Database refreshes and exports started in the last 24 hours (LCS allows 3).
      type: int
      returned: when O(include_history=true) and RV(environments[].history_read) is true
    next_start_allowed_at:
      description: When LCS will accept the next refresh or export start, or null when a start is allowed now.
      type: str
      returned: when O(include_history=true) and RV(environments[].history_read) is true
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

from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.client import environment_facts, same_guid
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.history import history_facts, unread_history_facts
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.module import LcsModule


def main():
    lm = LcsModule(
        argument_spec=dict(
            environment_id=dict(type="str"),
            environment_name=dict(type="str"),
            include_history=dict(type="bool", default=False),
            skip_history_when_finished=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("environment_id", "environment_name")],
    )
    lm.require_project()
    p = lm.params
    environment_id = lm.guid("environment_id") if p["environment_id"] is not None else None
    if p["environment_name"] is not None and not p["environment_name"].strip():
        lm.fail("environment_name must not be empty; give the name shown in LCS or omit it to list all environments")

    def body():
        rows = lm.client.environments(environment_id=environment_id, environment_name=p["environment_name"])
        environments = [environment_facts(row) for row in rows]
        # LCS filters server-side; filter again so a lax server can never hand back the wrong environment
        if environment_id:
            environments = [e for e in environments if same_guid(e["environment_id"], environment_id)]
        if p["environment_name"]:
            environments = [e for e in environments if (e["name"] or "").lower() == p["environment_name"].lower()]
        if (environment_id or p["environment_name"]) and not environments:
            lm.fail("environment %s was not found in LCS project %s; check the id/name (run lcs_environment_info "
                    "without a filter to list them), project_id and lcs_api_url (the project's regional host)"
                    % (environment_id or p["environment_name"], p["project_id"]), environments=[])
        if p["include_history"]:
            now = lm.client.now()
            for environment in environments:
                facts = unread_history_facts(environment, p["skip_history_when_finished"])
                if facts is None:
                    # informative: the hosts of one run share one read per environment (a start reads afresh)
                    facts = history_facts(lm.client.history(environment["environment_id"], fresh=False), now)
                environment.update(facts)
        return dict(changed=False, environments=environments)

    lm.run(body)


if __name__ == "__main__":
    main()
