# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run state kept inside the environment when no SQL connection is given.

The SQL transport keeps it in a table of its own (``fo_target``); the application layer cannot create
tables, so the state is the description of a data project the collection owns (``DataALM-RunState``,
category Other). Like the table, it lives in the target's database: a movement replaces it, and every
controller reads the same state. F&O's description field holds 60 characters, so the environment id and
the movement (generation) are kept as short fingerprints; the decision itself is ``fo_target.decide``,
the same rules as with SQL.
"""

from __future__ import annotations

import hashlib
import re

from .. import cleanup
from .cleanup_task import plan_action

PROJECT = "DataALM-RunState"
ENTITY = "DataManagementDefinitionGroups"
MARKER = re.compile(r"^dataalm:1;e=(?P<environment_id>[0-9a-f]{10});g=(?P<generation>[0-9a-f]{10}|);"
                    r"s=(?P<state>cleaning|verified)$")


def fingerprint(value):
    """10 hex digits of SHA-256 (lower-cased, dashes dropped): enough to tell environments and movements apart."""
    text = re.sub(r"[{}\-\s]", "", str(value or "")).lower()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10] if text else ""


def marker_text(environment_id, generation, state):
    return "dataalm:1;e=%s;g=%s;s=%s" % (fingerprint(environment_id), fingerprint(generation), state)


def read_marker(client):
    record = client.record(ENTITY, {"Name": PROJECT}, cross_company=False)
    match = MARKER.match(str((record or {}).get("Description") or "").strip())
    return match.groupdict() if match else {}


def observe(client, environment_url):
    """What ``fo_target.decide`` needs, read through entities: enabled users as disable_users selects them, and
    batch jobs an LCS refresh would have withheld."""
    users = cleanup.STEPS["disable_users"].entity_actions({"keep_users": []})[0]
    # what an LCS copy never holds: Scheduled jobs survive the refresh, so they cannot tell a copy from a live one
    held = " or ".join("Status eq %s" % cleanup.enum_literal("BatchStatus", cleanup.BATCH_STATUS_NAMES[value])
                       for value in cleanup.LCS_HELD_BATCH_STATUS_VALUES)
    jobs = cleanup.EntityAction("BatchJobs", held, {"Status": "Hold"})
    host = re.sub(r"^https://", "", environment_url or "").split("/")[0].lower()
    return {"server": host, "database": host, "marker": read_marker(client),
            "enabled_users": len(plan_action(client, users)), "active_batch_jobs": len(plan_action(client, jobs))}


def request_of(p, names):
    """The decision's request with fingerprints where the marker keeps fingerprints."""
    return {"purpose": "cleanup", "environment_id": fingerprint(p["environment_id"]),
            "environment_name": p["environment_name"] or p["environment_id"],
            "generation": fingerprint(p["generation"]), "force": p["force"], "confirm_database": p["confirm"],
            "host": p["host"], "names": names}


def write_marker(client, environment_id, generation, state):
    text = marker_text(environment_id, generation, state)
    values = {"Description": text, "ProjectCategory": "Other", "OperationType": "Import"}
    found = client.record(ENTITY, {"Name": PROJECT}, cross_company=False)
    if found is None:
        client.change("POST", client.data_url + "/" + ENTITY, dict(values, Name=PROJECT), what="create " + PROJECT)
    elif found.get("Description") != text:
        client.change("PATCH", client.record_url(ENTITY, {"Name": PROJECT}, False), {"Description": text},
                      etag=found.get("@odata.etag"), what="update " + PROJECT)
    return MARKER.match(text).groupdict()
