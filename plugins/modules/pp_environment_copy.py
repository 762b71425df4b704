#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: pp_environment_copy
short_description: Copy a Power Platform environment (Dataverse and unified F&O) onto another, once
version_added: 1.1.0
description:
  - Copies the source environment onto the target through the Power Platform API. Between unified finance and
    operations environments the F&O database and code are copied with Dataverse; into an environment whose F&O side is
    managed in LCS only Dataverse data moves.
  - Starts a copy, joins one that is already running on the target, or does nothing when a copy onto the target
    already succeeded inside the window (O(not_before), O(max_age)). Never starts a second copy.
  - Refuses before any mutating call what Microsoft does not support, naming the option to change (see the supported
    matrix in docs/power-platform.md). After a copy the target is in administration mode with background operations
    disabled.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.powerplatform
  - d365fo.dataalm.powerplatform_wait
attributes:
  check_mode:
    support: full
    description: Sends the copy with C(ValidateOnly=true) only and returns the service's verdict in RV(validation).
  diff_mode:
    support: none
    description: The whole environment changes; there is no meaningful diff.
options:
  source_environment_id:
    description: Id of the environment to copy.
    type: str
    required: true
  target_environment_id:
    description: Id of the environment that is overwritten (a sandbox, or a developer environment where allowed).
    type: str
    required: true
  copy_type:
    description: V(full) copies data and customizations; V(minimal) only customizations and schemas.
    type: str
    choices: [full, minimal]
    default: full
  advanced_fo_copy:
    description:
      - Run the advanced finance and operations copy (transactionless; C(executeAdvancedCopyForFinanceAndOperations)).
        Needs O(copy_type=full) and a unified target.
    type: bool
    default: false
  environment_name:
    description: Display name the target gets after the copy.
    type: str
  security_group_id:
    description: Entra ID security group that restricts access to the target.
    type: str
  skip_audit_data:
    description: Do not copy audit data.
    type: bool
  not_before:
    description: ISO 8601 timestamp with a time zone; only a copy that started at or after it counts as done.
    type: str
  max_age:
    description:
      - Only a copy onto the target that started within this duration counts as done (V(24h), V(90m)). Combined with
        O(not_before), the later bound wins.
    type: str
    default: 24h
  operation_id:
    description: Follow this copy operation instead of starting or joining one.
    type: str
  wait:
    default: true
  wait_timeout:
    default: 90000
  poll_interval:
    default: 60
"""

EXAMPLES = r"""
- name: Copy production onto UAT (advanced, transactionless F&O copy)
  d365fo.dataalm.pp_environment_copy:
    source_environment_id: 9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b
    target_environment_id: 2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b
    copy_type: full
    advanced_fo_copy: true
  register: copy
"""

RETURN = r"""
operation_id:
  description: Id of the copy operation (null in check mode when one would start).
  returned: always
  type: str
status:
  description: The service's own status word (Queued, InProgress, Succeeded, Failed, or a value Microsoft adds later).
  returned: always
  type: str
state:
  description: Neutral state, one of V(pending), V(running), V(succeeded), V(failed), V(unknown).
  returned: always
  type: str
action:
  description: V(started), V(joined) (a copy was already running on the target) or V(none) (one already succeeded
    inside the window).
  returned: always
  type: str
stages:
  description: The operation's stages (C(name), C(status), C(started_at), C(completed_at)).
  returned: always
  type: list
  elements: dict
started_at:
  description: Start of the operation, ISO 8601 UTC.
  returned: always
  type: str
completed_at:
  description: End of the operation, ISO 8601 UTC.
  returned: always
  type: str
duration_seconds:
  description: Duration of the finished operation in seconds.
  returned: always
  type: int
instant:
  description: The instant the copied data is as of (the start of the copy), ISO 8601 UTC.
  returned: always
  type: str
copy_type:
  description: The copy type asked for.
  returned: always
  type: str
validation:
  description: The service's C(ValidateOnly) verdict, C(passed) and C(field_errors) (each C(field), C(messages)).
  returned: in check mode, and when the service refused the request
  type: dict
msg:
  description: What was done and why.
  returned: always
  type: str
api_calls:
  description: HTTP calls made (including retries).
  returned: when the service was called
  type: int
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.lifecycle import LifecycleOperation, copy_body
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.lifecycle_checks import check_advanced_copy
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.lifecycle_task import pair, run_lifecycle
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.module import PpModule, parse_window, utc_now
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.options import (
    check_environment_id, check_guid, wait_argument_spec)


def main():
    spec = dict(source_environment_id=dict(type="str", required=True),
                target_environment_id=dict(type="str", required=True),
                copy_type=dict(type="str", default="full", choices=["full", "minimal"]),
                advanced_fo_copy=dict(type="bool", default=False), environment_name=dict(type="str"),
                security_group_id=dict(type="str"), skip_audit_data=dict(type="bool"), not_before=dict(type="str"),
                max_age=dict(type="str", default="24h"), operation_id=dict(type="str"))
    spec.update(wait_argument_spec())
    pm = PpModule(spec)
    p = pm.params
    source_id = pm.checked(check_environment_id, p["source_environment_id"], "source_environment_id")
    target_id = pm.checked(check_environment_id, p["target_environment_id"], "target_environment_id")
    if source_id.lower() == target_id.lower():
        pm.fail("source_environment_id and target_environment_id are the same environment; a copy needs another "
                "target (pp_environment_restore restores an environment onto itself)", changed=False)
    for name in ("operation_id", "security_group_id"):
        if p[name]:
            pm.checked(check_guid, p[name], name)
    not_before, max_age = pm.checked(parse_window, p["not_before"], p["max_age"], utc_now())

    def body():
        client = pm.client
        _source, target = pm.checked(pair, client, source_id, target_id, "copy")
        pm.checked(check_advanced_copy, p["advanced_fo_copy"], p["copy_type"], target)
        provider = LifecycleOperation(client, target_id, "copy", copy_body(
            source_id, p["copy_type"], p["advanced_fo_copy"], p["environment_name"], p["security_group_id"],
            p["skip_audit_data"]))
        result = run_lifecycle(pm, provider, dict(p, not_before=not_before, max_age=max_age))
        result.update(instant=result.get("started_at"), copy_type=p["copy_type"])
        return result

    pm.run(body)


if __name__ == "__main__":
    main()
