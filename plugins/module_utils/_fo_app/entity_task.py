# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fo_entity task: check the request, read the records, change only those that differ."""

from __future__ import annotations

import re

from .. import _progress
from .entities import key_fields_for
from .records import apply, diff_of, key_label, plan_absent, plan_present

ENTITY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_BATCH_SIZE = 1000
STRIP = ("@odata.etag",)


def problems_of(p):
    """Every reason the request cannot run, each saying what to change (checked before any call)."""
    problems = []
    state, key, values, filter_ = p["state"], p["key"], p["values"], p["filter"]
    if not ENTITY_NAME.match(p["entity"] or ""):
        problems.append("entity must be an entity set name such as SystemUsers (letters, digits, _); got %r"
                        % p["entity"])
    if key is not None and filter_ is not None:
        problems.append("give key (one record) or filter (many records), not both")
    if state != "read" and key is None and not filter_:
        problems.append("state=%s needs key (one record) or filter (an OData $filter such as \"Enabled eq true\")"
                        % state)
    if filter_ is not None and (not filter_.strip() or re.search(r"(^|&)\$?[a-z-]+=", filter_)):
        problems.append("filter must be the text of an OData $filter only (no '$filter=', no '&'); got %r" % filter_)
    if key is not None and (not key or any(isinstance(v, (dict, list)) or v is None for v in key.values())):
        problems.append("key must map each key field to a single value, e.g. {UserID: alice}")
    if state == "present" and not values:
        problems.append("state=present needs values: the fields and the values the records must hold")
    if state != "present" and (values or p["secret_values"]):
        problems.append("values and secret_values are only used with state=present")
    for name in sorted(set(values or {}) & set(p["secret_values"] or {})):
        problems.append("%s is in both values and secret_values; keep it in one" % name)
    for name in sorted(set(values or {}) & set(key or {})):
        if values[name] != key[name]:
            problems.append("values.%s differs from key.%s: a key field cannot be changed" % (name, name))
    if filter_ and state != "read" and not key_fields_for(p["entity"], p["key_fields"]):
        problems.append("key_fields is required to change %s records found by filter (the entity's key fields, "
                        "e.g. [dataAreaId, CustomerAccount])" % p["entity"])
    if not 1 <= p["batch_size"] <= MAX_BATCH_SIZE:
        problems.append("batch_size must be between 1 and %d" % MAX_BATCH_SIZE)
    return problems


def _clean(record):
    return {k: v for k, v in record.items() if k not in STRIP}


def _records(fm, fields):
    p, client = fm.params, fm.client
    if p["key"] is not None:
        found = client.record(p["entity"], p["key"], p["cross_company"])
        return [found] if found is not None else []
    return list(client.records(p["entity"], filter=p["filter"], select=fields, cross_company=p["cross_company"]))


def read(fm):
    p = fm.params
    records = [_clean(r) for r in _records(fm, p["select"])]
    return dict(changed=False, records=records, count=len(records))


def ensure(fm):
    """state=present / absent: plan against the current records, then apply unless in check mode."""
    p, client = fm.params, fm.client
    key_fields = tuple(p["key"] or ()) or key_fields_for(p["entity"], p["key_fields"])
    fields = sorted(set(key_fields) | set(p["values"] or {})) if p["filter"] else None
    records = _records(fm, fields)
    if p["state"] == "present":
        planned = plan_present(client, p["entity"], records, p["values"], key_fields, p["cross_company"],
                               create_key=p["key"], secrets=p["secret_values"])
    else:
        planned = plan_absent(client, p["entity"], records, key_fields, p["cross_company"])
    counts = {"create": 0, "update": 0, "delete": 0}
    for change in planned:
        counts[{"POST": "create", "PATCH": "update", "DELETE": "delete"}[change.method]] += 1
    result = dict(changed=bool(planned), matched=len(records), created=counts["create"], updated=counts["update"],
                  deleted=counts["delete"], changed_keys=[key_label(c.key) for c in planned[:100]])
    if fm.module._diff:
        result["diff"] = diff_of(planned)
    if planned and not fm.check_mode:
        fm.known = dict(changed=True)  # a later batch may fail after earlier ones went through
        result["requests"] = 1 if len(planned) == 1 else -(-len(planned) // p["batch_size"])
        progress = _progress.from_environment()  # live lines on the controller (plugin_utils/progress.py)
        apply(client, planned, p["batch_size"],
              on_batch=lambda done, total: progress.update(p["entity"], done, total, unit="records"))
    return result
