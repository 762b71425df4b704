#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dataalm_runbook_inputs
short_description: Check every inventory variable of a runbook before anything starts
version_added: 1.0.0
description:
  - Validates the inventory variables (C(dataalm_*)) that a ready runbook of the collection passes to its roles,
    before any call to LCS or SQL, and fails with every problem at once, each naming the variable to fix.
  - Coerces types the way role argument specs do (a single user becomes a list) and refuses what cannot be
    coerced; refuses contradictory settings (masking e-mail addresses with a clean-up that has no e-mail step, an
    SMTP relay without the SMTP step, no idempotency window by accident, a snapshot directory inside the
    collection, one database configured for two hosts).
  - Returns the coerced values with their defaults, which the runbooks pass on to the roles.
  - Never changes anything.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
attributes:
  check_mode:
    support: full
    description: Nothing changes in either mode.
  diff_mode:
    support: none
    description: Nothing changes.
options:
  runbook:
    description: The runbook whose inputs are checked.
    type: str
    required: true
    choices: [refresh, export, post_restore, preflight, point_in_time_restore]
  inputs:
    description: The inventory variables of this host whose names start with C(dataalm_), except the connection string.
    type: dict
    default: {}
  sql_connection_string:
    description: The host's C(dataalm_sql_connection_string), when SQL access is configured.
    type: str
  other_databases:
    description:
      - Connection strings of every other inventory host, by host name; the same database configured for two hosts
        (or for the source) is refused.
    type: dict
    default: {}
  collection_dir:
    description: Root of the installed collection; the snapshot directory must be outside it.
    type: path
"""

EXAMPLES = r"""
- name: Check the refresh runbook's inputs
  d365fo.dataalm.dataalm_runbook_inputs:
    runbook: refresh
    inputs:
      dataalm_target_environment_id: 22222222-2222-4222-8222-222222222222
      dataalm_keep_users: Admin
"""

RETURN = r"""
values:
  description: The coerced values, without the C(dataalm_) prefix, defaults included.
  returned: success
  type: dict
  sample: {"keep_users": ["Admin"], "email_mode": "blank", "resolved_cleanup_steps": ["environment_tables"]}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.d365fo.dataalm.plugins.module_utils import fo_target, runbook_inputs


def argument_spec():
    return dict(
        runbook=dict(type="str", required=True, choices=list(runbook_inputs.RUNBOOKS)),
        inputs=dict(type="dict", default={}),
        sql_connection_string=dict(type="str", no_log=True),
        other_databases=dict(type="dict", default={}, no_log=True),
        collection_dir=dict(type="path"),
    )


def outcome(params):
    """(result, warnings, failure message or None) for validated options; no I/O, so the action plugin
    runs it on the controller without a module process."""
    context = {"runbook": params["runbook"], "sql_enabled": bool(params["sql_connection_string"]),
               "collection_dir": params["collection_dir"]}
    values, problems = runbook_inputs.validate(params["inputs"], context)
    shared = fo_target.shared_with(params["sql_connection_string"], params["other_databases"])
    if shared:
        problems.error("sql_connection_string", "names the same database as %s; each host must name its own target's "
                       "database, and never the source's" % ", ".join(shared))
    if problems.errors:
        return (dict(errors=problems.errors), problems.warnings,
                "Fix these inventory variables; nothing was started: " + "; ".join(problems.errors))
    return dict(changed=False, values=values), problems.warnings, None


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    result, warnings, failure = outcome(module.params)
    for warning in warnings:
        module.warn(warning)
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
