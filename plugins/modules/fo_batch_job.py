#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_batch_job
short_description: Hold or resume Dynamics 365 F&O batch jobs in the database
version_added: 1.0.0
description:
  - Sets batch jobs (BATCHJOB) to Withhold (V(held), status 0) or Waiting (V(waiting), status 1), selected by
    caption pattern, company, task class, current status or job id.
  - Only jobs not yet in the wanted state are changed, in RECID batches with a commit each, so a second run
    reports C(changed=false) and a million jobs keep memory flat.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_sql
attributes:
  check_mode:
    support: full
    description: Counts and lists the jobs that would change.
  diff_mode:
    support: none
    description: The changed jobs are returned instead.
options:
  state:
    description:
      - V(held) sets the jobs to Withhold; V(waiting) sets them to Waiting.
    type: str
    choices: [held, waiting]
    required: true
  caption_pattern:
    description:
      - Pattern on the job caption where C(*) matches any text and C(?) one character.
    type: str
  company:
    description:
      - Legal entity (BATCHJOB.COMPANY), for example V(usmf).
    type: str
  class_number:
    description:
      - Only jobs with at least one task (BATCH) of this class id.
    type: int
  statuses:
    description:
      - Current statuses to act on (BatchStatus 0-9). Default for V(held) is Waiting, Executing, Ready, Cancelling
        and Scheduled (1, 2, 5, 7, 9); for V(waiting) it is Withhold (0).
    type: list
    elements: int
  job_ids:
    description:
      - Job RECIDs.
    type: list
    elements: int
  recurring_integrations:
    description:
      - Only the batch jobs of recurring integrations (the import/export job and its monitoring job of every
        INTEGRATIONACTIVITYRUNTIMETABLE row), for example to hold them before a movement orphans their files.
    type: bool
    default: false
  batch_size:
    description:
      - Width of the RECID range changed per transaction.
    type: int
    default: 50000
  max_reported:
    description:
      - At most this many changed jobs are listed in RV(jobs); RV(count) always has the total.
    type: int
    default: 1000
"""

EXAMPLES = r"""
- name: Hold every job that would run
  d365fo.dataalm.fo_batch_job:
    connection_string: "{{ odbc_connection_string }}"
    environment_type: Sandbox
    state: held

- name: Resume the sandbox's own e-mail distributor
  d365fo.dataalm.fo_batch_job:
    connection_string: "{{ odbc_connection_string }}"
    environment_type: Sandbox
    state: waiting
    caption_pattern: "Email distributor*"

- name: Hold the recurring integrations before the database is replaced
  d365fo.dataalm.fo_batch_job:
    connection_string: "{{ odbc_connection_string }}"
    environment_type: Sandbox
    state: held
    recurring_integrations: true
"""

RETURN = r"""
jobs:
  description: The jobs changed (or that would change), at most O(max_reported).
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: BATCHJOB RECID.
      type: int
    caption:
      description: Job caption.
      type: str
    company:
      description: Legal entity.
      type: str
    previous_status:
      description: Status before the change.
      type: int
    status:
      description: Status after the change.
      type: int
count:
  description: Number of jobs changed (or that would change).
  returned: always
  type: int
executed_statements:
  description: Statements sent, with parameters and row counts.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils import batch_jobs, fo_module, fo_sql


def main():
    module = fo_module.new_module(
        dict(
            state=dict(type="str", choices=["held", "waiting"], required=True),
            caption_pattern=dict(type="str"),
            company=dict(type="str"),
            class_number=dict(type="int"),
            statuses=dict(type="list", elements="int"),
            job_ids=dict(type="list", elements="int"),
            recurring_integrations=dict(type="bool", default=False),
            batch_size=dict(type="int", default=50000),
            max_reported=dict(type="int", default=1000),
        ),
    )
    params = module.params
    try:
        batch_jobs.build_predicate(params)  # a wrong option fails before connecting
        if params["batch_size"] < 1 or params["max_reported"] < 0:
            raise fo_sql.FoSqlError("batch_size must be at least 1 and max_reported at least 0")
    except fo_sql.FoSqlError as exc:
        module.fail_json(msg=str(exc), changed=False)
    fo_module.guard(module)

    db = fo_module.open_database(module)
    try:
        changed = batch_jobs.set_status(db, params, module.check_mode, params["batch_size"], params["max_reported"])
    except Exception as exc:
        fo_module.fail(module, db, exc)
    db.close()
    module.exit_json(changed=changed["count"] > 0, executed_statements=db.log, **changed)


if __name__ == "__main__":
    main()
