# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Environment facts with what only extra calls know: the F&O deployment type and free capacity.

Both extra reads are optional: a service principal often may not read F&O properties (d365bap.tools
#95), and tenant capacity needs tenant-wide rights. Their failure never fails the task; the facts then
fall back to ``finOpsMetadata.type`` and the result says why.
"""

from __future__ import annotations

from .errors import PpError
from .model import environment_facts, free_database_capacity_mb


def _finops_properties(client, environment, notes):
    if not environment.get("finOpsMetadata"):
        return None  # no linked finance and operations environment: nothing to ask
    environment_id = environment.get("id")
    try:
        return client.finops_properties(environment_id)
    except PpError as exc:
        notes.append("finance and operations properties of %s could not be read (HTTP %s); unified vs LCS-managed "
                     "comes from finOpsMetadata.type instead" % (environment_id, exc.status))
        return None


def _free_capacity(client, notes):
    try:
        return free_database_capacity_mb(client.tenant_capacity())
    except PpError as exc:
        notes.append("the tenant's capacity could not be read (HTTP %s); free_capacity_mb is unknown" % exc.status)
        return None


def describe(client, environment_id=None, with_capacity=True):
    """(environments facts, notes): one environment or all of them (every page)."""
    notes = []
    rows = [client.environment(environment_id)] if environment_id else client.environments()
    capacity = _free_capacity(client, notes) if with_capacity and rows else None
    environments = []
    for row in rows:
        facts = environment_facts(row, _finops_properties(client, row, notes))
        facts["free_capacity_mb"] = capacity
        environments.append(facts)
    environments.sort(key=lambda facts: (str(facts["name"] or "").lower(), str(facts["id"])))
    return environments, notes
