#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dataverse_code_info
short_description: The code of a linked environment (Dataverse solutions and F&O package deployments)
version_added: 1.1.0
description:
  - Lists the solutions installed in the organisation (name, version, managed) and the F&O package deployments its
    package history holds (C(packagehistories); a unified environment's packages are deployed through Dataverse),
    sorted by name. Recorded before a movement of a linked pair and read again after it, it shows the code drift
    (M(d365fo.dataalm.dataalm_code_drift_info)).
  - The package-history column names are partly inferred (see C(docs/linked-environments.md)); an organisation
    without a package history returns RV(package_history) null.
  - Read-only.
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
"""

EXAMPLES = r"""
- name: Record the sandbox's code before the movement
  d365fo.dataalm.dataverse_code_info:
    organization_url: https://contoso-uat.crm4.dynamics.com
  register: code_before
"""

RETURN = r"""
solutions:
  description: The solutions, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Unique name.
      type: str
    version:
      description: Version, for example V(9.0.4.5).
      type: str
    managed:
      description: Whether the solution is managed.
      type: bool
    installed_on:
      description: When it was installed or upgraded (or last modified, when the service gives no install time).
      type: str
read_at:
  description: The service's time of the reading (from its C(Date) header), so later comparisons do not depend on
    the controller's clock.
  returned: always
  type: str
package_history:
  description: F&O package deployments, oldest first, each with C(name), C(version) and C(deployed_at); null when
    the organisation keeps no package history.
  returned: always
  type: list
  elements: dict
packages:
  description: The newest version of each deployed package, by package name; null without a package history.
  returned: always
  type: dict
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

from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.module import DataverseModule
from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.code import inventory


def main():
    dm = DataverseModule({})
    dm.run(lambda: dict(changed=False, **inventory(dm.web_api)))


if __name__ == "__main__":
    main()
