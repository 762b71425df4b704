#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dataverse_virtual_entity_refresh
short_description: Refresh the metadata of generated finance and operations virtual entities, one at a time
version_added: 1.1.0
description:
  - Sets C(mserp_refresh) on generated rows of "Available finance and operations entities"
    (C(mserp_financeandoperationsentities)), so Dataverse resyncs their metadata from F&O after a movement or a code
    change. The service refreshes asynchronously and parallel refreshes hit lock errors, so the module refreshes one
    entity at a time and waits until each ends (C(mserp_refresh) reads false again).
  - An entity modified at or after O(refreshed_since) counts as refreshed, so a second run after the same movement
    changes nothing. Without O(refreshed_since) every chosen entity is refreshed on every run.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.powerplatform
  - d365fo.dataalm.powerplatform_wait
  - d365fo.dataalm.dataverse
attributes:
  check_mode:
    support: full
    description: Lists the entities that would be refreshed; refreshes nothing.
  diff_mode:
    support: none
    description: A refresh changes no value a diff could show.
options:
  entities:
    description:
      - Physical names of the entities to refresh (C(mserp_physicalname), for example V(CustCustomerV3Entity)).
        Every generated entity when omitted. A named entity that is not generated fails the task before any change.
    type: list
    elements: str
    default: []
  refreshed_since:
    description:
      - ISO 8601 instant with a zone, typically the end of the movement; entities modified since then are skipped.
    type: str
  wait:
    description:
      - Wait for each refresh to end before the next starts (refreshes must not overlap); V(false) fails at the
        first entity that is still refreshing.
    default: true
  wait_timeout:
    description:
      - Seconds to wait for B(each) entity's refresh.
    default: 1800
  poll_interval:
    description:
      - Seconds between reads of a refreshing entity.
    default: 10
"""

EXAMPLES = r"""
- name: Resync the virtual entities after the movement, one at a time
  d365fo.dataalm.dataverse_virtual_entity_refresh:
    organization_url: https://contoso-uat.crm4.dynamics.com
    refreshed_since: "2026-03-02T12:00:00Z"
"""

RETURN = r"""
refreshed:
  description: The entities refreshed, in order, with the time each ended (in check mode, that would be refreshed).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Physical name.
      type: str
    ended:
      description: When its refresh ended (C(modifiedon)); null in check mode.
      type: str
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

import time

from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.module import DataverseModule
from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.virtual_entities import (
    FIELDS, ENTITY_SET, RefreshTimeout, due, missing, refresh_one)
from ansible_collections.d365fo.dataalm.plugins.module_utils._dates import parse_datetime
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.options import wait_argument_spec


def main():
    spec = dict(entities=dict(type="list", elements="str", default=[]), refreshed_since=dict(type="str"))
    spec.update(wait_argument_spec(wait_timeout=1800, poll_interval=10))
    dm = DataverseModule(spec)
    raw = dm.params["refreshed_since"]
    since = parse_datetime(raw, naive_is_utc=False) if raw else None
    if raw and (since is None or since.tzinfo is None):
        dm.fail("refreshed_since must be an ISO 8601 instant with a zone, for example 2026-03-02T12:00:00Z; got %r"
                % raw, changed=False)

    def body():
        rows = dm.web_api.rows(ENTITY_SET, FIELDS)
        unknown = missing(rows, dm.params["entities"])
        if unknown:
            dm.fail("entities not generated in this organisation: %s; generate them first (make them visible) or "
                    "remove them from entities" % ", ".join(unknown), changed=False)
        chosen = due(rows, dm.params["entities"], since)
        names = [row["mserp_physicalname"] for row in chosen]
        if dm.check_mode or not chosen:
            return dict(changed=bool(chosen), refreshed=[{"name": n, "ended": None} for n in names],
                        msg=("would refresh %s" % ", ".join(names)) if names else "every entity is refreshed already")
        refreshed = [{"name": row["mserp_physicalname"], "ended": _refresh(dm, row)} for row in chosen]
        return dict(changed=True, refreshed=refreshed, msg="refreshed %s, one at a time" % ", ".join(names))

    dm.run(body)


def _refresh(dm, row):
    deadline = time.monotonic() + dm.params["wait_timeout"]

    def wait():
        if not dm.params["wait"] or time.monotonic() >= deadline:
            raise RefreshTimeout("the metadata refresh of %s did not end within %s s; re-run later (entities already "
                                 "refreshed are skipped with refreshed_since)"
                                 % (row["mserp_physicalname"], dm.params["wait_timeout"]))
        dm.lifeline.sleep(dm.params["poll_interval"])

    return refresh_one(dm.web_api, row, wait, lambda text: None)


if __name__ == "__main__":
    main()
