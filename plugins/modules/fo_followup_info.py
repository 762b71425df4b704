#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_followup_info
short_description: The follow-ups Microsoft documents after a database movement, evaluated on the target
version_added: 1.0.0
description:
  - Reads the target F&O database with set-based counts to detect what it uses (Commerce channels and hardware
    profiles, Financial Reporting, attachments stored in Azure Blob storage, custom Office templates) and returns
    the follow-ups of the collection's catalogue that apply to the movement, each with its source page.
  - Each follow-up is C(automated) (a documented data change the collection runs; status C(done) or C(required)),
    C(checked) (status C(pass) or C(fail) with the number of rows concerned) or C(handed_over) (status C(required),
    with the exact screen path and the reason no automation exists).
  - Read-only; never changes the database.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_sql
  - d365fo.dataalm.followups
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same counts in check mode.
  diff_mode:
    support: none
    description: Nothing changes.
notes:
  - Financial Reporting is detected from its enabled service user C(FRServiceUser) (inferred; Microsoft documents
    no integration table in the F&O database).
"""

EXAMPLES = r"""
- name: What the refresh leaves to do on UAT
  d365fo.dataalm.fo_followup_info:
    connection_string: "{{ uat_odbc_connection_string }}"
    movement_kind: point_in_time_restore
    source_type: Production
    target_type: Sandbox
  register: followups

- name: Show the required ones
  ansible.builtin.debug:
    msg: "{{ followups.followups | selectattr('status', 'in', ['required', 'fail']) | map(attribute='instruction') }}"
"""

RETURN = r"""
followups:
  description: The follow-ups that apply, in catalogue order.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: Catalogue id., type: str}
    title: {description: Short title., type: str}
    source: {description: The Microsoft page (and passage) the entry comes from., type: str}
    handling: {description: "C(automated), C(checked) or C(handed_over).", type: str}
    status: {description: "C(done)/C(required) (automated), C(pass)/C(fail) (checked), C(required) (handed over).",
             type: str}
    rows: {description: Rows concerned (automated and checked entries), type: int}
    instruction: {description: What to do., type: str}
    screen_path: {description: Where to do it., type: str}
    reason: {description: Why it is not automated (or what the automation fixes)., type: str}
    feature:
      description: The detected feature the entry depends on (null when it applies whatever the data holds).
      type: str
    automation:
      description: The task that automates the entry (null unless the handling is automated).
      type: str
  sample:
    - {id: commerce_reprovision, handling: handed_over, status: required,
       source: "microsoft-docs/point-in-time-restore-production-to-sandbox.md (...)"}
detection:
  description: Row counts per probe and the features they imply.
  returned: always
  type: dict
  sample: {"counts": {"commerce_channels": 3, "azure_attachments": 15}, "features": {"commerce": true}}
summary:
  description: Follow-ups per status and the ids still required (handed over, automated not done, failed checks).
  returned: always
  type: dict
  sample: {"counts": {"required": 2, "fail": 1}, "required": ["commerce_reprovision"]}
executed_statements:
  description: The queries sent, with row counts.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils import fo_module, followups


def main():
    module = fo_module.new_module(followups.argument_spec())
    db = fo_module.open_database(module)
    try:
        found = followups.report(db, module.params)
    except Exception as exc:
        fo_module.fail(module, db, exc)
    db.close()
    module.exit_json(changed=False, executed_statements=db.log, **found)


if __name__ == "__main__":
    main()
