#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_config_restore
short_description: Put an F&O environment's own settings back after a database movement
version_added: 1.0.0
description:
  - Re-applies a snapshot written by M(d365fo.dataalm.fo_config_snapshot) with UPDATE statements only.
  - Only rows that differ from the snapshot are changed, so a second run reports C(changed=false).
  - "Items: V(smtp) updates the e-mail parameters row by key; V(enabled_users) re-enables the users that were
    enabled (it disables nobody); V(batch_jobs) sets held (C(0)) jobs with the snapshot's caption and company back
    to Waiting or Scheduled."
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_sql
attributes:
  check_mode:
    support: full
    description: Reports the rows that would change, with diff, without changing them.
  diff_mode:
    support: full
    description: Before and after of every row that changes, per item.
options:
  path:
    description:
      - Snapshot file written by M(d365fo.dataalm.fo_config_snapshot).
    type: path
    required: true
  items:
    description:
      - Items to restore; default every item present in the snapshot.
    type: list
    elements: str
    choices: [smtp, enabled_users, batch_jobs]
  keep_recurring_integrations_held:
    description:
      - Leave the batch jobs of recurring integrations held even when the snapshot had them waiting, because the
        C(recurring_integrations) clean-up step held them on purpose.
    type: bool
    default: false
  enable_users:
    description:
      - Users to enable besides the snapshot's, by id or sign-in pattern (C(*), C(?), or an entry with C(@)), as
        M(d365fo.dataalm.fo_user) with O(d365fo.dataalm.fo_user#module:state=enabled) would, in the same module run
        as the snapshot's items (the sandbox's own users after a movement). Never disables anyone.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Put the sandbox's own settings back after the refresh
  d365fo.dataalm.fo_config_restore:
    connection_string: "{{ uat_odbc_connection_string }}"
    environment_type: Sandbox
    path: "{{ playbook_dir }}/state/uat-config.json"
  diff: true

- name: Put the sandbox's settings back and enable its own testers in the same run
  d365fo.dataalm.fo_config_restore:
    connection_string: "{{ uat_odbc_connection_string }}"
    environment_type: Sandbox
    path: "{{ playbook_dir }}/state/uat-config.json"
    enable_users: [Admin, tester1, "qa-*@contoso.example"]
"""

RETURN = r"""
restored:
  description: One entry per item.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Item name.
      type: str
    rows:
      description: Rows changed (or that would change in check mode).
      type: int
    changed:
      description: Whether the item changed rows.
      type: bool
users:
  description: The users of O(enable_users) that were disabled and are now enabled (or would be in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "tester1", "network_alias": "tester1@contoso.example", "enabled": true}]
executed_statements:
  description: Statements sent, with parameters and row counts.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils import fo_config, fo_module, fo_sql


def main():
    module = fo_module.new_module(
        dict(
            path=dict(type="path", required=True),
            items=dict(type="list", elements="str", choices=list(fo_config.ITEMS)),
            keep_recurring_integrations_held=dict(type="bool", default=False),
            enable_users=dict(type="list", elements="str", default=[]),
        ),
    )
    try:
        snapshot = fo_config.read_snapshot(module.params["path"])
        names = module.params["items"] or [n for n in fo_config.ITEMS if n in snapshot["items"]]
        missing = [n for n in names if n not in snapshot["items"]]
        if missing:
            raise fo_sql.FoSqlError("the snapshot has no item(s) %s" % ", ".join(missing))
        items = fo_config.select_items(names)
        kept_users = fo_config.kept_users_predicate(module.params["enable_users"])
    except fo_sql.FoSqlError as exc:
        module.fail_json(msg=str(exc), changed=False)
    fo_module.guard(module)

    db = fo_module.open_database(module)
    restored, before, after, users = [], {}, {}, []
    try:
        for item in items:
            rows, old, new = item.restore(db, snapshot["items"][item.name], module.check_mode, module.params)
            restored.append({"name": item.name, "rows": rows, "changed": rows > 0})
            if old or new:
                before[item.name], after[item.name] = old, new
        # the sandbox's own users, on the same connection (one module run, issue 18)
        users = fo_config.enable_kept_users(db, kept_users, module.check_mode) if kept_users else []
    except Exception as exc:
        fo_module.fail(module, db, exc, restored=restored)
    db.close()
    result = dict(changed=any(r["changed"] for r in restored) or bool(users), restored=restored, users=users,
                  executed_statements=db.log)
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
