#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dataverse_outbound_integrations
short_description: Disable or re-point Dataverse service endpoints, webhooks and flows outside an allow-list
version_added: 1.1.0
description:
  - A copied or restored Dataverse keeps the source's service endpoints (Service Bus, Event Hub, Event Grid),
    webhooks and flows, which still send to the source's (often production's) systems. This module finds every one
    whose address is outside O(allow_list), the systems the B(target) may talk to, and neutralises it.
  - A service endpoint or webhook whose address starts with a key of O(repoint) gets that prefix replaced by its
    value (the target's own system). Any other endpoint outside the list is neutralised by disabling the
    C(sdkmessageprocessingsteps) that send to it (an endpoint has no on/off switch of its own).
  - A flow (C(workflows), category 5) whose definition (C(clientdata)) names URLs outside the list is re-pointed when
    O(repoint) maps every one of them - the URLs are rewritten in its definition and the flow keeps its state (a flow
    that is off stays off, but a later switch-on then talks to the target's systems). Any other flow with an outside
    URL that is on is turned off. The definition's C($schema) URL is no target and is ignored.
  - A flow's connector actions reach their systems through connection references, whose connection is not
    readable in Dataverse; O(connection_references) re-points them at the target's own connections (the documented
    way to move solution flows to other connections).
  - Changes only what still points outside while active (or is mapped and not yet re-pointed), so a second run
    reports no change.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.powerplatform
  - d365fo.dataalm.dataverse
attributes:
  check_mode:
    support: full
    description: Lists what would be disabled or re-pointed; changes nothing.
  diff_mode:
    support: full
    description: What still points outside while active, before and after.
options:
  allow_list:
    description:
      - The systems the target may talk to. Each entry is a host (V(contoso-uat.servicebus.windows.net)), a wildcard
        host (V(*.contoso-test.com)) or a URL prefix (V(https://hooks.contoso.com/uat/)).
      - An empty list neutralises every endpoint, webhook and flow that names an address.
    type: list
    elements: str
    required: true
  repoint:
    description:
      - "Address prefixes of the source mapped to the target's, for example
        C({'sb://contoso-prod.servicebus.windows.net/': 'sb://contoso-uat.servicebus.windows.net/'})."
      - Applies to the addresses of service endpoints and webhooks and to the URLs in flow definitions.
      - Every target must itself be allowed by O(allow_list), or the task fails before any change.
    type: dict
    default: {}
  connection_references:
    description:
      - "Connection reference logical names (C(connectionreferencelogicalname)) mapped to the id of the target's own
        connection to use (C(connectionid), the connection's id in API hub), for example
        C({'contoso_sharedsql_ref': 'shared-sql-4c1e...'})."
      - A name the organisation has no connection reference for fails the task before any change.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Keep the copied sandbox away from production's Service Bus, webhooks and flows
  d365fo.dataalm.dataverse_outbound_integrations:
    organization_url: https://contoso-uat.crm4.dynamics.com
    allow_list:
      - "*.contoso-test.com"
      - contoso-uat.servicebus.windows.net
    repoint:
      "sb://contoso-prod.servicebus.windows.net/": "sb://contoso-uat.servicebus.windows.net/"
      "https://erp.contoso.com/": "https://erp.contoso-test.com/"
    connection_references:
      contoso_sharedsql_ref: "{{ uat_sql_connection_id }}"
"""

RETURN = r"""
actions:
  description: The changes made (in check mode, that would be made).
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: V(endpoint) (re-pointed), V(step) (a step sending to an endpoint, disabled), V(flow) (re-pointed or
        turned off) or V(connection_reference) (re-pointed at another connection).
      type: str
    name:
      description: Name of the endpoint, step or flow.
      type: str
    action:
      description: V(repoint) or V(disable).
      type: str
    url:
      description: The address outside the allow-list (for a connection reference, the connection id it held).
      type: str
    to:
      description: The new address or connection id (V(repoint) only).
      type: str
outside:
  description:
    - Every endpoint, webhook and flow still naming an address outside the allow-list after the task (in check mode,
      now), with C(on) telling whether it can still send. After a real run no entry is C(on).
  returned: always
  type: list
  elements: dict
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

from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.connection_references import check_mapping
from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.module import DataverseModule
from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.outbound import check_repoint
from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.outbound_task import neutralise


def main():
    dm = DataverseModule(dict(allow_list=dict(type="list", elements="str", required=True),
                              repoint=dict(type="dict", default={}),
                              connection_references=dict(type="dict", default={})))
    allow_list, repoint = dm.params["allow_list"], {str(k): str(v) for k, v in dm.params["repoint"].items()}
    connections = {str(k): str(v or "").strip() for k, v in dm.params["connection_references"].items()}
    problems = check_repoint(allow_list, repoint) + check_mapping(connections)
    if problems:
        dm.fail("; ".join(problems) + ": add the target to allow_list or correct repoint / connection_references",
                changed=False)

    def body():
        result = neutralise(dm.web_api, allow_list, repoint, dm.check_mode, connections)
        active_before = sorted("%s %s" % (a["kind"], a["name"]) for a in result["actions"])
        result["diff"] = dict(before={"active_outside": active_before}, after={"active_outside": []})
        verb = "would neutralise" if dm.check_mode else "neutralised"
        result["msg"] = ("%s %d endpoint step(s), endpoint(s), flow(s) or connection reference(s)"
                         % (verb, len(result["actions"]))
                         if result["actions"] else "nothing active points outside the allow-list")
        return result

    dm.run(body)


if __name__ == "__main__":
    main()
