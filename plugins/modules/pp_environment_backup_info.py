#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: pp_environment_backup_info
short_description: List the manual backups of a Power Platform environment
version_added: 1.1.0
description:
  - Lists the manual backups of an environment through the Power Platform API, every page, newest first.
  - Optionally only the backups with one label; labels are not unique, so several may match.
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
  environment_id:
    description:
      - Id of the environment.
    type: str
    required: true
  label:
    description:
      - Only backups with exactly this label.
    type: str
"""

EXAMPLES = r"""
- name: Backups labelled before-refresh
  d365fo.dataalm.pp_environment_backup_info:
    environment_id: 2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b
    label: before-refresh
  register: found

- name: The newest one
  ansible.builtin.debug:
    msg: "{{ found.backups | first }}"
  when: found.backups | length > 0
"""

RETURN = r"""
backups:
  description: The backups, newest backup point first.
  returned: always
  type: list
  elements: dict
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

from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.backups import check_label
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.model import backups_newest_first
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.module import PpModule
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.options import check_environment_id


def main():
    pm = PpModule(dict(environment_id=dict(type="str", required=True), label=dict(type="str")))
    environment_id = pm.checked(check_environment_id, pm.params["environment_id"])
    label = pm.params["label"]
    if label is not None:
        label = pm.checked(check_label, label)

    def body():
        backups = backups_newest_first(pm.client.backups(environment_id))
        if label is not None:
            backups = [backup for backup in backups if backup["label"] == label]
        return dict(changed=False, backups=backups)

    pm.run(body)


if __name__ == "__main__":
    main()
