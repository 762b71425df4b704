#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: linked_pair_check
short_description: Check a source pair against a target pair before a pair movement starts
version_added: 1.2.0
description:
  - Compares the B(source pair) with the B(target pair) (each an LCS environment and its Dataverse environment, see
    M(d365fo.dataalm.linked_pair_info)) before either side of a refresh, backup or point-in-time restore starts.
  - Refresh - same tenant, same region on both platforms (LCS C(CloudStorageLocation) and Power Platform
    C(azureRegion)), target versions not older than the source's (warning), a pair of one on either side (warning).
  - Every kind - both halves of a pair in one geography; the LCS location is mapped to a Power Platform geography by
    a table that is B(inferred) (warning only).
  - With O(instant) - the instant is parsed once (RFC 3339 with an offset, or V(latest)), returned in UTC and in the
    controller's local time, must lie inside the retention of both sides of the source pair (F&O 28 days for
    production and 7 for a sandbox; Dataverse from C(retentionDetails)), and no movement into either side of the
    source may have started after it (that movement began a new restore-point chain).
  - Pure rules over the facts given; calls no service. Fails with every blocking finding at once.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  kind:
    description: The pair movement.
    type: str
    required: true
    choices: [refresh, backup, point_in_time_restore]
  source:
    description:
      - The source pair - RV(d365fo.dataalm.linked_pair_info#module:pair) plus C(lcs) (the LCS environment from
        M(d365fo.dataalm.lcs_environment_info) with O(d365fo.dataalm.lcs_environment_info#module:include_history=true))
        and C(pp_operations) (RV(d365fo.dataalm.pp_operation_info#module:operations)).
    type: dict
    required: true
  target:
    description: The target pair, same shape. Defaults to O(source) (backup and restore in place).
    type: dict
  instant:
    description: The instant of a restore, RFC 3339 with an offset, or V(latest) (now, UTC).
    type: str
  own_since:
    description:
      - Movements started at or after this ISO 8601 instant are this movement's own (a re-run joins them) and are
        not counted as breaking the restore-point chain. Give the window start of the movement modules.
    type: str
  now:
    description: Time to evaluate against, ISO 8601 with a zone. Defaults to the controller's current UTC time.
    type: str
  fail_on_blocking:
    description: Fail when a blocking finding is found.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Check the pairs before the refresh starts
  d365fo.dataalm.linked_pair_check:
    kind: refresh
    source: "{{ source_pair.pair | combine({'lcs': source_lcs.environments[0]}) }}"
    target: "{{ target_pair.pair | combine({'lcs': target_lcs.environments[0]}) }}"

- name: Check the instant of a pair restore against both retention windows
  d365fo.dataalm.linked_pair_check:
    kind: point_in_time_restore
    source: "{{ pair.pair | combine({'lcs': lcs.environments[0], 'pp_operations': pp_ops.operations}) }}"
    instant: "2026-03-01T22:00:00Z"
  register: checked
"""

RETURN = r"""
findings:
  description: Every finding, each with C(id), C(severity) (V(blocking), V(warning), V(info)), C(message), C(remedy).
  returned: always
  type: list
  elements: dict
blocking:
  description: Ids of the blocking findings.
  returned: always
  type: list
  elements: str
passed:
  description: Whether no finding blocks.
  returned: always
  type: bool
instant:
  description: The instant in UTC (ISO 8601, Z), the value both sides use.
  returned: with O(instant)
  type: str
instant_local:
  description: The same instant in the controller's local time, with its zone name.
  returned: with O(instant)
  type: str
instant_local_offset:
  description: The controller's UTC offset at that instant, for example V(+0100).
  returned: with O(instant)
  type: str
instant_given_as:
  description: V(given) or V(latest).
  returned: with O(instant)
  type: str
"""

import datetime

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.d365fo.dataalm.plugins.module_utils._dates import UTC, parse_datetime
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import InputError
from ansible_collections.d365fo.dataalm.plugins.module_utils._pairs.checks import evaluate
from ansible_collections.d365fo.dataalm.plugins.module_utils._pairs.instant import describe_instant, pair_instant
from ansible_collections.d365fo.dataalm.plugins.module_utils.preflight import BLOCKING, WARNING


def _aware(module, name):
    value = module.params[name]
    if value is None:
        return None
    parsed = parse_datetime(value, naive_is_utc=False)
    if parsed is None or parsed.tzinfo is None:
        module.fail_json(msg="%s must be an ISO 8601 timestamp with a zone, e.g. 2026-03-02T08:00:00Z; got %r"
                         % (name, value))
    return parsed


def main():
    module = AnsibleModule(argument_spec=dict(
        kind=dict(type="str", required=True, choices=["refresh", "backup", "point_in_time_restore"]),
        source=dict(type="dict", required=True), target=dict(type="dict"), instant=dict(type="str"),
        own_since=dict(type="str"), now=dict(type="str"), fail_on_blocking=dict(type="bool", default=True),
    ), supports_check_mode=True)
    p = module.params
    now = _aware(module, "now") or datetime.datetime.now(UTC)
    result = dict(changed=False)
    instant = None
    if p["instant"] is not None:
        try:
            instant, given_as = pair_instant(p["instant"], now)
        except InputError as exc:
            module.fail_json(msg=str(exc), **result)
        result.update(describe_instant(instant), instant_given_as=given_as)
    findings = evaluate(p["kind"], p["source"], p["target"] or p["source"], instant, now, _aware(module, "own_since"))
    blocking = [item["id"] for item in findings if item["severity"] == BLOCKING]
    result.update(findings=findings, blocking=blocking, passed=not blocking)
    for item in findings:
        if item["severity"] == WARNING:
            module.warn("%s: %s. %s" % (item["id"], item["message"], item["remedy"]))
    if blocking and p["fail_on_blocking"]:
        module.fail_json(msg="the pair check found %d blocking condition(s): %s" % (len(blocking), "; ".join(
            "%s (%s)" % (item["message"], item["remedy"]) for item in findings if item["severity"] == BLOCKING)),
            **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
