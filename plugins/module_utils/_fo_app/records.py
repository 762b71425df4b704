# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fo_entity's plan: which records are not yet in the desired state, and the changes that put them there.

Only records that differ change, so a second run sends nothing. Changes go out in ``$batch`` requests of
``batch_size`` changes, one changeset (one transaction) each.
"""

from __future__ import annotations

from .batch import BatchChange
from .odata import same_value, wire_value

SECRET_MASK = "********"
DIFF_LIMIT = 100  # records shown in the diff; a bulk change of 10,000 users would drown the output


class Planned:
    def __init__(self, method, url, body, etag, key, before, after):
        self.method = method
        self.url = url
        self.body = body
        self.etag = etag
        self.key = key
        self.before = before
        self.after = after


def differing(record, values):
    """The fields of ``values`` that ``record`` does not hold yet, in the form F&O expects."""
    return {name: wire_value(record.get(name), value) for name, value in values.items()
            if not same_value(record.get(name), value)}


def key_of(record, key_fields):
    return {name: record.get(name) for name in key_fields}


def key_label(key):
    return ",".join("%s=%s" % item for item in key.items())


def plan_present(client, entity, records, values, key_fields, cross_company, create_key=None, secrets=None):
    """Updates for ``records`` that differ from ``values``; a create when ``create_key`` names a missing record.

    ``secrets`` go along with a create or an update but never cause one: F&O does not read them back
    (for example BusinessEventsEndpoints.DecryptedAzureAppSecret), so they cannot be compared.
    """
    secrets = secrets or {}
    masked = dict.fromkeys(secrets, SECRET_MASK)
    if create_key is not None and not records:
        body = dict(create_key, **values)
        url = client.data_url + "/" + entity + ("?cross-company=true" if cross_company else "")
        return [Planned("POST", url, dict(body, **secrets), None, create_key, None, dict(body, **masked))]
    planned = []
    for record in records:
        change = differing(record, values)
        if change:
            key = key_of(record, key_fields)
            before = {name: record.get(name) for name in change}
            planned.append(Planned("PATCH", client.record_url(entity, key, cross_company), dict(change, **secrets),
                                   record.get("@odata.etag"), key, before, dict(change, **masked)))
    return planned


def plan_absent(client, entity, records, key_fields, cross_company):
    planned = []
    for record in records:
        key = key_of(record, key_fields)
        before = {k: v for k, v in record.items() if not k.startswith("@odata")}
        planned.append(Planned("DELETE", client.record_url(entity, key, cross_company), None,
                               record.get("@odata.etag"), key, before, None))
    return planned


def apply(client, planned, batch_size, on_batch=None):
    """Send the planned changes: one request for a single change, ``$batch`` of ``batch_size`` otherwise."""
    if len(planned) == 1:
        only = planned[0]
        client.change(only.method, only.url, only.body, etag=only.etag,
                      what="%s %s" % (only.method, key_label(only.key)))
        return 1
    sent = 0
    for start in range(0, len(planned), batch_size):
        chunk = planned[start:start + batch_size]
        changes = [BatchChange(p.method, p.url, p.body, headers={"If-Match": p.etag or "*"}
                               if p.method != "POST" else None) for p in chunk]
        client.batch(changes)
        sent += len(chunk)
        if on_batch is not None:
            on_batch(sent, len(planned))
    return sent


def diff_of(planned):
    """Before/after keyed by record key, for --diff (at most DIFF_LIMIT records)."""
    before, after = {}, {}
    for change in planned[:DIFF_LIMIT]:
        label = key_label(change.key)
        if change.before is not None:
            before[label] = change.before
        if change.after is not None:
            after[label] = change.after
    diff = {"before": before, "after": after}
    if len(planned) > DIFF_LIMIT:
        diff["after_header"] = "first %d of %d changed records" % (DIFF_LIMIT, len(planned))
    return diff
