#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_entity
short_description: Read, create, update or delete records of a Dynamics 365 F&O data entity through OData
version_added: 1.1.0
description:
  - Works on the records of one data entity (OData entity set) of an F&O environment through its application layer,
    so no database credentials are needed.
  - One record by O(key), or many by O(filter). V(present) creates the O(key) record when it is missing and sets
    O(values) on every matching record that does not hold them yet; V(absent) deletes; V(read) returns the records.
  - B(Idempotent.) Only records that differ from O(values) change, so a second run sends no change. Many changes go
    out as OData C($batch) requests of O(batch_size) changes; each batch is one transaction in F&O.
  - Throttled requests (HTTP 429) wait for the service's C(Retry-After). F&O's own error message and its activity id
    (C(ms-dyn-aid)) are in the failure.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_app
attributes:
  check_mode:
    support: full
    description: Reads the records and reports what would change; sends no change.
  diff_mode:
    support: full
    description: Before and after of the changed fields, keyed by record (at most 100 records).
options:
  entity:
    description:
      - Entity set name, case-sensitive and usually plural, for example V(SystemUsers), V(BatchJobs),
        V(EmailParameters), V(SysAADClients), V(BusinessEventsEndpoints), V(DataManagementDefinitionGroups).
    type: str
    required: true
  state:
    description:
      - V(present) sets O(values), V(absent) deletes, V(read) returns RV(records).
    type: str
    choices: [present, absent, read]
    default: present
  key:
    description:
      - "The key fields and values of one record, for example C({UserID: alice}) or
        C({dataAreaId: usmf, CustomerAccount: US-001}) for an entity that is per company."
      - With V(present) a missing record is created from O(key) and O(values).
    type: dict
  filter:
    description:
      - An OData C($filter) selecting many records, for example C(Enabled eq true and UserID ne 'Admin').
        Enum values are written C(Microsoft.Dynamics.DataEntities.BatchStatus'Waiting').
      - Records found by filter are only updated or deleted, never created.
    type: str
  values:
    description:
      - Field values the records must hold (V(present) only). V(true)/V(false) are sent as V(Yes)/V(No) to fields
        that hold a NoYes enum.
    type: dict
  secret_values:
    description:
      - Secret field values, for example C(DecryptedAzureAppSecret) of a business event endpoint. Never logged and
        masked in the diff.
      - F&O does not return secrets, so they cannot be compared; they are sent when the record is created or when
        O(values) change it, and never cause a change on their own.
    type: dict
  key_fields:
    description:
      - The entity's key fields, needed to change records found by O(filter). Known for the entities the collection
        uses (inferred from F&O metadata), for example V(UserID) for V(SystemUsers).
    type: list
    elements: str
  select:
    description:
      - Fields to return with V(read) (C($select)); all fields when omitted.
    type: list
    elements: str
  cross_company:
    description:
      - Add C(cross-company=true), so entities that are per company return (and find) the records of every legal
        entity, not only of the user's default company. Harmless for entities that are not per company.
    type: bool
    default: true
  batch_size:
    description:
      - Changes per C($batch) request (one changeset, one transaction).
    type: int
    default: 100
"""

EXAMPLES = r"""
- name: Disable every user except the administrator after a refresh
  d365fo.dataalm.fo_entity:
    environment_url: https://contoso-uat.sandbox.operations.dynamics.com
    client_id: "{{ fo_client_id }}"
    client_secret: "{{ fo_client_secret }}"
    tenant_id: contoso.onmicrosoft.com
    entity: SystemUsers
    filter: "Enabled eq true and UserID ne 'Admin'"
    values:
      Enabled: false

- name: Point the e-mail parameters at the test relay
  d365fo.dataalm.fo_entity:
    entity: EmailParameters
    key: {ID: 0}
    values:
      SMTPRelayServerName: smtp.test.contoso.com
      SMTPPortNumber: 587

- name: Read the batch jobs that are waiting
  d365fo.dataalm.fo_entity:
    entity: BatchJobs
    state: read
    filter: "Status eq Microsoft.Dynamics.DataEntities.BatchStatus'Waiting'"
    select: [BatchJobRecId, JobDescription, Status]
  register: waiting

- name: Remove a business event endpoint
  d365fo.dataalm.fo_entity:
    entity: BusinessEventsEndpoints
    key: {Name: prod-service-bus}
    state: absent
"""

RETURN = r"""
records:
  description: The records read (V(read) only), without OData annotations.
  returned: state is read
  type: list
  elements: dict
count:
  description: Number of RV(records).
  returned: state is read
  type: int
matched:
  description: Records that matched O(key) or O(filter).
  returned: state is present or absent
  type: int
created:
  description: Records created (or that would be, in check mode).
  returned: state is present or absent
  type: int
updated:
  description: Records updated (or that would be).
  returned: state is present or absent
  type: int
deleted:
  description: Records deleted (or that would be).
  returned: state is present or absent
  type: int
changed_keys:
  description: Keys of the changed records, as C(Field=value) text (at most 100).
  returned: state is present or absent
  type: list
  elements: str
requests:
  description: Change requests sent (one per C($batch)).
  returned: when something changed
  type: int
api_calls:
  description: HTTP requests made, retries included.
  returned: always
  type: int
api_retries:
  description: Retried requests by reason (HTTP status or C(connection)).
  returned: when a request was retried
  type: dict
request_id:
  description: F&O's activity id (C(ms-dyn-aid)) of the request that failed.
  returned: on failure from F&O
  type: str
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import entity_task
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app.module import FoAppModule


def main():
    fm = FoAppModule(dict(
        entity=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent", "read"], default="present"),
        key=dict(type="dict", no_log=False),
        filter=dict(type="str"),
        values=dict(type="dict"),
        secret_values=dict(type="dict", no_log=True),
        key_fields=dict(type="list", elements="str", no_log=False),
        select=dict(type="list", elements="str"),
        cross_company=dict(type="bool", default=True),
        batch_size=dict(type="int", default=100),
    ))
    problems = entity_task.problems_of(fm.params)
    if problems:
        fm.fail("; ".join(problems), changed=False)
    fm.run(lambda: entity_task.read(fm) if fm.params["state"] == "read" else entity_task.ensure(fm))


if __name__ == "__main__":
    main()
