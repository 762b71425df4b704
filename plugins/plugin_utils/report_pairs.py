# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The "pair" part of the run report (kept apart so report.py only calls it).

A linked-pair movement (the linked_pair role, issue 16) moves two things at once: the F&O database through
LCS and the Dataverse environment through Power Platform. The role publishes ``linked_pair_report`` with each
side's operation; the report keeps it per target as ``pair``: the movement, source and target, the instant
and label both sides share, and per side (``finance_and_operations``, ``dataverse``) the operation id, state,
status and the instants it started and finished, so an administrator sees which side is in which state.
"""

from __future__ import annotations

from html import escape

FACT = "linked_pair_report"
SIDES = (("finance_and_operations", "F&O (LCS)"), ("dataverse", "Dataverse (Power Platform)"))
SIDE_KEYS = ("operation_id", "state", "status", "action", "type", "started_at", "completed_at", "message")
PAIR_KEYS = ("movement", "source", "target", "instant", "label")


def harvest(host, data):
    """Take the pair from the role's fact (the latest evaluation wins: it holds each side's last state)."""
    found = (data.get("ansible_facts") or {}).get(FACT)
    if not isinstance(found, dict) or not isinstance(found.get("sides"), dict):
        return
    pair = {key: found.get(key) for key in PAIR_KEYS}
    pair["sides"] = {}
    for side, _title in SIDES:
        values = found["sides"].get(side)
        if isinstance(values, dict):
            pair["sides"][side] = {key: values.get(key) for key in SIDE_KEYS}
    host["pair"] = pair


def _cell(value):
    text = "-" if value in (None, "") else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(host):
    pair = host.get("pair") or {}
    return [(title, pair["sides"][side]) for side, title in SIDES if side in pair.get("sides", {})]


def _heading(pair):
    shared = ", ".join("%s %s" % (key, pair[key]) for key in ("instant", "label") if pair.get(key))
    return "%s of %s%s%s" % (pair.get("movement"), pair.get("target"),
                             " from %s" % pair["source"] if pair.get("movement") == "refresh" else "",
                             " (%s)" % shared if shared else "")


def markdown(host):
    """The per-target "Pair" section: one row per side (empty list when the target is no pair)."""
    rows = _rows(host)
    if not rows:
        return []
    lines = ["### Pair", "", _heading(host["pair"]) + ".", "",
             "| side | operation id | state | status | started | finished | message |",
             "|---|---|---|---|---|---|---|"]
    for title, side in rows:
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            title, _cell(side.get("operation_id")), _cell(side.get("state")), _cell(side.get("status")),
            _cell(side.get("started_at")), _cell(side.get("completed_at")), _cell(side.get("message"))))
    return lines + [""]


def html(host):
    """The per-target "Pair" list of report.html (empty string when the target is no pair)."""
    rows = _rows(host)
    if not rows:
        return ""
    items = ['<li class="side %s">%s: <b>%s</b> <code>%s</code> %s &rarr; %s</li>' % (
        escape(str(side.get("state"))), escape(title), escape(str(side.get("state"))),
        escape(str(side.get("operation_id") or "-")), escape(str(side.get("started_at") or "-")),
        escape(str(side.get("completed_at") or "-"))) for title, side in rows]
    return "<h3>Pair</h3><p>%s</p><ul>%s</ul>" % (escape(_heading(host["pair"])), "".join(items))
