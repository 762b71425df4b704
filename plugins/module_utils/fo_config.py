# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Snapshot and restore of a target environment's own settings that a database movement overwrites.

Each item knows how to capture itself into JSON-able data and how to put it back with UPDATEs only,
changing only rows that differ (so a restore is idempotent) and reporting before/after for diff.
A new item is one more class in ``ITEMS``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile

from ansible_collections.d365fo.dataalm.plugins.module_utils.cleanup import (
    BATCH_STATUS, RECURRING_INTEGRATION_JOBS, split_keep_users)
from ansible_collections.d365fo.dataalm.plugins.module_utils.fo_sql import (
    FoSqlError, glob_to_like, in_list, like_clause)

SNAPSHOT_FORMAT = 1
# SQL Server allows 2100 parameters per statement; stay far below.
IN_CHUNK = 500


def _chunks(values, size=IN_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


class SmtpItem:
    name = "smtp"
    description = "E-mail parameters (SMTP relay, port, user, TLS, batch mailer); never the encrypted password."
    columns = ("SMTPRELAYSERVERNAME", "SMTPPORTNUMBER", "SMTPUSERNAME", "SMTPREQUIRESSL", "SMTPUSENTLM",
               "MAILERNONINTERACTIVE")

    def capture(self, db):
        sql = "SELECT KEY_, %s FROM SYSEMAILPARAMETERS ORDER BY KEY_" % ", ".join(self.columns)
        columns, rows = db.fetch(sql)
        db.record(sql, rows=len(rows))
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def summary(self, data):
        return {"rows": len(data)}

    def restore(self, db, data, check_mode, options=None):
        before, after, changed = [], [], 0
        for wanted in data:
            columns, rows = db.fetch("SELECT KEY_, %s FROM SYSEMAILPARAMETERS WHERE KEY_ = ?" % ", ".join(self.columns),
                                     [wanted["KEY_"]])
            if not rows:
                continue
            current = dict(zip(columns, rows[0], strict=True))
            differs = [c for c in self.columns if current.get(c) != wanted.get(c)]
            if not differs:
                continue
            before.append(current)
            after.append(dict(current, **{c: wanted.get(c) for c in self.columns}))
            if check_mode:
                changed += 1
                continue
            assignments = ", ".join("%s = ?" % c for c in self.columns) + ", RECVERSION = RECVERSION + 1"
            predicate = "KEY_ = ? AND (%s)" % " OR ".join("%s <> ?" % c for c in self.columns)
            values = [wanted.get(c) for c in self.columns]
            changed += db.change("UPDATE SYSEMAILPARAMETERS SET %s WHERE %s" % (assignments, predicate),
                                 values + [wanted["KEY_"]] + values)
        return changed, before, after


class EnabledUsersItem:
    name = "enabled_users"
    description = "The ids of the users that are enabled; restore re-enables them (it never disables anyone)."

    def capture(self, db):
        rows = db.rows("SELECT ID FROM USERINFO WHERE ENABLE = 1 ORDER BY ID")
        return [row[0] for row in rows]

    def summary(self, data):
        return {"count": len(data)}

    def restore(self, db, data, check_mode, options=None):
        disabled = []
        for chunk in _chunks(list(data)):
            rows = db.rows("SELECT ID FROM USERINFO WHERE ENABLE = 0 AND %s ORDER BY ID" % in_list("ID", chunk),
                           chunk)
            disabled.extend(row[0] for row in rows)
        changed = len(disabled)
        if disabled and not check_mode:
            changed = 0
            for chunk in _chunks(disabled):
                changed += db.change("UPDATE USERINFO SET ENABLE = 1, RECVERSION = RECVERSION + 1 "
                                     "WHERE ENABLE = 0 AND %s" % in_list("ID", chunk), chunk)
        return changed, [{"id": u, "enabled": False} for u in disabled], [{"id": u, "enabled": True} for u in disabled]


# Waiting and Scheduled: the statuses a sandbox's own job had and gets back after the movement.
RESUMABLE = (BATCH_STATUS["waiting"], BATCH_STATUS["scheduled"])


class BatchJobsItem:
    name = "batch_jobs"
    description = ("Batch jobs that were Waiting (1) or Scheduled (9). A refresh replaces the jobs with the "
                   "source's, so restore matches them by caption and company and only resumes held (0) ones.")

    def capture(self, db):
        rows = db.rows("SELECT CAPTION, COMPANY, STATUS FROM BATCHJOB WHERE STATUS IN (%s) "
                       "ORDER BY CAPTION, COMPANY, STATUS" % ", ".join(str(s) for s in RESUMABLE))
        seen, jobs = set(), []
        for caption, company, status in rows:
            if (caption, company) not in seen:
                seen.add((caption, company))
                jobs.append({"caption": caption, "company": company, "status": int(status)})
        return jobs

    def summary(self, data):
        return {"count": len(data)}

    def keep_held_integrations(self, db, jobs, previous):
        """``jobs`` plus the recurring integrations ``previous`` recorded that are now held.

        A run stopped between the snapshot and the movement's start holds them; when the re-run snapshots again
        they look held by choice, and the restore after the movement would leave them held for good.
        """
        known = {(job["caption"], job["company"]) for job in jobs}
        where = "CAPTION = ? AND COMPANY = ? AND STATUS = %d AND %s" % (BATCH_STATUS["withhold"],
                                                                        RECURRING_INTEGRATION_JOBS)
        kept = [job for job in previous if (job["caption"], job["company"]) not in known
                and db.scalar("SELECT COUNT(*) FROM BATCHJOB WHERE %s" % where, [job["caption"], job["company"]])]
        return sorted(jobs + kept, key=lambda job: (job["caption"], job["company"]))

    def restore(self, db, data, check_mode, options=None):
        before, after, changed = [], [], 0
        for job in data:
            status = int(job["status"])
            if status not in RESUMABLE:
                raise FoSqlError("snapshot batch job %r has status %s; only %s are restored"
                                 % (job["caption"], status, " and ".join(str(s) for s in RESUMABLE)))
            where = "CAPTION = ? AND COMPANY = ? AND STATUS = %d" % BATCH_STATUS["withhold"]
            if (options or {}).get("keep_recurring_integrations_held"):
                # The integrations clean-up held them on purpose; resuming them would undo it.
                where += " AND NOT %s" % RECURRING_INTEGRATION_JOBS
            keys = [job["caption"], job["company"]]
            held = db.scalar("SELECT COUNT(*) FROM BATCHJOB WHERE %s" % where, keys) or 0
            if not held:
                continue
            before.append({"caption": job["caption"], "company": job["company"], "status": 0, "jobs": int(held)})
            after.append({"caption": job["caption"], "company": job["company"], "status": status, "jobs": int(held)})
            if check_mode:
                changed += int(held)
            else:
                changed += db.change("UPDATE BATCHJOB SET STATUS = ?, RECVERSION = RECVERSION + 1 WHERE %s" % where,
                                     [status] + keys)
        return changed, before, after


ITEMS = {item.name: item for item in (SmtpItem(), EnabledUsersItem(), BatchJobsItem())}


def kept_users_predicate(keep_users):
    """WHERE clause and parameters of the disabled users ``keep_users`` names (ids and sign-in patterns, the
    syntax of the clean-up's keep_users); None when it names nobody. A bad pattern fails here, before connecting."""
    ids, patterns = split_keep_users(keep_users)
    named = [in_list("ID", ids)] if ids else []
    named += [like_clause("NETWORKALIAS")] * len(patterns)
    if not named:
        return None
    return "ENABLE = 0 AND (%s)" % " OR ".join(named), ids + [glob_to_like(p) for p in patterns]


def enable_kept_users(db, predicate, check_mode):
    """Enable the users of ``kept_users_predicate`` (never disables anyone): those enabled (or that would be)."""
    where, values = predicate
    rows = db.rows("SELECT ID, NETWORKALIAS FROM USERINFO WHERE %s ORDER BY ID" % where, values)
    if rows and not check_mode:
        db.change("UPDATE USERINFO SET ENABLE = 1, RECVERSION = RECVERSION + 1 WHERE %s" % where, values)
    return [{"id": row[0], "network_alias": row[1], "enabled": True} for row in rows]


def select_items(names):
    names = list(names or ITEMS)
    unknown = [n for n in names if n not in ITEMS]
    if unknown:
        raise FoSqlError("unknown item(s) %s; known: %s" % (", ".join(unknown), ", ".join(ITEMS)))
    return [ITEMS[n] for n in names]


def capture(db, names):
    return {item.name: item.capture(db) for item in select_items(names)}


def read_snapshot(path):
    try:
        with open(path, "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise FoSqlError("cannot read snapshot %s: %s" % (path, exc)) from None
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT or not isinstance(data.get("items"), dict):
        raise FoSqlError("%s is not a d365fo.dataalm configuration snapshot (format %s)" % (path, SNAPSHOT_FORMAT))
    return data


def write_snapshot_atomic(path, document):
    """Write JSON with mode 0600 via a temporary file in the same directory and an atomic rename."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".snapshot-", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, sort_keys=True, default=str)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
