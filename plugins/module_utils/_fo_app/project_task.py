# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fo_data_project: a data project (category Configuration) with exactly the given entities and sequence.

Entity sets (INFERRED, FOMETA): DataManagementDefinitionGroups (key Name; ProjectCategory, OperationType),
DataManagementDefinitionGroupDetails (keys DefinitionGroupId, EntityName; ExecutionUnit,
LevelInExecutionUnit, SequenceInLevel, SourceFormat), DataManagementEntities (key EntityName).
"""

from __future__ import annotations

from .records import Planned, apply, differing, diff_of, key_label

GROUPS = "DataManagementDefinitionGroups"
DETAILS = "DataManagementDefinitionGroupDetails"
ENTITIES = "DataManagementEntities"


def desired_details(p):
    """One row per entity: its place in the sequence (execution unit, level, sequence) and file format."""
    rows = []
    for position, item in enumerate(p["entities"], start=1):
        rows.append({"EntityName": item["entity"], "ExecutionUnit": item.get("execution_unit") or 1,
                     "LevelInExecutionUnit": item.get("level") or 1,
                     "SequenceInLevel": item.get("sequence") or position,
                     "SourceFormat": item.get("source_format") or p["source_format"]})
    return rows


def problems_of(p):
    problems = []
    names = [item.get("entity") for item in p["entities"] or []]
    if not (p["name"] or "").strip() or len(p["name"]) > 60:
        problems.append("name must be the data project's name, 1 to 60 characters")
    if not names or not all(names):
        problems.append("entities must list at least one entity, each with its data management name (entity), "
                        "e.g. 'Customers V3'")
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    if duplicates:
        problems.append("entities lists %s more than once" % ", ".join(duplicates))
    for item in p["entities"] or []:
        for field in ("execution_unit", "level", "sequence"):
            if item.get(field) is not None and item[field] < 1:
                problems.append("entities[%s].%s must be 1 or more" % (item.get("entity"), field))
    return problems


def ensure(fm):
    p, client = fm.params, fm.client
    # a copy's entity list may be stale: refresh it first (never in check mode, it is an action)
    initialized = bool(p["initialize"]) and not fm.check_mode
    if initialized:
        client.action(GROUPS, "InitializeDataManagement", {})
    unknown = [row["EntityName"] for row in desired_details(p)
               if client.record(ENTITIES, {"EntityName": row["EntityName"]}, cross_company=False) is None]
    if unknown:
        fm.fail("unknown data management entities: %s; use the names shown in Data management > Data entities "
                "(Entity column), e.g. 'Customers V3'" % ", ".join(unknown), changed=False)
    planned = _project_changes(fm) + _detail_changes(fm)
    result = dict(changed=bool(planned), name=p["name"], changes=[c.method + " " + key_label(c.key) for c in planned],
                  initialized=initialized)
    if fm.module._diff:
        result["diff"] = diff_of(planned)
    if planned and not fm.check_mode:
        fm.known = dict(changed=True)
        apply(client, planned, 100)
    return result


def _project_changes(fm):
    p, client = fm.params, fm.client
    wanted = {"ProjectCategory": "Configuration", "OperationType": p["operation"]}
    if p["description"] is not None:
        wanted["Description"] = p["description"]
    key = {"Name": p["name"]}
    current = client.record(GROUPS, key, cross_company=False)
    if current is None:
        body = dict(key, **wanted)
        return [Planned("POST", client.data_url + "/" + GROUPS, body, None, key, None, body)]
    change = differing(current, wanted)
    if not change:
        return []
    before = {name: current.get(name) for name in change}
    return [Planned("PATCH", client.record_url(GROUPS, key, False), change, current.get("@odata.etag"), key, before,
                    change)]


def _detail_changes(fm):
    p, client = fm.params, fm.client
    literal = "'%s'" % p["name"].replace("'", "''")
    rows = client.records(DETAILS, filter="DefinitionGroupId eq %s" % literal, cross_company=False)
    current = {row["EntityName"]: row for row in rows}
    planned = []
    for row in desired_details(p):
        key = {"DefinitionGroupId": p["name"], "EntityName": row["EntityName"]}
        have = current.pop(row["EntityName"], None)
        if have is None:
            body = dict(key, **row)
            planned.append(Planned("POST", client.data_url + "/" + DETAILS, body, None, key, None, body))
            continue
        change = differing(have, {k: v for k, v in row.items() if k != "EntityName"})
        if change:
            planned.append(Planned("PATCH", client.record_url(DETAILS, key, False), change, have.get("@odata.etag"),
                                   key, {k: have.get(k) for k in change}, change))
    for name, have in sorted(current.items()) if p["purge"] else ():
        key = {"DefinitionGroupId": p["name"], "EntityName": name}
        planned.append(Planned("DELETE", client.record_url(DETAILS, key, False), None, have.get("@odata.etag"), key,
                               {"EntityName": name}, None))
    return planned
