#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_dual_write_maps
short_description: List and stop the dual-write maps of a Dynamics 365 F&O database before a movement
version_added: 1.2.0
description:
  - Lists the dual-write maps (C(DUALWRITEPROJECTCONFIGURATION)) with their status and, with O(state=stopped), sets
    every map that is not stopped to status 0, so a copy or restore of the linked Dataverse never syncs against it.
  - The status values are not documented (fo-database.md 2.11); 0 is taken as stopped and any other value as
    running, as seeded and observed data show. The maps themselves are kept (dual-write stores them in Dataverse);
    the after-move steps start them again from the returned list.
  - Only maps not yet stopped are changed, so a second run reports C(changed=false).
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_sql
attributes:
  check_mode:
    support: full
    description: Lists the maps that would be stopped.
  diff_mode:
    support: none
    description: The maps with their status before are returned instead.
options:
  state:
    description: V(stopped) stops every running map; V(listed) only lists them.
    type: str
    choices: [stopped, listed]
    default: stopped
"""

EXAMPLES = r"""
- name: Stop the target's dual-write maps before the pair movement
  d365fo.dataalm.fo_dual_write_maps:
    state: stopped
    environment_type: Sandbox
  register: dual_write
"""

RETURN = r"""
maps:
  description: Every map before the change, each with C(project), C(dataverse_table) and C(status) (the status before).
  returned: success
  type: list
  elements: dict
count:
  description: Maps stopped (or that would be stopped in check mode).
  returned: success
  type: int
executed_statements:
  description: The statements run, without values.
  returned: success
  type: list
  elements: str
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils import fo_module

STOPPED = 0  # inferred: see DOCUMENTATION
LISTING = "SELECT PROJECTNAME, EXTERNALENTITYNAME, STATUS FROM DUALWRITEPROJECTCONFIGURATION ORDER BY PROJECTNAME"
RUNNING = "STATUS <> %d" % STOPPED


def main():
    module = fo_module.new_module(dict(state=dict(type="str", choices=["stopped", "listed"], default="stopped")))
    fo_module.guard(module)
    db = fo_module.open_database(module)
    try:
        maps = [{"project": r[0], "dataverse_table": r[1], "status": int(r[2])} for r in db.rows(LISTING, [])]
        count = db.count("DUALWRITEPROJECTCONFIGURATION", RUNNING, []) if module.params["state"] == "stopped" else 0
        if count and not module.check_mode:
            count = db.change_batched("DUALWRITEPROJECTCONFIGURATION", "UPDATE DUALWRITEPROJECTCONFIGURATION SET "
                                      "STATUS = %d, RECVERSION = RECVERSION + 1" % STOPPED, RUNNING, [], 50000)
    except Exception as exc:
        fo_module.fail(module, db, exc)
    db.close()
    module.exit_json(changed=count > 0, maps=maps, count=count, executed_statements=db.log)


if __name__ == "__main__":
    main()
