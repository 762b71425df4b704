#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lcs_operation_info
short_description: Status of one LCS database operation, optionally waiting until it has finished
version_added: 1.0.0
description:
  - Reads the status of a database refresh or export with the LCS fetch-status API.
  - With O(wait=true) polls until the operation has finished or O(wait_timeout) passes; throttling, server errors
    and token expiry during the wait are handled. A wait that ends in V(Failed), V(Aborted) or a rollback fails the
    task with LCS's error text.
  - The collection's action plugin prints status and elapsed time on the controller while waiting.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.auth
  - d365fo.dataalm.lcs
  - d365fo.dataalm.wait
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
      - Environment the operation runs on (GUID, dashes optional); the B(target) of a refresh, the exported
        environment of an export.
    type: str
    required: true
  operation_id:
    description:
      - Operation (activity) id returned when the operation was started.
    type: str
    required: true
  wait:
    default: false
"""

EXAMPLES = r"""
- name: Read the status of a refresh once
  d365fo.dataalm.lcs_operation_info:
    environment_id: 22222222-2222-4222-8222-222222222222
    operation_id: "{{ refresh.operation_id }}"
  register: op

- name: Wait up to 25 hours for it
  d365fo.dataalm.lcs_operation_info:
    environment_id: 22222222-2222-4222-8222-222222222222
    operation_id: "{{ refresh.operation_id }}"
    wait: true
"""

RETURN = r"""
operation_id:
  description: The operation id, lower-case with dashes.
  returned: always
  type: str
status:
  description: LCS status, for example V(NotStarted), V(InProgress), V(Completed), V(SignedOff), V(Failed),
    V(RollbackInProgress), V(RollbackCompleted).
  returned: always
  type: str
state:
  description: Normalized state, one of V(pending), V(running), V(succeeded), V(failed), V(rolled_back), V(unknown).
  returned: always
  type: str
type:
  description: LCS operation type from the environment history, for example V(SFSourceDbToSandbox).
  returned: when the history lists the operation
  type: str
done:
  description: Whether the operation has finished (successfully or not).
  returned: always
  type: bool
started_at:
  description: Start time from the environment history, ISO 8601 UTC.
  returned: always
  type: str
completed_at:
  description: Completion time, ISO 8601 UTC; null while running.
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

from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.history import fetch_operation, history_operations
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.module import LcsModule
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.options import wait_argument_spec
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.provider import LcsMovement
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import OperationFailed
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.operation import operation_result


def follow(lm, environment, operation_id):
    """The operation's status, waiting for its end when asked to; fails when it ended without success."""
    client = lm.client
    # informative (when it started, which kind): this run's read of the history serves, where there is one
    known = [op for op in history_operations(client.history(environment, fresh=False))
             if op.operation_id == operation_id]
    started_at = known[0].started_at if known else None
    kind = known[0].kind if known else None

    def fetch():
        return fetch_operation(client, environment, operation_id, started_at=started_at, kind=kind)

    waiting = lm.params["wait"] and not lm.check_mode
    operation = lm.waiter(fetch).wait().operation if waiting else fetch()
    result = dict(changed=False, done=operation.done, type=kind)
    result.update(operation_result(operation))
    if waiting and operation.done and not operation.succeeded:
        raise OperationFailed("operation %s ended with status %s (%s): %s" % (
            operation_id, operation.status, operation.state,
            operation.error_message or LcsMovement.no_error_text), details=result)
    return result


def main():
    spec = dict(
        environment_id=dict(type="str", required=True),
        operation_id=dict(type="str", required=True),
    )
    spec.update(wait_argument_spec(wait_default=False))
    lm = LcsModule(argument_spec=spec)
    lm.require_project()
    environment = lm.guid("environment_id")
    operation_id = lm.guid("operation_id")
    lm.run(lambda: follow(lm, environment, operation_id))


if __name__ == "__main__":
    main()
