#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_app_followup_info
short_description: The follow-ups Microsoft documents after a database movement, evaluated through the application layer
version_added: 1.1.0
description:
  - The same catalogue as M(d365fo.dataalm.fo_followup_info), for a run without a SQL connection (an unattended refresh,
    a point-in-time restore cleaned up through data entities).
  - Follow-ups that depend on no data (the LCS SQL-credential readers after a copy of production) are listed as usual.
  - Features a data entity exposes are detected by reading one record (Commerce from C(RetailChannels) and
    C(RetailHardwareProfiles), Financial Reporting from the enabled C(FRServiceUser) in C(SystemUsers)); each such
    follow-up names its evidence in RV(followups[].detected_by). The entity names are inferred from a real F&O
    C($metadata).
  - Features no data entity exposes (attachments stored in Azure Blob storage, custom Office templates), or whose
    entity the identity cannot read, are not dropped - their follow-ups are listed with status C(not_checked) and
    the reason in RV(followups[].not_checked), so the administrator knows what nobody looked at.
  - Read-only; never changes the environment.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_app
  - d365fo.dataalm.followups
attributes:
  check_mode:
    support: full
    description: Read-only; reads the same records in check mode.
  diff_mode:
    support: none
    description: Nothing changes.
notes:
  - The identity needs read access to C(SystemUsers), C(RetailChannels) and C(RetailHardwareProfiles); an entity it
    cannot read (HTTP 403), that the environment does not serve (HTTP 404) or whose query its F&O version refuses
    (HTTP 400) leaves its feature not checked, with what to change and F&O's request id. A feature is still found
    when another of its entities shows it in use.
  - An identity the environment does not accept at all (HTTP 401) fails the task with what to change.
  - With a SQL connection, use M(d365fo.dataalm.fo_followup_info) (or the post_restore role over SQL), which also counts
    the attachment and template rows.
seealso:
  - module: d365fo.dataalm.fo_followup_info
"""

EXAMPLES = r"""
- name: What the unattended refresh leaves to do on UAT
  d365fo.dataalm.fo_app_followup_info:
    environment_url: https://contoso-uat.sandbox.operations.dynamics.com
    movement_kind: refresh
    source_type: Production
    target_type: Sandbox
  register: followups

- name: Show what was not checked without SQL
  ansible.builtin.debug:
    msg: "{{ followups.followups | selectattr('status', 'equalto', 'not_checked') | map(attribute='not_checked') }}"
"""

RETURN = r"""
followups:
  description: The follow-ups that apply (or may apply, when not checked), in catalogue order.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: Catalogue id., type: str}
    title: {description: Short title., type: str}
    source: {description: The Microsoft page (and passage) the entry comes from., type: str}
    handling: {description: "C(automated), C(checked) or C(handed_over).", type: str}
    status:
      description:
        - C(required) (handed over, or automated and not done), C(not_checked) (its feature could not be read without
          SQL). C(pass)/C(fail)/C(done) need row counts, which only M(d365fo.dataalm.fo_followup_info) reads.
      type: str
    rows: {description: Always null here (no row counts without SQL)., type: int}
    instruction: {description: What to do., type: str}
    screen_path: {description: Where to do it., type: str}
    reason: {description: Why it is not automated (or what the automation fixes)., type: str}
    feature:
      description: The detected feature the entry depends on (null when it applies whatever the data holds).
      type: str
    automation: {description: The task that automates the entry (null unless automated)., type: str}
    detected_by:
      description: The entity sets the feature was detected from (inferred names).
      type: str
      returned: when the entry's feature was detected through the application layer
    not_checked:
      description: Why the entry's feature was not checked, and what would check it.
      type: str
      returned: when status is C(not_checked)
  sample:
    - {id: commerce_reprovision, handling: handed_over, status: required,
       detected_by: "application layer (entity names INFERRED from a real F&O $metadata): RetailChannels, ..."}
    - {id: office_templates_in_blob_storage, handling: checked, status: not_checked,
       not_checked: "needs SQL (fo_followup_info): no data entity exposes DOCUTEMPLATE"}
detection:
  description:
    - C(found) (probe -> a record exists), C(features) (true, false, or null when not checked), C(evidence) (feature ->
      entity sets read), C(not_checked) (feature -> reason), C(transport) (C(application)), C(counts) (empty).
  returned: always
  type: dict
  sample: {"found": {"commerce_channels": true}, "features": {"commerce": true, "office_templates": null}}
summary:
  description: Follow-ups per status, the ids still required and the ids not checked.
  returned: always
  type: dict
  sample: {"counts": {"required": 2, "not_checked": 2}, "required": ["commerce_reprovision"],
           "not_checked": ["office_templates_in_blob_storage"]}
api_calls:
  description: HTTP requests made, retries included.
  returned: always
  type: int
api_retries:
  description: Retried requests by reason (HTTP status or C(connection)).
  returned: when a request was retried
  type: dict
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils import followups
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import followups_task
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app.module import FoAppModule


def main():
    fm = FoAppModule(followups.argument_spec())
    fm.run(lambda: followups_task.run(fm))


if __name__ == "__main__":
    main()
