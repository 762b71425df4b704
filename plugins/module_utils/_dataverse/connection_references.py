# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Re-pointing the connection references of solution flows at the target's own connections.

A flow's connector actions reach their system (SQL, SharePoint, Service Bus, F&O...) through a connection
reference: ``clientdata.properties.connectionReferences.<name>.connection.connectionReferenceLogicalName``
names a ``connectionreferences`` row, whose ``connectionid`` is the connection (in API hub) actually used.
Re-pointing the row is the documented way to move every flow using it to another connection (table
reference: connectionreference, writable ``connectionid``). What a connection talks to is not readable in
Dataverse, so connection references are re-pointed by the mapping the inventory gives, not by the allow-list.
"""

from __future__ import annotations

SET = "connectionreferences"
FIELDS = ["connectionreferenceid", "connectionreferencelogicalname", "connectionreferencedisplayname",
          "connectorid", "connectionid"]


def _logical_name(row):
    return str(row.get("connectionreferencelogicalname") or "").lower()


def check_mapping(mapping):
    """Problems with the inputs: every mapped connection reference needs a connection id."""
    return ["connection_references maps %r to no connection id" % name for name, value in mapping.items() if not value]


def unknown(rows, mapping):
    """Logical names of ``mapping`` the organisation has no connection reference for (an input problem)."""
    known = {_logical_name(row) for row in rows}
    return sorted(name for name in mapping if name.lower() not in known)


def plan(rows, mapping):
    """One re-point action per mapped connection reference whose connection differs from the wanted one."""
    wanted = {name.lower(): str(connection) for name, connection in mapping.items()}
    actions = []
    for row in sorted(rows, key=_logical_name):
        target = wanted.get(_logical_name(row))
        if target is not None and str(row.get("connectionid") or "") != target:
            actions.append({"kind": "connection_reference", "id": row.get("connectionreferenceid"),
                            "name": row.get("connectionreferencelogicalname"), "action": "repoint",
                            "url": row.get("connectionid"), "to": target})
    return actions
