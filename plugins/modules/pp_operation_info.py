#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: pp_operation_info
short_description: Status of a Power Platform lifecycle operation, or an environment's recent operations
version_added: 1.1.0
description:
  - With O(operation_id), reads one operation (restore, copy, backup, reset and other lifecycle operations) and,
    with O(wait=true), polls until it has finished or O(wait_timeout) passes. A wait that ends in V(Failed) or
    V(ValidationFailed) fails the task with the service's error.
  - With only O(environment_id), lists the environment's recent operations, newest first.
  - Reads the documented C(status) and also accepts C(state), which Microsoft's own 2026 scripts poll; unknown
    values are reported as they are and treated as still running.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.powerplatform
  - d365fo.dataalm.powerplatform_wait
attributes:
  check_mode:
    support: full
    description: Reads the status once and never waits.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  environment_id:
    description:
      - Environment the operation runs on. With O(operation_id) the environment-scoped route is used (environment
        permissions suffice); without it, the environment's recent operations are listed.
    type: str
  operation_id:
    description:
      - Id of one operation. Without O(environment_id) the tenant-wide route is used.
    type: str
  limit:
    description:
      - How many recent operations to list when O(operation_id) is not given.
    type: int
    default: 20
  wait:
    default: false
  wait_timeout:
    default: 90000
  poll_interval:
    default: 60
"""

EXAMPLES = r"""
- name: Wait for a restore to finish
  d365fo.dataalm.pp_operation_info:
    environment_id: 2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b
    operation_id: "{{ restore.operation_id }}"
    wait: true

- name: What ran on the environment lately
  d365fo.dataalm.pp_operation_info:
    environment_id: 2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b
  register: recent
"""

RETURN = r"""
operation_id:
  description: The operation id.
  returned: with O(operation_id)
  type: str
name:
  description: What the operation does, as the service names it (for example V(Restore), V(Copy)).
  returned: with O(operation_id)
  type: str
status:
  description: The service's status, for example V(Queued), V(InProgress), V(Succeeded), V(Failed),
    V(ValidationFailed), V(NoOperation), V(ValidationPassed).
  returned: with O(operation_id)
  type: str
state:
  description: Normalised state, one of V(pending), V(running), V(succeeded), V(failed), V(unknown).
  returned: with O(operation_id)
  type: str
done:
  description: Whether the operation has finished (successfully or not).
  returned: with O(operation_id)
  type: bool
started_at:
  description: Start time, ISO 8601 UTC.
  returned: with O(operation_id)
  type: str
completed_at:
  description: End time, ISO 8601 UTC; null while running.
  returned: with O(operation_id)
  type: str
requested_by:
  description: Who started it.
  returned: with O(operation_id)
  type: str
error_message:
  description: The service's error code and field errors of a failed operation.
  returned: with O(operation_id)
  type: str
stages:
  description: Stage statuses (name, status, started_at, completed_at).
  returned: with O(operation_id)
  type: list
  elements: dict
operations:
  description: The environment's recent operations (the same keys as above), newest first.
  returned: without O(operation_id)
  type: list
  elements: dict
timed_out:
  description: True when the wait ended at O(wait_timeout); the operation keeps running.
  returned: on timeout
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

from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.module import PpModule
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.options import (
    check_environment_id, check_guid, wait_argument_spec)
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.operations import follow, recent


def main():
    spec = dict(environment_id=dict(type="str"), operation_id=dict(type="str"), limit=dict(type="int", default=20))
    spec.update(wait_argument_spec(wait_default=False))
    pm = PpModule(spec, required_one_of=[("environment_id", "operation_id")])
    p = pm.params
    environment_id = p["environment_id"] and pm.checked(check_environment_id, p["environment_id"])
    operation_id = p["operation_id"] and pm.checked(check_guid, p["operation_id"], "operation_id")
    if p["limit"] <= 0:
        pm.fail("limit must be a positive number of operations; got %s" % p["limit"])
    if p["wait"] and not operation_id:
        pm.fail("wait needs operation_id: give the id of the operation to wait for", changed=False)

    def body():
        if operation_id:
            return follow(pm, operation_id, environment_id, wait=p["wait"] and not pm.check_mode)
        return dict(changed=False, operations=recent(pm.client, environment_id, p["limit"]))

    pm.run(body)


if __name__ == "__main__":
    main()
