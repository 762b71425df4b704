#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: pp_environment_admin_mode
short_description: Switch admin mode and background operations of a Power Platform environment
version_added: 1.1.0
description:
  - Turns admin mode (only administrators may sign in) and background operations (asynchronous jobs, flows) of an
    environment on or off. A restored or copied environment comes back in admin mode, and a copy with background
    operations disabled; this module switches them back, or sets them before a movement.
  - Reads the current settings first and changes only what differs, so a second run reports no change.
  - The switch is the BAP admin API call that C(Set-AdminPowerAppEnvironmentRuntimeState) and
    C(pac admin set-runtime-state) make; its token audience is V(https://service.powerapps.com/). The task then
    reads the environment until the new settings show (O(wait)).
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.powerplatform
  - d365fo.dataalm.powerplatform_wait
attributes:
  check_mode:
    support: full
    description: Reads the settings and reports what would change; switches nothing.
  diff_mode:
    support: full
    description: Before and after of RV(admin_mode) and RV(background_operations).
options:
  environment_id:
    description:
      - Id of the environment.
    type: str
    required: true
  admin_mode:
    description:
      - V(enabled) lets only System Administrators and System Customizers in; V(disabled) opens the environment to
        its users again. Omit to leave it alone.
    type: str
    choices: [enabled, disabled]
  background_operations:
    description:
      - V(disabled) stops asynchronous operations (workflows, flows, plug-ins run asynchronously) while admin mode is
        on. Omit to leave it alone.
    type: str
    choices: [enabled, disabled]
  wait:
    description:
      - Read the environment until the new settings show.
    default: true
  wait_timeout:
    default: 900
  poll_interval:
    default: 15
"""

EXAMPLES = r"""
- name: Open the restored environment to users again
  d365fo.dataalm.pp_environment_admin_mode:
    environment_id: 2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b
    admin_mode: disabled
    background_operations: enabled

- name: Close it for maintenance, with jobs stopped
  d365fo.dataalm.pp_environment_admin_mode:
    environment_id: 2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b
    admin_mode: enabled
    background_operations: disabled
"""

RETURN = r"""
admin_mode:
  description: Admin mode after the task, V(enabled) or V(disabled) (in check mode, what it would be).
  returned: always
  type: str
background_operations:
  description: Background operations after the task, V(enabled) or V(disabled) (in check mode, what they would be).
  returned: always
  type: str
before:
  description: The settings before the task.
  returned: always
  type: dict
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

from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.admin_mode import (
    SETTINGS, apply_changes, confirm, current_settings, wanted_changes)
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.module import PpModule
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.options import check_environment_id, wait_argument_spec


def main():
    choice = dict(type="str", choices=["enabled", "disabled"])
    spec = dict(environment_id=dict(type="str", required=True), admin_mode=choice, background_operations=dict(choice))
    spec.update(wait_argument_spec(wait_timeout=900, poll_interval=15))
    pm = PpModule(spec, needs_bap=True, required_one_of=[SETTINGS])
    environment_id = pm.checked(check_environment_id, pm.params["environment_id"])
    wanted = {name: pm.params[name] for name in SETTINGS}

    def body():
        before, _facts = current_settings(pm, environment_id)
        changes = wanted_changes(before, wanted)
        after = dict(before, **changes)
        result = dict(changed=bool(changes), before=before, diff=dict(before=before, after=after), **after)
        if not changes:
            return dict(result, msg="admin mode and background operations are already as wanted")
        if pm.check_mode:
            return dict(result, msg="would switch %s" % ", ".join(sorted(changes)))
        apply_changes(pm, environment_id, changes)
        if pm.params["wait"]:
            result.update(confirm(pm, environment_id, wanted))
        return dict(result, msg="switched %s" % ", ".join(sorted(changes)))

    pm.run(body)


if __name__ == "__main__":
    main()
