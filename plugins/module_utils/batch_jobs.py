# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hold or release F&O batch jobs (BATCHJOB.STATUS) chosen by caption, company, class, id or recurring integration.

Used by fo_batch_job, and by fo_config_snapshot to quiesce the recurring integrations right after it
captured the target's own batch job states (one module run instead of two before a movement).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup, fo_sql

DEFAULT_STATUSES = {"held": list(cleanup.ACTIVE_BATCH_STATUS_VALUES), "waiting": [cleanup.BATCH_STATUS["withhold"]]}
TARGET_STATUS = {"held": cleanup.BATCH_STATUS["withhold"], "waiting": cleanup.BATCH_STATUS["waiting"]}
# the recurring integrations held before a movement so that no file is orphaned by the copy
HOLD_RECURRING_INTEGRATIONS = {"state": "held", "recurring_integrations": True}


def build_predicate(params):
    """WHERE clause and parameters selecting the jobs ``params`` (fo_batch_job's options) change."""
    target = TARGET_STATUS[params["state"]]
    statuses = params.get("statuses") or DEFAULT_STATUSES[params["state"]]
    bad = [s for s in statuses if s not in cleanup.BATCH_STATUS.values()]
    if bad:
        raise fo_sql.FoSqlError("statuses must be BatchStatus values 0-9, not %s" % bad)
    statuses = [s for s in statuses if s != target]
    if not statuses:
        raise fo_sql.FoSqlError("statuses only contains the wanted status %d; nothing could change" % target)
    where = ["STATUS IN (%s)" % ", ".join(str(int(s)) for s in statuses)]
    values = []
    if params.get("caption_pattern"):
        where.append(fo_sql.like_clause("CAPTION"))
        values.append(fo_sql.glob_to_like(params["caption_pattern"]))
    if params.get("company"):
        where.append("COMPANY = ?")
        values.append(params["company"])
    if params.get("class_number") is not None:
        where.append("RECID IN (SELECT BATCHJOBID FROM BATCH WHERE CLASSNUMBER = ?)")
        values.append(params["class_number"])
    if params.get("job_ids"):
        where.append(fo_sql.in_list("RECID", params["job_ids"]))
        values.extend(params["job_ids"])
    if params.get("recurring_integrations"):
        where.append(cleanup.RECURRING_INTEGRATION_JOBS)
    return " AND ".join(where), values


def set_status(db, params, check_mode, batch_size=50000, max_reported=1000):
    """Move the jobs ``params`` select to its state (nothing changes in check mode): {count, jobs}."""
    where, values = build_predicate(params)
    target = TARGET_STATUS[params["state"]]
    count = db.count("BATCHJOB", where, values)
    jobs = []
    if count and max_reported:
        listing = "SELECT RECID, CAPTION, COMPANY, STATUS FROM BATCHJOB WHERE %s ORDER BY RECID" % where
        rows = db.rows(listing, values, max_rows=max_reported)
        jobs = [{"job_id": int(r[0]), "caption": r[1], "company": r[2], "previous_status": int(r[3]),
                 "status": target} for r in rows]
    if count and not check_mode:
        count = db.change_batched("BATCHJOB", "UPDATE BATCHJOB SET STATUS = %d, RECVERSION = RECVERSION + 1"
                                  % target, where, values, batch_size)
    return {"count": count, "jobs": jobs}
