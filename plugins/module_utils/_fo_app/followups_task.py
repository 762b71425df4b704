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

# an entity the environment does not serve (404) or the identity may not read (403): the feature stays unknown
UNREADABLE = (403, 404)


def any_record(client, probe):
    records = client.records(probe.entity, filter=probe.filter or None, select=[probe.key] if probe.key else None,
                             cross_company=probe.cross_company, top=1)
    return next(iter(records), None) is not None


def detect(client):
    found, unreadable = {}, {}
    for feature, probes in followups.FEATURE_ENTITY_PROBES.items():
        for name, probe in probes.items():
            try:
                found[name] = any_record(client, probe)
            except FoError as exc:
                if exc.status not in UNREADABLE:
                    raise
                unreadable[feature] = "reading %s failed (%s); run fo_followup_info over SQL" % (probe.entity, exc)
                break
    return followups.application_detection(found, unreadable)


def run(fm):
    return dict(changed=False, **followups.report_from(detect(fm.client), fm.params))
