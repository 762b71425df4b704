#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: pp_environment_restore
short_description: Restore a Power Platform environment (Dataverse and unified F&O) to an instant, once
version_added: 1.1.0
description:
  - Restores the target environment to a point in time of the source environment (by default the target itself)
    through the Power Platform API. For a unified finance and operations environment the F&O database and code come
    back as of the instant together with Dataverse.
  - Starts a restore, joins one that is already running on the target, or does nothing when a restore of the target
    already succeeded inside the window (O(not_before), O(max_age)). Never starts a second restore.
  - Refuses before any mutating call what Microsoft does not support, naming the option to change (see the supported
    matrix in docs/power-platform.md).
  - After a restore the environment is in administration mode; flows in solutions are off, connection references
    need new connections and custom connectors may need reinstalling (Microsoft's documented follow-ups).
  - Before it starts anything (also in check mode) it lists in RV(findings) what the instant takes away - the
    finance and operations packages and Dataverse solutions deployed to the source after the instant, which come back
    at their older versions because a restore brings back code as well as data - and the documented follow-ups.
    Reading them needs read access to the source's Dataverse; without it a warning finding says so and the restore
    goes on.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.powerplatform
  - d365fo.dataalm.powerplatform_wait
attributes:
  check_mode:
    support: full
    description: Sends the restore with C(ValidateOnly=true) only and returns the service's verdict in RV(validation).
  diff_mode:
    support: none
    description: The whole environment changes; there is no meaningful diff.
options:
  target_environment_id:
    description: Id of the environment to restore into (a sandbox, or a developer environment where allowed).
    type: str
    required: true
  source_environment_id:
    description: Id of the environment whose backups are restored. Defaults to O(target_environment_id).
    type: str
  restore_point:
    description:
      - The instant to restore to, RFC 3339 with an offset (V(2026-03-01T22:00:00Z)), or V(latest) (now in UTC,
        recorded in RV(instant)). Mutually exclusive with O(backup_label).
    type: str
  backup_label:
    description: Restore to the backup point of the newest manual backup of the source with this label.
    type: str
  environment_name:
    description: Display name the target gets after the restore (default keeps the service's choice).
    type: str
  security_group_id:
    description: Entra ID security group that restricts access to the restored environment.
    type: str
  skip_audit_data:
    description: Do not restore audit data (faster for environments with much audit data).
    type: bool
  not_before:
    description: ISO 8601 timestamp with a time zone; only a restore that started at or after it counts as done.
    type: str
  max_age:
    description:
      - Only a restore of the target that started within this duration counts as done (V(24h), V(90m)). Combined
        with O(not_before), the later bound wins.
    type: str
    default: 24h
  operation_id:
    description: Follow this restore operation instead of starting or joining one.
    type: str
  wait:
    default: true
  wait_timeout:
    default: 90000
  poll_interval:
    default: 60
"""

EXAMPLES = r"""
- name: Restore UAT to last night, before the failed import
  d365fo.dataalm.pp_environment_restore:
    target_environment_id: 2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b
    restore_point: "2026-03-01T22:00:00Z"
    not_before: "{{ pipeline_started_at }}"
  register: restore

- name: Validate a restore from production into UAT (check mode sends ValidateOnly only)
  d365fo.dataalm.pp_environment_restore:
    target_environment_id: 2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b
    source_environment_id: 9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b
    backup_label: before-release
  check_mode: true
"""

RETURN = r"""
operation_id:
  description: Id of the restore operation (null in check mode when one would start).
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
  description: V(started), V(joined) (a restore was already running on the target) or V(none) (one already succeeded
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
  description: The instant the target's data is restored to, ISO 8601 UTC (also when V(latest) was asked).
  returned: always
  type: str
instant_source:
  description: How the instant was chosen, V(given), V(latest) or C(backup <id>) for O(backup_label).
  returned: always
  type: str
findings:
  description:
    - What the instant takes away and what to do after the restore, each C(id), C(severity) (V(warning) or
      V(info)), C(message) and C(remedy). Ids are V(restore_packages_deployed_after_instant),
      V(restore_solutions_deployed_after_instant), V(restore_code_history_unreadable), V(restore_admin_mode),
      V(restore_flows_off) and V(restore_connection_references).
  returned: always
  type: list
  elements: dict
deployed_after:
  description:
    - C(packages) (finance and operations packages, from Dataverse's package history) and C(solutions) deployed to
      the source after the instant, each C(name), C(version), C(deployed_at) and C(version_at_instant) (the version
      the restore brings back; null when it was absent then or is not known). Null when they could not be read.
  returned: always
  type: dict
  sample:
    packages:
      - {name: ContosoExt, version: 1.2.0.0, deployed_at: "2026-03-02T06:00:00Z", version_at_instant: 1.1.0.0}
    solutions: []
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

from ansible_collections.d365fo.dataalm.plugins.module_utils._dates import format_datetime
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.lifecycle import LifecycleOperation, restore_body
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.lifecycle_checks import check_restore_choice
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.lifecycle_task import (
    pair, restore_instant, run_lifecycle, what_the_instant_takes_away)
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.module import PpModule, parse_window, utc_now
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.options import (
    check_environment_id, check_guid, wait_argument_spec)


def main():
    spec = dict(target_environment_id=dict(type="str", required=True), source_environment_id=dict(type="str"),
                restore_point=dict(type="str"), backup_label=dict(type="str"), environment_name=dict(type="str"),
                security_group_id=dict(type="str"), skip_audit_data=dict(type="bool"), not_before=dict(type="str"),
                max_age=dict(type="str", default="24h"), operation_id=dict(type="str"))
    spec.update(wait_argument_spec())
    pm = PpModule(spec)
    p = pm.params
    target_id = pm.checked(check_environment_id, p["target_environment_id"], "target_environment_id")
    source_id = pm.checked(check_environment_id, p["source_environment_id"] or target_id, "source_environment_id")
    if p["operation_id"]:
        pm.checked(check_guid, p["operation_id"], "operation_id")
    if p["security_group_id"]:
        pm.checked(check_guid, p["security_group_id"], "security_group_id")
    pm.checked(check_restore_choice, p["restore_point"], p["backup_label"])
    not_before, max_age = pm.checked(parse_window, p["not_before"], p["max_age"], utc_now())

    def body():
        client = pm.client
        source, _target = pm.checked(pair, client, source_id, target_id, "restore")
        now = client.now() or utc_now()
        instant, chosen = pm.checked(restore_instant, client, source, p["restore_point"], p["backup_label"], now)
        takes_away = what_the_instant_takes_away(pm, source, instant)
        provider = LifecycleOperation(client, target_id, "restore", restore_body(
            source_id, instant, p["environment_name"], p["security_group_id"], p["skip_audit_data"]))
        result = run_lifecycle(pm, provider, dict(p, not_before=not_before, max_age=max_age))
        result.update(takes_away, instant=format_datetime(instant), instant_source=chosen)
        return result

    pm.run(body)


if __name__ == "__main__":
    main()
