#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: pp_environment_info
short_description: Facts about Power Platform environments, including the linked finance and operations environment
version_added: 1.1.0
description:
  - Lists every Power Platform environment the identity can see (all pages), or reads one.
  - Each environment is normalised to snake_case facts - type, state, region, Dataverse URL, admin mode, background
    operations, the restore window, and the linked finance and operations (F&O) environment with whether it is
    B(unified) (managed in the Power Platform admin center) or B(LCS-managed).
  - Unified versus LCS-managed comes from the F&O properties route (C(deploymentType)); when the identity may not
    read them, from C(finOpsMetadata.type), and RV(notes) says so.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.powerplatform
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  environment_id:
    description:
      - Id of one environment (a GUID, or C(Default-<tenant id>)). Omit it to list all environments.
    type: str
  capacity:
    description:
      - Also read the tenant's free Dataverse database capacity (one extra call, tenant-wide rights).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: All environments
  d365fo.dataalm.pp_environment_info:
    client_id: "{{ pp_client_id }}"
    client_secret: "{{ pp_client_secret }}"
    tenant_id: contoso.onmicrosoft.com
  register: pp

- name: The unified environments only
  ansible.builtin.debug:
    msg: "{{ pp.environments | selectattr('finops_management', 'equalto', 'unified') | map(attribute='name') }}"

- name: One environment
  d365fo.dataalm.pp_environment_info:
    environment_id: 2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b
  register: uat
"""

RETURN = r"""
environments:
  description: The environments, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Environment id.
      type: str
    name:
      description: Display name.
      type: str
    type:
      description: Environment type as the service spells it, for example V(Production), V(Sandbox), V(Developer).
      type: str
    state:
      description: Environment state as the service spells it, for example V(Ready).
      type: str
    region:
      description: Azure region.
      type: str
    geo:
      description: Geography.
      type: str
    url:
      description: Dataverse organisation URL; null without Dataverse.
      type: str
    dataverse:
      description: Whether the environment has a Dataverse database (LCS initial environments do not).
      type: bool
    dataverse_id:
      description: Dataverse organisation id.
      type: str
    dataverse_version:
      description: Dataverse version.
      type: str
    admin_mode:
      description: V(enabled), V(disabled), or null when the service did not say.
      type: str
    background_operations:
      description: V(enabled), V(disabled), or null when the service did not say.
      type: str
    retention_available_from:
      description: Earliest point in time a restore can go back to (C(retentionDetails.availableFromDateTime)), ISO
        8601 UTC.
      type: str
    retention_period:
      description: Backup retention period as the service gives it, for example V(P7D).
      type: str
    finops_environment_id:
      description: Id of the linked finance and operations environment (the LCS environment id for LCS-managed ones).
      type: str
    finops_url:
      description: URL of the linked finance and operations environment.
      type: str
    finops_link_type:
      description: C(finOpsMetadata.type) as the service gives it.
      type: str
    finops_deployment_type:
      description: C(deploymentType) of the F&O properties, for example V(UnifiedSandbox) or V(LCSProduction); null
        when they could not be read.
      type: str
    finops_management:
      description: V(unified) (managed in the Power Platform admin center), V(lcs) (LCS-managed) or null (no F&O, or
        not known).
      type: str
    free_capacity_mb:
      description: The tenant's free Dataverse database capacity in MB (capacity is pooled per tenant); null when
        unknown. Restore and copy need at least 1024 MB when the tenant is over capacity.
      type: float
notes:
  description: Why some facts fell back or are unknown (for example F&O properties not readable by the identity).
  returned: always
  type: list
  elements: str
api_calls:
  description: HTTP calls made (including retries).
  returned: when the service was called
  type: int
api_retries:
  description: Calls retried because of throttling, server errors or dropped connections.
  returned: when the service was called
  type: int
http_status:
  description: HTTP status of the call that failed.
  returned: on failure of a call
  type: int
error_code:
  description: The service's error code of the call that failed.
  returned: on failure of a call, when the service gave one
  type: str
request_id:
  description: Request id of the call that failed, for a support case.
  returned: on failure of a call
  type: str
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.environments import describe
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.module import PpModule
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.options import check_environment_id


def main():
    pm = PpModule(dict(environment_id=dict(type="str"), capacity=dict(type="bool", default=True)))
    environment_id = pm.params["environment_id"]
    if environment_id is not None:
        environment_id = pm.checked(check_environment_id, environment_id)

    def body():
        environments, notes = describe(pm.client, environment_id, with_capacity=pm.params["capacity"])
        return dict(changed=False, environments=environments, notes=notes)

    pm.run(body)


if __name__ == "__main__":
    main()
