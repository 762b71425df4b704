#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lcs_restore_watch
short_description: Detect a point-in-time restore started in the LCS portal and follow it to its end
version_added: 1.2.0
description:
  - LCS has no API to start a point-in-time restore of an LCS-managed environment; a person starts it in the
    portal. This module finds that restore in the environment's LCS history and follows it to its end.
  - A history row counts when it started at or after O(started_after) (when the instruction was given) and its
    type looks like a restore or is a type this module does not know (Microsoft does not document the restore's
    history type); RV(type) and RV(recognised_as) say which. The earliest such row is taken.
  - With O(wait) it waits until the row appears and ends, at most O(wait_timeout) seconds, and fails clearly when
    no restore appeared (start it in the portal and run again) or when it ended without success.
  - Reads only; changes nothing.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.auth
  - d365fo.dataalm.lcs
  - d365fo.dataalm.wait
attributes:
  check_mode:
    support: full
    description: Reads only; in check mode it looks once and does not wait.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  environment_id:
    description: Id (GUID, dashes optional) of the environment the person restores.
    type: str
    required: true
  started_after:
    description:
      - ISO 8601 instant with a zone; only a restore started at or after it counts (the time the instruction was
        printed, so an older restore is never mistaken for this one).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Wait up to 4 hours for the restore the person starts in the LCS portal
  d365fo.dataalm.lcs_restore_watch:
    environment_id: "{{ target_environment_id }}"
    started_after: "{{ instruction_printed_at }}"
    wait_timeout: 14400
    poll_interval: 60
  register: fo_restore
"""

RETURN = r"""
found:
  description: Whether a restore row was found.
  returned: always
  type: bool
type:
  description: The history type of the row found, as LCS spells it.
  returned: always
  type: str
recognised_as:
  description: V(restore) (its type or name says restore) or V(unknown) (a type this module does not know).
  returned: always
  type: str
started_after:
  description: The O(started_after) instant used.
  returned: always
  type: str
operation_id:
  description: Activity id of the restore row.
  returned: always
  type: str
status:
  description: LCS status of the row, for example V(InProgress), V(Completed).
  returned: always
  type: str
state:
  description: Normalised state (V(pending), V(running), V(succeeded), V(failed), V(rolled_back), V(unknown)).
  returned: always
  type: str
started_at:
  description: Start of the restore, ISO 8601 UTC.
  returned: always
  type: str
completed_at:
  description: End of the restore, ISO 8601 UTC, or null.
  returned: always
  type: str
timed_out:
  description: True when the wait ended at O(wait_timeout).
  returned: on timeout
  type: bool
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils._dates import parse_datetime
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.module import LcsModule
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.options import wait_argument_spec
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import (OperationFailed,
                                                                                      WaitTimeout)
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.operation import operation_result
from ansible_collections.d365fo.dataalm.plugins.module_utils._pairs.lcs_restore import (find_restore, not_yet_seen,
                                                                                        watch_result)


def watch(lm, environment, started_after):
    def fetch():
        return find_restore(lm.client.history(environment), started_after) or not_yet_seen(environment)

    waiting = lm.params["wait"] and not lm.check_mode
    try:
        operation = lm.waiter(fetch).wait().operation if waiting else fetch()
    except WaitTimeout as exc:
        result = dict(operation_result(exc.operation), **watch_result(exc.operation, lm.params["started_after"]))
        if not result["found"]:
            lm.fail("no point-in-time restore of environment %s started in LCS since %s within %d s: start it in "
                    "the LCS portal as the instruction says, then run the same playbook again (it finds the restore "
                    "and does not restore Dataverse a second time)" % (
                        environment, lm.params["started_after"], lm.params["wait_timeout"]), timed_out=True, **result)
        raise
    result = dict(changed=False, **operation_result(operation))
    result.update(watch_result(operation, lm.params["started_after"]))
    if waiting and operation.done and not operation.succeeded:
        raise OperationFailed("the restore of %s (%s, type %s) ended with status %s" % (
            environment, operation.operation_id, operation.kind, operation.status), details=result)
    return result


def main():
    spec = dict(environment_id=dict(type="str", required=True), started_after=dict(type="str", required=True))
    spec.update(wait_argument_spec(wait_default=True))
    lm = LcsModule(argument_spec=spec)
    lm.require_project()
    environment = lm.guid("environment_id")
    started_after = parse_datetime(lm.params["started_after"], naive_is_utc=False)
    if started_after is None or started_after.tzinfo is None:
        lm.fail("started_after must be an ISO 8601 instant with a zone, e.g. 2026-03-02T08:00:00Z; got %r"
                % lm.params["started_after"])
    lm.run(lambda: watch(lm, environment, started_after))


if __name__ == "__main__":
    main()
