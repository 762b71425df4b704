#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: pp_environment_backup
short_description: Take a labelled manual backup of a Power Platform environment, once per window
version_added: 1.1.0
description:
  - Creates a manual backup (a labelled restore point) of an environment with Dataverse, including a unified
    finance and operations environment, through the Power Platform API.
  - Idempotent by label B(inside a window). Labels are not unique in the Power Platform, so a backup with the same
    label counts as done only when its backup point lies at or after O(not_before) and within O(max_age); an older
    one does not, and a new backup is taken.
  - Returns the backup with its backup point and the time from which a restore to it can start (Microsoft says a
    manual backup becomes restorable 10 to 15 minutes after it is taken).
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.powerplatform
attributes:
  check_mode:
    support: full
    description: Reads the backups and reports whether a backup would be created; creates nothing.
  diff_mode:
    support: none
    description: A new backup has no before state.
options:
  environment_id:
    description:
      - Id of the environment to back up.
    type: str
    required: true
  label:
    description:
      - Label of the backup (one line, at most 100 characters).
    type: str
    required: true
  not_before:
    description:
      - ISO 8601 timestamp with a time zone. Only a backup with O(label) taken at or after it counts as already done.
    type: str
  max_age:
    description:
      - Only a backup with O(label) taken within this duration counts as already done, for example V(12h), V(1d),
        V(90m). Combined with O(not_before), the later bound wins.
    type: str
    default: 24h
"""

EXAMPLES = r"""
- name: Back up UAT before the refresh, once per run of the pipeline
  d365fo.dataalm.pp_environment_backup:
    environment_id: 2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b
    label: before-refresh
    not_before: "{{ pipeline_started_at }}"
  register: backup

- name: Restore point to use
  ansible.builtin.debug:
    msg: "{{ backup.backup.backup_point }} (restorable after {{ backup.backup.restorable_after }})"
"""

RETURN = r"""
backup:
  description: The backup taken or found; null in check mode when one would be created.
  returned: always
  type: dict
  contains:
    id:
      description: Backup id.
      type: str
    label:
      description: Label.
      type: str
    backup_point:
      description: The restore point the backup stands for, ISO 8601 UTC.
      type: str
    expires_at:
      description: When the backup leaves the retention window, ISO 8601 UTC.
      type: str
    restorable_after:
      description: Backup point plus 15 minutes, the earliest a restore to it should start, ISO 8601 UTC.
      type: str
    created_by:
      description: Who took it.
      type: str
msg:
  description: What was done and why.
  returned: always
  type: str
window_start:
  description: Earliest backup point that counted as already done, ISO 8601 UTC.
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

from ansible_collections.d365fo.dataalm.plugins.module_utils._dates import format_datetime
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.backups import (
    check_backup_allowed, check_label, ensure_backup)
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.planner import window_start
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.module import PpModule, parse_window, utc_now
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.options import check_environment_id


def main():
    pm = PpModule(dict(environment_id=dict(type="str", required=True), label=dict(type="str", required=True),
                       not_before=dict(type="str"), max_age=dict(type="str", default="24h")))
    p = pm.params
    environment_id = pm.checked(check_environment_id, p["environment_id"])
    label = pm.checked(check_label, p["label"])
    not_before, max_age = pm.checked(parse_window, p["not_before"], p["max_age"], utc_now())

    def body():
        client = pm.client
        check_backup_allowed(client.environment(environment_id), environment_id)
        start = window_start(client.now() or utc_now(), not_before, max_age)
        changed, backup, msg = ensure_backup(client, environment_id, label, start, pm.check_mode)
        return dict(changed=changed, backup=backup, msg=msg, window_start=format_datetime(start))

    pm.run(body)


if __name__ == "__main__":
    main()
