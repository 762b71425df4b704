#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_data_project
short_description: Ensure a Dynamics 365 F&O data management project with the given entities and sequence exists
version_added: 1.1.0
description:
  - Creates or corrects a data project (definition group) of category C(Configuration) so that data package export
    and import work, also on a target whose projects a database movement replaced.
  - The project holds exactly O(entities), in their order (execution unit, level, sequence); entities that are not
    listed are removed unless O(purge=false).
  - Every entity name is checked against the environment's data management entities before anything changes.
  - B(Idempotent.) A project that already matches is left alone.
  - The entity sets used (C(DataManagementDefinitionGroups), C(DataManagementDefinitionGroupDetails),
    C(DataManagementEntities)) are not documented by Microsoft; their names and fields come from F&O metadata.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_app
attributes:
  check_mode:
    support: full
    description: Reads the project and reports the changes it would make.
  diff_mode:
    support: full
    description: Before and after of the project and of each entity row that changes.
options:
  name:
    description:
      - Name of the data project (the definition group id used by the package modules).
    type: str
    required: true
  operation:
    description:
      - What the project is for.
    type: str
    choices: [Export, Import]
    default: Export
  description:
    description:
      - Description of the project; left as it is when omitted.
    type: str
  entities:
    description:
      - The project's entities in the order they are processed.
    type: list
    elements: dict
    required: true
    suboptions:
      entity:
        description:
          - Data management entity name as listed under Data management > Data entities, for example
            V(Customers V3).
        type: str
        required: true
      execution_unit:
        description: Execution unit; default 1.
        type: int
      level:
        description: Level in the execution unit; default 1.
        type: int
      sequence:
        description: Sequence in the level; default the entity's position in the list.
        type: int
      source_format:
        description: Source data format of this entity; default O(source_format).
        type: str
  source_format:
    description:
      - Source data format of the entities. Composite entities need an XML format.
    type: str
    default: XML-Element
  purge:
    description:
      - Remove entities of the project that O(entities) does not list.
    type: bool
    default: true
  initialize:
    description:
      - Refresh the environment's data entity list first (the C(InitializeDataManagement) action, not documented by
        Microsoft; community tools call it after a database movement). Not called in check mode.
    type: bool
    default: false
    version_added: 1.1.0
"""

EXAMPLES = r"""
- name: A configuration project for the settings a refresh must keep
  d365fo.dataalm.fo_data_project:
    environment_url: https://contoso-uat.sandbox.operations.dynamics.com
    name: dataalm-keep-settings
    operation: Export
    entities:
      - entity: Email parameters
      - entity: Batch jobs
      - entity: Business events endpoints
"""

RETURN = r"""
name:
  description: The project's name.
  returned: always
  type: str
initialized:
  description: Whether the data entity list was refreshed (O(initialize)).
  returned: always
  type: bool
changes:
  description: The changes made (or that would be, in check mode), as C(METHOD key) text.
  returned: always
  type: list
  elements: str
api_calls:
  description: HTTP requests made, retries included.
  returned: always
  type: int
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import project_task
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app.module import FoAppModule


def main():
    fm = FoAppModule(dict(
        name=dict(type="str", required=True),
        operation=dict(type="str", choices=["Export", "Import"], default="Export"),
        description=dict(type="str"),
        entities=dict(type="list", elements="dict", required=True, options=dict(
            entity=dict(type="str", required=True),
            execution_unit=dict(type="int"),
            level=dict(type="int"),
            sequence=dict(type="int"),
            source_format=dict(type="str"),
        )),
        source_format=dict(type="str", default="XML-Element"),
        purge=dict(type="bool", default=True),
        initialize=dict(type="bool", default=False),
    ))
    problems = project_task.problems_of(fm.params)
    if problems:
        fm.fail("; ".join(problems), changed=False)
    fm.run(lambda: project_task.ensure(fm))


if __name__ == "__main__":
    main()
