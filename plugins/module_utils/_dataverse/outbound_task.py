# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read a Dataverse organisation's outbound wiring, neutralise what points outside the allow-list and re-point
the mapped connection references (never in check mode), and report what remains (the body of
dataverse_outbound_integrations)."""

from __future__ import annotations

from .._movement.errors import InputError
from . import connection_references
from .outbound import FLOW_CATEGORY, change_of, outside, plan

ENDPOINT_FIELDS = ["serviceendpointid", "name", "contract", "url", "namespaceaddress", "path"]
STEP_FIELDS = ["sdkmessageprocessingstepid", "name", "_eventhandler_value", "statecode", "statuscode"]
FLOW_FIELDS = ["workflowid", "name", "category", "statecode", "statuscode", "clientdata"]


def read_wiring(client):
    return (client.rows("serviceendpoints", ENDPOINT_FIELDS),
            client.rows("sdkmessageprocessingsteps", STEP_FIELDS),
            client.rows("workflows", FLOW_FIELDS, "category eq %d" % FLOW_CATEGORY))


def _connection_actions(client, mapping):
    """Re-point actions of the mapped connection references; an unknown name fails before any change."""
    if not mapping:
        return []
    rows = client.rows(connection_references.SET, connection_references.FIELDS)
    unknown = connection_references.unknown(rows, mapping)
    if unknown:
        raise InputError("connection_references names %s, which the organisation has no connection reference "
                         "for: use the connectionreferencelogicalname of a connectionreferences row"
                         % ", ".join(unknown))
    return connection_references.plan(rows, mapping)


def neutralise(client, allow_list, repoint, check_mode, connection_mapping=None):
    """{'changed', 'actions', 'outside'}; ``outside`` is the state after the task (in check mode: before)."""
    endpoints, steps, flows = read_wiring(client)
    actions = _connection_actions(client, connection_mapping) + plan(endpoints, steps, flows, allow_list, repoint)
    if actions and not check_mode:
        for action in actions:
            client.update(*change_of(action))
        endpoints, steps, flows = read_wiring(client)
    shown = [{key: value for key, value in action.items() if key != "clientdata"} for action in actions]
    return {"changed": bool(actions), "actions": shown, "outside": outside(endpoints, steps, flows, allow_list)}
