#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: linked_pair_info
short_description: Find the Dataverse environment linked to an LCS environment, or the other way round
version_added: 1.2.0
description:
  - An LCS-managed finance and operations (F&O) environment with Power Platform integration and its Dataverse
    environment are one environment for database movements (Microsoft's guidance); this module finds the pair so
    that an inventory names one id per environment.
  - From the Power Platform side (O(environment_id)) the link is read from C(finOpsMetadata) of the Power Platform
    API, or from C(linkedAppMetadata) of the BAP admin API where the first is absent.
  - From the LCS side (O(lcs_environment_id)) every Power Platform environment is listed and the one whose link
    names the LCS environment id (dashed or dashless) is taken; failing that, the one whose link names O(finops_url).
  - An LCS environment whose Power Platform environment has no Dataverse (the initial environment LCS creates), or
    that no Power Platform environment names, is B(a pair of one) (RV(pair.kind=single)) - only its F&O side moves.
  - Reads only; the BAP admin API is asked only when C(finOpsMetadata) is missing, and its failure becomes a note.
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
  lcs_environment_id:
    description:
      - Id of the LCS environment (GUID, dashes optional). Mutually exclusive with O(environment_id).
    type: str
  finops_url:
    description:
      - URL of the LCS environment (C(url) of M(d365fo.dataalm.lcs_environment_info)), matched when no link names
        O(lcs_environment_id).
    type: str
  environment_id:
    description:
      - Id of the Power Platform environment. Mutually exclusive with O(lcs_environment_id).
    type: str
  max_age:
    description:
      - The idempotency window of the movement modules (for example V(24h)); with O(not_before) it sets
        RV(window_start), the earliest start of an operation a movement module still counts as done.
    type: str
  not_before:
    description:
      - ISO 8601 timestamp with a time zone; the later of it and now - O(max_age) is RV(window_start).
    type: str
"""

EXAMPLES = r"""
- name: The Dataverse half of the LCS sandbox contoso-uat
  d365fo.dataalm.linked_pair_info:
    lcs_environment_id: "{{ lcs_uat.environments[0].environment_id }}"
    finops_url: "{{ lcs_uat.environments[0].url }}"
  register: uat_pair

- name: Say what moves
  ansible.builtin.debug:
    msg: "{{ uat_pair.pair.message }}"
"""

RETURN = r"""
pair:
  description: The pair.
  returned: success
  type: dict
  contains:
    kind:
      description: V(linked) (an LCS environment and its Dataverse), V(single) (a pair of one, no Dataverse),
        V(unified) (one Power Platform environment holds both) or V(dataverse_only) (no F&O linked).
      type: str
    lcs_environment_id:
      description: The LCS environment id as the link or the request gives it.
      type: str
    finops_url:
      description: The F&O URL.
      type: str
    pp_environment_id:
      description: The Power Platform environment id, or null when none is linked.
      type: str
    pp_environment_name:
      description: Its display name.
      type: str
    pp_type:
      description: Its type (SKU), for example V(Sandbox).
      type: str
    tenant_id:
      description: Its tenant.
      type: str
    region:
      description: Its C(azureRegion), for example V(westeurope).
      type: str
    geo:
      description: Its geography, for example V(europe).
      type: str
    dataverse:
      description: Whether it has Dataverse.
      type: bool
    dataverse_url:
      description: The Dataverse organisation URL.
      type: str
    dataverse_version:
      description: The Dataverse version.
      type: str
    retention_period:
      description: Its backup retention as the service states it, for example V(P7D).
      type: str
    retention_available_from:
      description: The oldest restorable instant, ISO 8601 UTC.
      type: str
    link_type:
      description: The link type as the service spells it (V(Linked) LCS-managed, V(Internal) unified).
      type: str
    management:
      description: V(lcs), V(unified) or null.
      type: str
    matched_by:
      description: What matched, for example V(finOpsMetadata id), V(linkedAppMetadata url).
      type: str
    message:
      description: One sentence saying what the pair is and what moves.
      type: str
service_now:
  description: The Power Platform's current time (from its C(Date) header), ISO 8601 UTC; the pair checks judge
    retention windows by it.
  returned: success
  type: str
window_start:
  description:
    - The earliest start (service's clock, ISO 8601 UTC) of an operation that the movement modules, given the same
      O(max_age) and O(not_before), still count as done; null without either. A movement whose operations started
      before it is over, and a run with these inputs starts a new one (the role C(d365fo.dataalm.linked_pair) keeps
      its pair record only while it is not).
  returned: success
  type: str
notes:
  description: Why a fallback could not be used (for example the BAP admin API refused the identity).
  returned: always
  type: list
  elements: str
api_calls:
  description: HTTP calls made (including retries).
  returned: when the service was called
  type: int
http_status:
  description: HTTP status of the call that failed.
  returned: on failure of a call
  type: int
request_id:
  description: Request id of the call that failed, for a support case.
  returned: on failure of a call
  type: str
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils._dates import format_datetime
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.client import normalize_guid
from ansible_collections.d365fo.dataalm.plugins.module_utils._pairs.discovery import from_lcs, from_power_platform
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.planner import window_start
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.module import PpModule, parse_window, utc_now
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.options import check_environment_id


def main():
    pm = PpModule(dict(lcs_environment_id=dict(type="str"), finops_url=dict(type="str"),
                       environment_id=dict(type="str"), max_age=dict(type="str"), not_before=dict(type="str")),
                  mutually_exclusive=[("lcs_environment_id", "environment_id")],
                  required_one_of=[("lcs_environment_id", "environment_id")])
    p = pm.params
    not_before, max_age = pm.checked(parse_window, p["not_before"] or None, p["max_age"] or None, utc_now())
    if p["environment_id"] is not None:
        environment_id = pm.checked(check_environment_id, p["environment_id"])
    else:
        try:
            lcs_environment_id = normalize_guid(p["lcs_environment_id"])
        except ValueError:
            pm.fail("lcs_environment_id must be an LCS environment GUID (dashes optional); got %r"
                    % p["lcs_environment_id"], changed=False)

    def body():
        notes = []
        if p["environment_id"] is not None:
            pair = from_power_platform(pm.client, pm.bap, environment_id, notes)
        else:
            pair = from_lcs(pm.client, pm.bap, lcs_environment_id, p["finops_url"], notes)
        # the service's clock (Date header) judges retention windows, not the controller's (clock skew)
        now = pm.client.now()
        start = window_start(now or utc_now(), not_before, max_age)
        return dict(changed=False, pair=pair, notes=notes, service_now=format_datetime(now),
                    window_start=format_datetime(start) if start else None)

    pm.run(body)


if __name__ == "__main__":
    main()
