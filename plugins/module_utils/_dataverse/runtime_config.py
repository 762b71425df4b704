# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dual-write runtime configuration of a Dataverse organisation (``msdyn_dualwriteruntimeconfigs``).

After a copy or restore these rows belong to the source pair ("SecureConfig Organization (X) does not
match actual CRM Organization (Y)"); Microsoft's clean-up deletes every one of them (power-platform.md
§3.1-§3.2). Only names are returned: the rows may hold connection details.
"""

from __future__ import annotations

ENTITY_SET = "msdyn_dualwriteruntimeconfigs"
KEY = "msdyn_dualwriteruntimeconfigid"
FIELDS = [KEY, "msdyn_name", "msdyn_internalentityname", "msdyn_externalentityname"]


def describe(row):
    return {"id": row.get(KEY), "name": row.get("msdyn_name"), "internal_entity": row.get("msdyn_internalentityname"),
            "external_entity": row.get("msdyn_externalentityname")}


def clear(client, check_mode):
    """Delete every runtime configuration row; {'changed', 'deleted': [described rows], 'remaining'}."""
    rows = [describe(row) for row in client.rows(ENTITY_SET, FIELDS)]
    if rows and not check_mode:
        for row in rows:
            client.delete(ENTITY_SET, row["id"])
        remaining = len(client.rows(ENTITY_SET, [KEY]))
    else:
        remaining = len(rows)
    return {"changed": bool(rows), "deleted": rows, "remaining": remaining}
