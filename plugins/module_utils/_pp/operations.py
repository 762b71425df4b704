# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Following Power Platform lifecycle operations: read one, wait on one, list an environment's recent ones."""

from __future__ import annotations

from .provider import to_operation
from .status import FAILED, SUCCEEDED, operation_facts


def recent(client, environment_id, limit):
    """The environment's operations, newest first, at most ``limit``."""
    rows = client.operations(environment_id, limit=limit)
    facts = [operation_facts(row, environment_id) for row in rows]
    facts.sort(key=lambda fact: fact["started_at"] or "", reverse=True)
    return facts[:limit]


def follow(pm, operation_id, environment_id=None, wait=False):
    """Facts of one operation, after waiting for it to finish when ``wait``; fails when it ended badly."""
    client = pm.client
    latest = {}

    def fetch():
        latest.clear()
        latest.update(operation_facts(client.operation(operation_id, environment_id), environment_id))
        latest["operation_id"] = latest["operation_id"] or operation_id
        return to_operation(latest)

    if wait:
        pm.waiter(fetch).wait()
    else:
        fetch()
    result = dict(latest, changed=False, done=latest["state"] in (SUCCEEDED, FAILED))
    if wait and latest["state"] == FAILED:
        pm.fail("operation %s ended with status %s: %s" % (
            operation_id, latest["status"], latest["error_message"] or "the service gave no error details"), **result)
    return result
