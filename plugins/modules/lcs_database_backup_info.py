#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lcs_database_backup_info
short_description: List database backups (bacpacs) in the LCS asset library
version_added: 1.0.0
description:
  - Lists the project's database backups, newest first, optionally filtered by name.
  - Download URLs are time-limited shared-access links; they are only returned with O(include_download_url=true).
    Use C(no_log) on such tasks, as the examples do.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.auth
  - d365fo.dataalm.lcs
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  name:
    description:
      - Backup name, exact or a shell-style glob such as V(uat-*). Case-sensitive.
    type: str
  latest:
    description:
      - Return only the newest matching backup.
    type: bool
    default: false
  include_download_url:
    description:
      - Add RV(backups[].download_url), a time-limited link to the bacpac. Treat it as a secret.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Newest UAT export
  d365fo.dataalm.lcs_database_backup_info:
    name: "uat-*"
    latest: true
  register: latest_uat

- name: Get a download link for it (keep it out of the log)
  d365fo.dataalm.lcs_database_backup_info:
    name: "{{ latest_uat.backups[0].name }}"
    latest: true
    include_download_url: true
  register: uat_link
  no_log: true

- name: Download it
  ansible.builtin.get_url:
    url: "{{ uat_link.backups[0].download_url }}"
    dest: /var/backups/uat.bacpac
    mode: "0600"
  no_log: true
"""

RETURN = r"""
backups:
  description: Matching backups, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Asset id.
      type: str
    name:
      description: Backup name.
      type: str
    file_name:
      description: File name of the bacpac.
      type: str
    description:
      description: File description.
      type: str
    created_at:
      description: Creation time, ISO 8601 UTC.
      type: str
    modified_at:
      description: Modification time, ISO 8601 UTC.
      type: str
    created_by:
      description: Creator, when LCS reports one.
      type: str
    download_url:
      description: Time-limited download link (contains a SAS signature; never log it).
      type: str
      returned: when O(include_download_url=true)
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

import fnmatch

from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.client import backup_facts, parse_datetime
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.module import LcsModule


def main():
    lm = LcsModule(argument_spec=dict(
        name=dict(type="str"),
        latest=dict(type="bool", default=False),
        include_download_url=dict(type="bool", default=False),
    ))
    lm.require_project()
    p = lm.params
    if p["name"] is not None and not p["name"].strip():
        lm.fail("name must not be empty; give a backup name or glob such as uat-*, or omit it to list all backups")

    def body():
        assets = lm.client.list_backups()
        if p["name"]:
            assets = [a for a in assets if fnmatch.fnmatchcase(a.get("Name") or "", p["name"])]
        assets.sort(key=lambda a: str(parse_datetime(a.get("CreatedDateTime")) or ""), reverse=True)
        if p["latest"]:
            assets = assets[:1]
        backups = [backup_facts(a, include_download_url=p["include_download_url"]) for a in assets]
        return dict(changed=False, backups=backups)

    lm.run(body)


if __name__ == "__main__":
    main()
