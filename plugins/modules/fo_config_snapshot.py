#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_config_snapshot
short_description: Capture an F&O environment's own settings before a database movement overwrites them
version_added: 1.0.0
description:
  - Reads the target database's own settings that a refresh or restore replaces with the source's (the SMTP
    settings, the set of enabled users, the batch jobs that were waiting or scheduled) and writes them to a
    JSON file with mode C(0600), atomically.
  - Read-only on the database. The file is rewritten only when the captured settings differ from the file's,
    which is then reported as C(changed).
  - Use M(d365fo.dataalm.fo_config_restore) after the movement to put the settings back.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_sql
attributes:
  check_mode:
    support: full
    description: Reads the database and reports whether the file would change, without writing it.
  diff_mode:
    support: none
    description: The file is the record.
options:
  path:
    description:
      - Snapshot file on the controller. A missing directory is created private (mode 0700); an existing one keeps
        its mode. It holds user ids and host names, no secrets.
    type: path
    required: true
  items:
    description:
      - Items to capture; default all.
    type: list
    elements: str
    choices: [smtp, enabled_users, batch_jobs]
  hold_recurring_integrations:
    description:
      - After the snapshot is taken, hold the batch jobs of recurring integrations, as M(d365fo.dataalm.fo_batch_job)
        with O(d365fo.dataalm.fo_batch_job#module:state=held) and
        O(d365fo.dataalm.fo_batch_job#module:recurring_integrations=true) would, so that no file is orphaned by the
        copy; the snapshot keeps their status from before. Passes the production / Tier-1 guard first.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Keep the sandbox's own settings before the refresh
  d365fo.dataalm.fo_config_snapshot:
    connection_string: "{{ uat_odbc_connection_string }}"
    path: "{{ playbook_dir }}/state/uat-config.json"

- name: Keep the sandbox's own settings and quiesce its recurring integrations before the refresh
  d365fo.dataalm.fo_config_snapshot:
    connection_string: "{{ uat_odbc_connection_string }}"
    environment_type: Sandbox
    path: "{{ playbook_dir }}/state/uat-config.json"
    hold_recurring_integrations: true
"""

RETURN = r"""
path:
  description: The snapshot file.
  returned: always
  type: str
snapshot:
  description: Per item a summary of what was captured (row or entry counts).
  returned: always
  type: dict
  sample: {"smtp": {"rows": 1}, "enabled_users": {"count": 12}, "batch_jobs": {"count": 4}}
database:
  description:
    - Server and database the snapshot was read from, as the ODBC driver reports them; also written to the file so
      M(d365fo.dataalm.fo_database_target) can prove the clean-up after the movement reaches the same database.
  returned: success
  type: dict
  sample: {"server": "spartan-srv-eu-1234.database.windows.net", "database": "db_contoso_uat"}
held:
  description:
    - The recurring integration jobs held (or that would be), as RV(d365fo.dataalm.fo_batch_job#module:count) and
      RV(d365fo.dataalm.fo_batch_job#module:jobs) of M(d365fo.dataalm.fo_batch_job).
  returned: when O(hold_recurring_integrations=true)
  type: dict
  sample: {"count": 1, "jobs": [{"job_id": 5637144576, "caption": "Recurring integration import", "company": "USMF",
                                 "previous_status": 1, "status": 0}]}
executed_statements:
  description: The queries sent, with parameters and row counts.
  returned: always
  type: list
  elements: dict
"""

import datetime
import json
import os

from ansible_collections.d365fo.dataalm.plugins.module_utils import batch_jobs, fo_config, fo_module, fo_sql


def main():
    module = fo_module.new_module(
        dict(
            path=dict(type="path", required=True),
            items=dict(type="list", elements="str", choices=list(fo_config.ITEMS)),
            hold_recurring_integrations=dict(type="bool", default=False),
        ),
    )
    path = module.params["path"]
    hold = module.params["hold_recurring_integrations"]
    if hold:
        fo_module.guard(module)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory) and not module.check_mode:
        # created private: snapshots hold the sandbox's own settings (an existing directory keeps its mode)
        os.makedirs(directory, mode=0o700, exist_ok=True)
    db = fo_module.open_database(module)
    try:
        items = fo_config.capture(db, module.params["items"])
        # Recorded so that the clean-up after the movement can prove it reaches the same database.
        database = db.identity()
        previous = read_previous(path, database)
        if hold and "batch_jobs" in items and previous:
            items["batch_jobs"] = fo_config.ITEMS["batch_jobs"].keep_held_integrations(
                db, items["batch_jobs"], previous.get("items", {}).get("batch_jobs") or [])
    except Exception as exc:
        fo_module.fail(module, db, exc)
    # JSON round trip so values compare the way they will be read back.
    items = json.loads(json.dumps(items, default=str))
    changed = write_snapshot(module, path, items, database)
    result = dict(path=path, database=database,
                  snapshot={name: fo_config.ITEMS[name].summary(data) for name, data in items.items()})
    if hold:
        # after the snapshot, which keeps the jobs' own status for the restore after the movement
        try:
            result["held"] = batch_jobs.set_status(db, batch_jobs.HOLD_RECURRING_INTEGRATIONS, module.check_mode)
        except Exception as exc:
            fo_module.fail(module, db, exc, changed=changed, **result)
        changed = changed or result["held"]["count"] > 0
    db.close()
    module.exit_json(changed=changed, executed_statements=db.log, **result)


def read_previous(path, database=None):
    """The snapshot already at ``path`` (of ``database`` when given), None when there is none or it is unreadable."""
    if not os.path.exists(path):
        return None
    try:
        previous = fo_config.read_snapshot(path)
    except fo_sql.FoSqlError:
        return None
    return previous if database is None or previous.get("database") == database else None


def write_snapshot(module, path, items, database):
    """Write the snapshot when it differs from the file there (never in check mode); whether it differed."""
    previous = read_previous(path)
    changed = previous is None or previous.get("items") != items or previous.get("database") != database
    if changed and not module.check_mode:
        document = {
            "format": fo_config.SNAPSHOT_FORMAT,
            "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "items": items,
            "database": database,
        }
        fo_config.write_snapshot_atomic(path, document)
    return changed


if __name__ == "__main__":
    main()
