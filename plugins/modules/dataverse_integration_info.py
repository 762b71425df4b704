#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dataverse_integration_info
short_description: Which finance and operations environment a Dataverse organisation is integrated with
version_added: 1.1.0
description:
  - Calls C(RetrieveFinanceAndOperationsIntegrationDetails) on the organisation. Virtual entities call the F&O
    environment it names, so after a movement of a linked pair it must name the B(target's) F&O URL.
  - Read-only. An organisation that is not integrated (error C(0x80048d0b)) returns RV(linked) false instead of
    failing, so a playbook can decide.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.powerplatform
  - d365fo.dataalm.dataverse
attributes:
  check_mode:
    support: full
    description: Reads in check mode too.
  diff_mode:
    support: none
    description: Reads only; there is nothing to diff.
options:
  expected_finops_url:
    description:
      - The F&O URL the organisation should be integrated with; RV(matches) compares it (case and a trailing slash
        ignored).
    type: str
"""

EXAMPLES = r"""
- name: Virtual entities of the copied sandbox must call the sandbox's F&O
  d365fo.dataalm.dataverse_integration_info:
    organization_url: https://contoso-uat.crm4.dynamics.com
    expected_finops_url: https://contoso-uat.sandbox.operations.dynamics.com
  register: integration
  failed_when: not integration.matches
"""

RETURN = r"""
linked:
  description: Whether the organisation is integrated with a finance and operations environment.
  returned: always
  type: bool
url:
  description: The F&O URL it is integrated with (C(Url)).
  returned: always
  type: str
tenant_id:
  description: C(TenantId).
  returned: always
  type: str
finops_environment_id:
  description: C(Id), the F&O environment id.
  returned: always
  type: str
matches:
  description: Whether RV(url) is O(expected_finops_url); null without it.
  returned: always
  type: bool
api_calls:
  description: HTTP calls made (including retries).
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

from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.integration import details
from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.module import DataverseModule


def main():
    dm = DataverseModule(dict(expected_finops_url=dict(type="str")))
    dm.run(lambda: dict(details(dm.web_api, dm.params["expected_finops_url"]), changed=False))


if __name__ == "__main__":
    main()
