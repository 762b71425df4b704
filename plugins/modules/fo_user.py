#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_user
short_description: Enable or disable Dynamics 365 F&O users in the database
version_added: 1.0.0
description:
  - Enables or disables F&O users (USERINFO) selected by id, by sign-in pattern or as everyone except a list.
  - C(Admin) is never disabled. Only users not yet in the wanted state are changed, so a second run reports
    C(changed=false).
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_sql
attributes:
  check_mode:
    support: full
    description: Lists the users that would change without changing them.
  diff_mode:
    support: none
    description: The changed users are returned instead.
options:
  state:
    description:
      - Wanted state of the selected users.
    type: str
    choices: [enabled, disabled]
    required: true
  ids:
    description:
      - User ids (USERINFO.ID), for example V(alice).
    type: list
    elements: str
  sign_in_pattern:
    description:
      - Pattern on the sign-in name (USERINFO.NETWORKALIAS) where C(*) matches any text and C(?) one character,
        for example V(*@contoso.com). Every other character matches literally.
    type: str
  all_except:
    description:
      - Select every user except these; entries with C(@), C(*) or C(?) are sign-in patterns, others user ids.
      - Use an empty list to select everyone.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Re-enable the sandbox's testers
  d365fo.dataalm.fo_user:
    connection_string: "{{ odbc_connection_string }}"
    environment_type: Sandbox
    state: enabled
    sign_in_pattern: "*@partner.example"

- name: Disable everyone but the test team
  d365fo.dataalm.fo_user:
    connection_string: "{{ odbc_connection_string }}"
    environment_type: Sandbox
    state: disabled
    all_except: [testlead, "qa.*@contoso.com"]
"""

RETURN = r"""
users:
  description: The users changed (or that would change in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: User id.
      type: str
    network_alias:
      description: Sign-in name.
      type: str
    enabled:
      description: State after the change.
      type: bool
executed_statements:
  description: Statements sent, with parameters and row counts.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup, fo_module, fo_sql


def build_predicate(params):
    """WHERE clause and parameters selecting the users to change (never Admin when disabling)."""
    enable = params["state"] == "enabled"
    where = ["ENABLE = %d" % (0 if enable else 1)]
    values = []
    if not enable:
        where.append("ID <> 'Admin'")
    if params.get("ids"):
        where.append(fo_sql.in_list("ID", params["ids"]))
        values.extend(params["ids"])
    if params.get("sign_in_pattern"):
        where.append(fo_sql.like_clause("NETWORKALIAS"))
        values.append(fo_sql.glob_to_like(params["sign_in_pattern"]))
    if params.get("all_except") is not None:
        ids, patterns = cleanup.split_keep_users(params["all_except"])
        if ids:
            where.append(fo_sql.in_list("ID", ids, negate=True))
            values.extend(ids)
        for pattern in patterns:
            where.append("NOT " + fo_sql.like_clause("NETWORKALIAS"))
            values.append(fo_sql.glob_to_like(pattern))
    return " AND ".join(where), values


def main():
    module = fo_module.new_module(
        dict(
            state=dict(type="str", choices=["enabled", "disabled"], required=True),
            ids=dict(type="list", elements="str"),
            sign_in_pattern=dict(type="str"),
            all_except=dict(type="list", elements="str"),
        ),
        mutually_exclusive=[("ids", "all_except")],
        required_one_of=[("ids", "sign_in_pattern", "all_except")],
    )
    params = module.params
    try:
        where, values = build_predicate(params)
    except fo_sql.FoSqlError as exc:
        module.fail_json(msg=str(exc), changed=False)
    fo_module.guard(module)

    db = fo_module.open_database(module)
    enabled = params["state"] == "enabled"
    try:
        rows = db.rows("SELECT ID, NETWORKALIAS FROM USERINFO WHERE %s ORDER BY ID" % where, values)
        if rows and not module.check_mode:
            db.change("UPDATE USERINFO SET ENABLE = %d, RECVERSION = RECVERSION + 1 WHERE %s"
                      % (1 if enabled else 0, where), values)
    except Exception as exc:
        fo_module.fail(module, db, exc)
    db.close()
    users = [{"id": r[0], "network_alias": r[1], "enabled": enabled} for r in rows]
    module.exit_json(changed=bool(users), users=users, executed_statements=db.log)


if __name__ == "__main__":
    main()
