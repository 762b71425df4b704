# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which outbound wiring of a Dataverse organisation points outside the target's allow-list, and what to
do about it (a copied sandbox must never talk to production, issue 17).

Three kinds of wiring send data out: service endpoints (Service Bus, Event Hub, Event Grid; ``serviceendpoints``
with ``namespaceaddress`` or ``url``), webhooks (``serviceendpoints`` with ``url``, contract 8) and flows
(``workflows`` of category 5, their URLs inside ``clientdata``, ``flows.py``). An endpoint has no on/off switch
in Dataverse: it sends while an enabled ``sdkmessageprocessingsteps`` row names it as event handler, so it is
neutralised by disabling those steps, or re-pointed by rewriting its address when ``repoint`` maps it. A flow
is re-pointed when ``repoint`` maps every outside address it names (its ``clientdata`` rewritten, its state
kept: an "off" flow re-pointed stays off, so turning it on later is safe); otherwise a flow that is on is
turned off. Connector actions go through connection references, re-pointed by ``connection_references.py``.

Allow-list entries: a host (``contoso-uat.servicebus.windows.net``), a wildcard host (``*.contoso-test.com``)
or a URL prefix (``https://hooks.contoso.com/uat/``); a URL is allowed when any entry matches it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .flows import flow_urls, rewritten_clientdata

ENDPOINT_ADDRESS_FIELDS = ("url", "namespaceaddress")
FLOW_CATEGORY = 5  # modern flow
STEP_ENABLED, STEP_DISABLED = (0, 1), (1, 2)  # (statecode, statuscode)
FLOW_ON, FLOW_OFF = (1, 2), (0, 1)


def url_allowed(url, allow_list):
    host = (urlsplit(url).hostname or "").lower()
    for entry in allow_list:
        entry = str(entry).strip().lower()
        if "://" in entry:
            if url.lower().startswith(entry):
                return True
        elif entry.startswith("*."):
            if host.endswith(entry[1:]):
                return True
        elif host == entry:
            return True
    return False


def repointed(url, repoint):
    """The URL with the first matching ``repoint`` prefix replaced, or None when none matches."""
    for prefix, replacement in sorted(repoint.items(), key=lambda item: -len(item[0])):
        if url.lower().startswith(prefix.lower()):
            return replacement + url[len(prefix):]
    return None


def endpoint_address(row):
    """(field, address) of a service endpoint or webhook; (None, None) when it names none."""
    for field in ENDPOINT_ADDRESS_FIELDS:
        if row.get(field):
            return field, str(row[field])
    return None, None


def _endpoint_actions(endpoint, steps, allow_list, repoint):
    field, address = endpoint_address(endpoint)
    if address is None or url_allowed(address, allow_list):
        return []
    name, endpoint_id = endpoint.get("name"), endpoint.get("serviceendpointid")
    target = repointed(address, repoint)
    if target is not None:
        return [{"kind": "endpoint", "id": endpoint_id, "name": name, "action": "repoint", "url": address,
                 "field": field, "to": target}]
    mine = [s for s in steps if str(s.get("_eventhandler_value") or "").lower() == str(endpoint_id).lower()
            and s.get("statecode") == STEP_ENABLED[0]]
    return [{"kind": "step", "id": s.get("sdkmessageprocessingstepid"), "name": s.get("name"), "action": "disable",
             "url": address, "endpoint": name} for s in mine]


def plan(endpoints, steps, flows, allow_list, repoint):
    """The changes that neutralise what points outside the allow-list (empty when nothing does)."""
    actions = []
    for endpoint in endpoints:
        actions.extend(_endpoint_actions(endpoint, steps, allow_list, repoint))
    for flow in flows:
        if flow.get("category") == FLOW_CATEGORY:
            actions.extend(_flow_actions(flow, allow_list, repoint))
    return actions


def _flow_actions(flow, allow_list, repoint):
    """Re-point a flow whose every outside address ``repoint`` maps; otherwise turn it off if it is on."""
    outside_urls = [url for url in flow_urls(flow) if not url_allowed(url, allow_list)]
    if not outside_urls:
        return []
    action = {"kind": "flow", "id": flow.get("workflowid"), "name": flow.get("name"), "url": outside_urls[0]}
    targets = {url: repointed(url, repoint) for url in outside_urls}
    clientdata = rewritten_clientdata(flow, targets.get) if all(targets.values()) else None
    if clientdata is not None:
        return [dict(action, action="repoint", to=targets[outside_urls[0]], clientdata=clientdata)]
    if flow.get("statecode") == FLOW_ON[0]:
        return [dict(action, action="disable")]
    return []


def outside(endpoints, steps, flows, allow_list):
    """Every endpoint, webhook and flow whose address is outside the allow-list; ``on`` says whether it can
    still send (an endpoint with an enabled step, a flow that is on)."""
    found = []
    for endpoint in endpoints:
        _field, address = endpoint_address(endpoint)
        if address is not None and not url_allowed(address, allow_list):
            endpoint_id = str(endpoint.get("serviceendpointid")).lower()
            on = any(str(s.get("_eventhandler_value") or "").lower() == endpoint_id
                     and s.get("statecode") == STEP_ENABLED[0] for s in steps)
            found.append({"kind": "endpoint", "name": endpoint.get("name"), "url": address, "on": on})
    for flow in flows:
        urls = [url for url in flow_urls(flow) if not url_allowed(url, allow_list)]
        if urls:
            found.append({"kind": "flow", "name": flow.get("name"), "url": urls[0],
                          "on": flow.get("statecode") == FLOW_ON[0]})
    return found


def change_of(action):
    """(entity set, row id, body) of one planned action."""
    if action["kind"] == "connection_reference":
        return "connectionreferences", action["id"], {"connectionid": action["to"]}
    if action["kind"] == "flow" and action["action"] == "repoint":
        return "workflows", action["id"], {"clientdata": action["clientdata"]}
    if action["action"] == "repoint":
        return "serviceendpoints", action["id"], {action["field"]: action["to"]}
    if action["kind"] == "step":
        disabled = {"statecode": STEP_DISABLED[0], "statuscode": STEP_DISABLED[1]}
        return "sdkmessageprocessingsteps", action["id"], disabled
    return "workflows", action["id"], {"statecode": FLOW_OFF[0], "statuscode": FLOW_OFF[1]}


def check_repoint(allow_list, repoint):
    """Problems with the inputs: a re-point target must itself be allowed, or every run would re-point again."""
    return ["repoint target %r of %r is not in allow_list" % (target, prefix)
            for prefix, target in repoint.items() if not url_allowed(str(target), allow_list)]
