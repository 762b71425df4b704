#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_data_package_export
short_description: Export a Dynamics 365 F&O data project to a data package and download it
version_added: 1.1.0
description:
  - Runs the data management package API of an F&O environment, ExportToPackage, then GetExecutionSummaryStatus until
    the execution has ended, then GetExportedPackageUrl, and streams the package to O(dest). An interrupted download
    continues from where it stopped, also when the package URL's signature expired meanwhile.
  - The data project O(definition_group_id) must exist (see M(d365fo.dataalm.fo_data_project)).
  - B(Resumable and idempotent.) The execution id is derived from the environment, project, package name and legal
    entity unless O(execution_id) is given, so a re-run follows the running export, or reuses the finished one and
    downloads only when O(dest) does not hold its package yet. O(reexecute=true) exports afresh.
  - Status values Unknown, NotRun, Executing, Succeeded, PartiallySucceeded, Failed and Canceled are handled; a value
    F&O adds later keeps the wait going with a warning. Failed and Canceled fail with the execution's errors;
    PartiallySucceeded fails unless O(allow_partial=true).
  - F&O keeps packages for 7 days.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_app
  - d365fo.dataalm.fo_app_wait
attributes:
  check_mode:
    support: full
    description: Reads the execution's status and reports the RV(action) it would take; starts nothing.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  definition_group_id:
    description: Name of the export data project.
    type: str
    required: true
  package_name:
    description: Name F&O gives the package file.
    type: str
    required: true
  legal_entity_id:
    description: Legal entity (company) to export from, for example V(USMF).
    type: str
    required: true
  dest:
    description: Local path of the downloaded package (a zip). Its directory must exist.
    type: path
    required: true
  reexecute:
    description: Export again even when the execution already succeeded (DMF C(reExecute)).
    type: bool
    default: false
  execution_id:
    description: Execution id to start or follow instead of the derived one.
    type: str
  allow_partial:
    description: Accept a PartiallySucceeded export (with a warning listing its errors).
    type: bool
    default: false
notes:
  - While waiting, the action plugin prints the execution's status and the elapsed time on the controller.
"""

EXAMPLES = r"""
- name: Keep the target's settings before a refresh
  d365fo.dataalm.fo_data_package_export:
    environment_url: https://contoso-uat.sandbox.operations.dynamics.com
    definition_group_id: dataalm-keep-settings
    package_name: keep-settings
    legal_entity_id: USMF
    dest: /var/lib/dataalm/contoso-uat-settings.zip
  register: settings
"""

RETURN = r"""
execution_id:
  description: The DMF execution id (give it back as O(execution_id) to follow the same execution).
  returned: always
  type: str
status:
  description: Last DMFExecutionSummaryStatus, for example C(Succeeded).
  returned: always
  type: str
action:
  description: V(started), V(followed) (it was running) or V(reused) (it had ended).
  returned: always
  type: str
dest:
  description: Path of the package.
  returned: always
  type: str
sha256:
  description: SHA-256 of the package at O(dest).
  returned: when the package is at O(dest)
  type: str
downloaded:
  description: Whether this run wrote O(dest).
  returned: when the execution ended
  type: bool
execution_errors:
  description: Error messages of a failed or partially successful execution.
  returned: on failure or partial success
  type: list
  elements: str
timed_out:
  description: True when O(wait_timeout) passed; the execution keeps running.
  returned: on timeout
  type: bool
"""

import os

from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import package_tasks
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app.module import FoAppModule


def main():
    fm = FoAppModule(dict(
        definition_group_id=dict(type="str", required=True),
        package_name=dict(type="str", required=True),
        legal_entity_id=dict(type="str", required=True),
        dest=dict(type="path", required=True),
        reexecute=dict(type="bool", default=False),
        execution_id=dict(type="str"),
        allow_partial=dict(type="bool", default=False),
    ), wait=True)
    p = fm.params
    problems = package_tasks.common_problems(p)
    directory = os.path.dirname(p["dest"]) or "."
    if not os.path.isdir(directory) or not os.access(directory, os.W_OK):
        problems.append("dest %s: its directory %s must exist and be writable" % (p["dest"], directory))
    if os.path.isdir(p["dest"]):
        problems.append("dest %s is a directory; give the package's file path, e.g. %s/package.zip"
                        % (p["dest"], p["dest"].rstrip("/")))
    if not (p["package_name"] or "").strip():
        problems.append("package_name must not be empty")
    if problems:
        fm.fail("; ".join(problems), changed=False)
    fm.run(lambda: package_tasks.export_task(fm))


if __name__ == "__main__":
    main()
