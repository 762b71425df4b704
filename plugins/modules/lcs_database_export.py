#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lcs_database_export
short_description: Export a Dynamics 365 F&O sandbox database to a bacpac in the LCS asset library
version_added: 1.0.0
description:
  - Starts an LCS database export of the sandbox O(environment_id) into the project's asset library under
    O(backup_name) and, by default, waits until it has finished; then returns the new RV(backup).
  - B(Idempotent against the environment's LCS history.) An export already running on the environment is joined,
    never started twice. With O(not_before) and/or O(max_age) an export that succeeded and started inside that
    window counts as done (RV(action=none), not changed). Without either, every run starts a new export once the
    previous one has finished.
  - "Refused before any call that changes something: a source that is not a Sandbox, an empty or malformed
    O(backup_name), malformed ids, an environment that is not in the project, and an environment busy with another
    operation."
  - LCS allows three refresh/export starts per environment in 24 hours; a refused start fails with RV(next_allowed_at).
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.auth
  - d365fo.dataalm.lcs
  - d365fo.dataalm.wait
attributes:
  check_mode:
    support: full
    description: Makes no change and never waits; reports the RV(action) it would take.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  environment_id:
    description:
      - Id (GUID, dashes optional) of the sandbox to export.
    type: str
    required: true
  backup_name:
    description:
      - Name of the backup in the asset library, without the C(.bacpac) extension. Letters, digits,
        V(_), V(-) and V(.) (no spaces); at most 100 characters, as LCS requires.
    type: str
    required: true
  not_before:
    description:
      - ISO 8601 timestamp with a time zone. An export of the environment that started at or after it and
        succeeded counts as done.
    type: str
  max_age:
    description:
      - Duration such as V(12h), V(1d) or V(1d12h). An export that started within this age and succeeded counts as
        done. Combined with O(not_before), the later bound wins.
    type: str
  operation_id:
    description:
      - Id of an export operation to follow instead of starting one.
    type: str
"""

EXAMPLES = r"""
- name: Export UAT as a bacpac
  d365fo.dataalm.lcs_database_export:
    client_id: "{{ lcs_client_id }}"
    username: "{{ lcs_username }}"
    password: "{{ lcs_password }}"
    project_id: 1234567
    environment_id: 22222222-2222-4222-8222-222222222222
    backup_name: "uat-{{ now(utc=true, fmt='%Y%m%d') }}"
    max_age: 12h
  register: export

- name: Show the backup
  ansible.builtin.debug:
    msg: "{{ export.backup.name }} created {{ export.backup.created_at }}"
"""

RETURN = r"""
operation_id:
  description: LCS activity id of the export; null in check mode when an export would be started.
  returned: always
  type: str
  sample: 6a90b45f-0a8c-4c8e-9b5e-3d2f1e0c9b7a
status:
  description: Last LCS status, for example V(InProgress), V(Completed), V(Failed), V(RollbackCompleted).
  returned: always
  type: str
state:
  description: Normalized state, one of V(pending), V(running), V(succeeded), V(failed), V(rolled_back), V(unknown).
  returned: always
  type: str
action:
  description: V(started) (a new export), V(joined) (one already running) or V(none) (already done).
  returned: success
  type: str
started_at:
  description: When the export started, ISO 8601 UTC.
  returned: always
  type: str
completed_at:
  description: When LCS reported it complete, ISO 8601 UTC; null while running.
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
next_allowed_at:
  description: When LCS will accept the next start, after a refusal for the 3-per-24-hours limit.
  returned: on quota failures
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
backup:
  description: The backup the export produced (without download URL; use M(d365fo.dataalm.lcs_database_backup_info)).
  returned: when the export succeeded and LCS lists the backup
  type: dict
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

from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs import rules
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.client import backup_facts, parse_datetime
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.module import LcsModule, environment_by_id, movement
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.options import wait_argument_spec
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import InputError


def newest_backup(client, name):
    matches = [asset for asset in client.list_backups() if (asset.get("Name") or "") == name]
    if not matches:
        return None
    matches.sort(key=lambda a: str(parse_datetime(a.get("CreatedDateTime")) or ""), reverse=True)
    return backup_facts(matches[0])


def check_source(lm, environment):
    facts = environment_by_id(lm, environment, "source")
    if not rules.source_allowed("export", facts):
        raise InputError("environment %s (%s) has type %s; LCS exports only Sandbox environments: export a "
                         "sandbox (refresh it from production first if you need production data)"
                         % (facts["name"], environment, facts.get("type")))


def main():
    spec = dict(
        environment_id=dict(type="str", required=True),
        backup_name=dict(type="str", required=True),
        not_before=dict(type="str"),
        max_age=dict(type="str"),
        operation_id=dict(type="str"),
    )
    spec.update(wait_argument_spec())
    lm = LcsModule(argument_spec=spec)
    lm.require_project()
    environment = lm.guid("environment_id")
    if lm.params["operation_id"] is not None:
        lm.guid("operation_id")
    try:
        backup_name = rules.validate_backup_name(lm.params["backup_name"])
    except InputError as exc:
        lm.fail(str(exc), changed=False)

    def body():
        result = movement(lm, "export", environment, start=lambda: lm.client.start_export(environment, backup_name),
                          preflight=lambda: check_source(lm, environment))
        if result.get("state") == "succeeded":
            backup = newest_backup(lm.client, backup_name)
            if backup is not None:
                result["backup"] = backup
        return result

    lm.run(body)


if __name__ == "__main__":
    main()
