#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_data_package_import
short_description: Import a data package into a Dynamics 365 F&O environment
version_added: 1.1.0
description:
  - Runs the data management package API of an F&O environment, GetAzureWriteUrl, an upload of O(src) as a block
    blob, ImportFromPackage, then GetExecutionSummaryStatus until the execution has ended.
  - The data project O(definition_group_id) must exist in the target (see M(d365fo.dataalm.fo_data_project)).
  - B(Resumable and idempotent.) The execution id is derived from the package's SHA-256 and the target (environment,
    project, legal entity, overwrite) unless O(execution_id) is given, so a re-run after a crash follows the same
    import and a re-run after success changes nothing.
  - Refuses to start while the environment already runs another import (data management imports must not run in
    parallel), naming the running job.
  - Failed and Canceled fail with the execution's errors and each entity's staging and target error files;
    PartiallySucceeded fails the same way unless O(allow_partial=true). Unknown status values keep the wait going
    with a warning.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_app
  - d365fo.dataalm.fo_app_wait
attributes:
  check_mode:
    support: full
    description: Reads the execution's status and the running jobs; uploads and starts nothing.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  src:
    description: Local path of the data package (a zip).
    type: path
    required: true
  definition_group_id:
    description: Name of the import data project in the target.
    type: str
    required: true
  legal_entity_id:
    description: Legal entity (company) to import into, for example V(USMF).
    type: str
    required: true
  overwrite:
    description: Overwrite existing records (DMF C(overwrite)); must be V(false) for a package with a composite entity.
    type: bool
    default: false
  execution_id:
    description: Execution id to start or follow instead of the derived one.
    type: str
  allow_partial:
    description: Accept a PartiallySucceeded import (with a warning listing its errors).
    type: bool
    default: false
notes:
  - While waiting, the action plugin prints the execution's status and the elapsed time on the controller.
"""

EXAMPLES = r"""
- name: Put the target's settings back after a refresh
  d365fo.dataalm.fo_data_package_import:
    environment_url: https://contoso-uat.sandbox.operations.dynamics.com
    src: /var/lib/dataalm/contoso-uat-settings.zip
    definition_group_id: dataalm-restore-settings
    legal_entity_id: USMF
    overwrite: true
"""

RETURN = r"""
execution_id:
  description: The DMF execution id.
  returned: always
  type: str
status:
  description: Last DMFExecutionSummaryStatus, for example C(Succeeded).
  returned: always
  type: str
action:
  description: V(started), V(followed) (it was running) or V(none) (it had ended).
  returned: always
  type: str
sha256:
  description: SHA-256 of O(src).
  returned: always
  type: str
execution_errors:
  description: Error messages of a failed or partially successful import.
  returned: on failure or partial success
  type: list
  elements: str
entities:
  description:
    - Per entity of the import, its staging and target status, record counts and error file URLs (signatures
      redacted; open the files from the job history in F&O).
  returned: on failure or partial success
  type: list
  elements: dict
running_imports:
  description: The imports that made the task refuse to start.
  returned: when another import runs
  type: list
  elements: dict
timed_out:
  description: True when O(wait_timeout) passed; the import keeps running.
  returned: on timeout
  type: bool
"""

import os

from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import package_tasks
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app.module import FoAppModule


def main():
    fm = FoAppModule(dict(
        src=dict(type="path", required=True),
        definition_group_id=dict(type="str", required=True),
        legal_entity_id=dict(type="str", required=True),
        overwrite=dict(type="bool", default=False),
        execution_id=dict(type="str"),
        allow_partial=dict(type="bool", default=False),
    ), wait=True)
    p = fm.params
    problems = package_tasks.common_problems(p)
    if not os.path.isfile(p["src"]) or not os.access(p["src"], os.R_OK):
        problems.append("src %s must be a readable data package file (zip)" % p["src"])
    elif not package_tasks.is_zip(p["src"]):
        problems.append("src %s is not a zip file; a data package is the zip F&O exports" % p["src"])
    if problems:
        fm.fail("; ".join(problems), changed=False)
    fm.run(lambda: package_tasks.import_task(fm))


if __name__ == "__main__":
    main()
