# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The post-restore invariants, read with the clean-up catalogue's own predicates.

Verification is the catalogue in check mode expecting zero rows: a user the ``disable_users`` step
would still disable, a batch job the ``hold_batch_jobs`` step would still hold (minus the jobs the
run resumed on purpose) and an address the ``email_addresses`` step would still change each break
an invariant. So the batch statuses, the service accounts and the e-mail rules exist only in
``cleanup.py`` and can never drift between clean-up and verification.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup

SAMPLE = 20  # offenders named in a detail; the count is always complete


def expected_state(params, snapshot_items):
    """What a clean copy looks like: kept users, resumed jobs and the relay, incl. restored items."""
    restored = {name: snapshot_items[name] for name in params.get("restore_items") or () if name in snapshot_items}
    relay = params.get("smtp_relay") or ""
    if not relay and restored.get("smtp"):
        relay = restored["smtp"][0].get("SMTPRELAYSERVERNAME") or ""
    return {
        "keep_users": list(params.get("keep_users") or []) + list(restored.get("enabled_users") or []),
        "resume_batch_jobs": list(params.get("resume_batch_jobs") or []),
        "resumed_jobs": list(restored.get("batch_jobs") or []),
        "email_mode": params.get("email_mode") or "blank",
        "email_mask_domain": params.get("email_mask_domain") or cleanup.DEFAULT_MASK_DOMAIN,
        "smtp_relay": relay,
    }


def _offenders(db, table, column, where, params):
    count = db.count(table, where, params)
    if not count:
        return count, []
    rows = db.rows("SELECT %s FROM %s WHERE %s ORDER BY %s" % (column, table, where, column), params,
                   max_rows=SAMPLE * 5)
    names = []
    for row in rows:
        if row[0] not in names:
            names.append(row[0])
    return count, names[:SAMPLE]


def _check(name, count, names, ok_text, bad_text):
    detail = ok_text if not count else "%d %s: %s" % (count, bad_text, ", ".join(str(n) for n in names))
    return {"name": name, "passed": not count, "detail": detail}


def verify(db, expected):
    """One ``{name, passed, detail}`` per invariant, in a fixed order."""
    users = cleanup.STEPS["disable_users"].actions({"keep_users": expected["keep_users"]})[0]
    jobs_where, jobs_params = cleanup.active_batch_jobs(expected["resume_batch_jobs"], expected["resumed_jobs"])
    email = cleanup.STEPS["email_addresses"].actions(expected)[0]
    checks = [
        _check("no_enabled_user_outside_keep_list", *_offenders(db, "USERINFO", "ID", users.where, users.params),
               "only kept users are enabled", "enabled user(s) outside the keep list"),
        _check("no_waiting_batch_job_outside_resume_list",
               *_offenders(db, "BATCHJOB", "CAPTION", jobs_where, jobs_params),
               "only chosen batch jobs would run", "batch job(s) that would run outside the resume list"),
    ]
    addresses = db.count(email.table, email.where, email.params)
    checks.append({"name": "no_real_email_address", "passed": not addresses,
                   "detail": "%d e-mail address(es) neither blank nor masked" % addresses})
    relays = [row[0] or "" for row in db.rows("SELECT SMTPRELAYSERVERNAME FROM SYSEMAILPARAMETERS")]
    checks.append({"name": "smtp_relay_is_the_sandbox_s",
                   "passed": all(relay == expected["smtp_relay"] for relay in relays),
                   "detail": "relay '%s', expected '%s'" % (", ".join(relays), expected["smtp_relay"])})
    return checks
