#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dataverse_dualwrite_runtime_config
short_description: Delete the dual-write runtime configuration a copied or restored Dataverse carries
version_added: 1.1.0
description:
  - After a copy, restore or refresh of a linked pair, the target Dataverse holds the B(source) pair's dual-write
    runtime configuration (table C(msdyn_dualwriteruntimeconfig), "Dual Write Runtime Configurations"), which makes
    dual-write fail with C(SecureConfig Organization (X) does not match actual CRM Organization (Y)) or move data
    unexpectedly. Microsoft's clean-up deletes every row; this module does that through the Dataverse Web API.
  - Deletes only rows that exist, so a second run reports no change. Returns the names of the rows, never their
    connection details.
  - The dual-write B(Reset link) that follows has no supported API; see C(docs/linked-environments.md).
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.powerplatform
  - d365fo.dataalm.dataverse
attributes:
  check_mode:
    support: full
    description: Lists the rows that would be deleted; deletes nothing.
  diff_mode:
    support: full
    description: The row names before and after.
options:
  state:
    description:
      - V(absent) is the only state; the rows are never created by this collection.
    type: str
    choices: [absent]
    default: absent
"""

EXAMPLES = r"""
- name: Remove the source pair's dual-write runtime configuration from the copied sandbox
  d365fo.dataalm.dataverse_dualwrite_runtime_config:
    organization_url: https://contoso-uat.crm4.dynamics.com
    state: absent
"""

RETURN = r"""
deleted:
  description: The rows deleted (in check mode, that would be deleted).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Row id (C(msdyn_dualwriteruntimeconfigid)).
      type: str
    name:
      description: C(msdyn_name).
      type: str
    internal_entity:
      description: C(msdyn_internalentityname).
      type: str
    external_entity:
      description: C(msdyn_externalentityname).
      type: str
remaining:
  description: Rows left after the task (0 after a real run; in check mode the rows there are now).
  returned: always
  type: int
msg:
  description: What was done.
  returned: always
  type: str
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
from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.runtime_config import clear


def main():
    dm = DataverseModule(dict(state=dict(type="str", choices=["absent"], default="absent")))

    def body():
        result = clear(dm.web_api, dm.check_mode)
        names = [row["name"] or row["id"] for row in result["deleted"]]
        result["diff"] = dict(before={"rows": names}, after={"rows": []})
        verb = "would delete" if dm.check_mode else "deleted"
        result["msg"] = ("%s %d runtime configuration row(s)" % (verb, len(names)) if names
                         else "no dual-write runtime configuration rows")
        return result

    dm.run(body)


if __name__ == "__main__":
    main()
