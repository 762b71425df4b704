# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fo_app_followup_info: the follow-up catalogue (``followups.py``) evaluated through data entities, without SQL.

Each feature the catalogue detects declares its entity probes there (FEATURE_ENTITY_PROBES); this reads one
record per probe. A feature without an entity, or whose entity this identity cannot read, is returned as
not checked with the reason, never dropped.
"""

from __future__ import annotations

from .. import followups
from .client import FoError

# What the environment may answer to a probe without the run being wrong: the entity does not exist in this F&O
# version (404), the identity may not read it (403), or this version refuses the probe's query, e.g. a field the
# inferred names do not match (400). The feature then stays unknown, with what to change; any other refusal (401:
# the identity is not accepted at all) fails the module, as every module of the application layer does.
UNREADABLE = {
    404: ("this environment does not serve %(entity)s",
          "its F&O version may not have the entity: run fo_followup_info over SQL to check %(feature)s"),
    403: ("the user this run signs in as may not read %(entity)s",
          "give that user a security role that can (for an application, the user it is mapped to under System "
          "administration > Setup > Microsoft Entra applications), or run fo_followup_info over SQL to check "
          "%(feature)s"),
    400: ("this environment refused the query on %(entity)s",
          "its F&O version may name the fields differently: run fo_followup_info over SQL to check %(feature)s"),
}


def any_record(client, probe):
    records = client.records(probe.entity, filter=probe.filter or None, select=[probe.key] if probe.key else None,
                             cross_company=probe.cross_company, top=1)
    return next(iter(records), None) is not None


def unreadable_reason(feature, probe, exc):
    """Why ``feature`` could not be checked and what to change, in the user's terms (not the client's advice on
    entity names, which the user does not choose here), with F&O's own words and activity id for support."""
    said = "HTTP %s" % exc.status + (", request id %s" % exc.request_id if exc.request_id else "")
    if exc.detail:
        said += ": %s" % exc.detail
    what, change = UNREADABLE[exc.status]
    names = {"entity": probe.entity, "feature": feature.replace("_", " ")}
    return "%s (%s); %s" % (what % names, said, change % names)


def detect(client):
    """One record per probe; a feature is in use when any readable probe finds a record, unknown when none does
    and one of its probes could not be read."""
    found, unreadable = {}, {}
    for feature, probes in followups.FEATURE_ENTITY_PROBES.items():
        reasons = []
        for name, probe in probes.items():
            try:
                found[name] = any_record(client, probe)
            except FoError as exc:
                if exc.status not in UNREADABLE:
                    raise
                reasons.append(unreadable_reason(feature, probe, exc))
        if reasons and not any(found.get(name) for name in probes):
            unreadable[feature] = "; ".join(reasons)
    return followups.application_detection(found, unreadable)


def run(fm):
    return dict(changed=False, **followups.report_from(detect(fm.client), fm.params))
