# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The "follow-ups" part of the run report (kept apart so report.py only calls it).

``fo_followup_info`` (or the post_restore role's ``post_restore_followups_found`` fact) gives each target a
list of follow-ups with a status: ``done`` / ``pass`` need nothing, ``fail`` is a check that failed,
``required`` is an automated step not done yet or a step handed over to the administrator. Neither
fails the run (the movement itself succeeded; these are the administrator's next steps): the summary
line counts them and JUnit shows each as a skipped test carrying the instruction, so pipelines surface
them without turning red. ``not_checked`` (a run without SQL could not read the feature the entry depends
on) is counted and shown the same way, with the reason instead of a verdict: never silently dropped.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

FACT = "post_restore_followups_found"
# hook (issue 17): other roles publish <role>_followups_found (holding the post_restore ones too)
FACT_SUFFIX = "_followups_found"
PENDING = ("required", "fail")
NOT_CHECKED = "not_checked"


def harvest(host, data):
    """Take follow-ups from a module result or from the role's fact (the latest evaluation wins)."""
    found = data.get("followups")
    facts = data.get("ansible_facts") or {}
    for key, value in facts.items():
        if (key == FACT or key.endswith(FACT_SUFFIX)) and isinstance(value, list):
            found = value
    if isinstance(found, list) and (not found or isinstance(found[0], dict)):
        host["followups"] = [item for item in found if isinstance(item, dict)]


def required(host):
    return [item for item in host.get("followups") or [] if item.get("status") in PENDING]


def not_checked(host):
    return [item for item in host.get("followups") or [] if item.get("status") == NOT_CHECKED]


def _plural(count, word):
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


def summary_note(report):
    """Text for the summary line: how many follow-ups remain required (and not checked), on how many targets."""
    hosts = [host for host in report["hosts"].values() if required(host) or not_checked(host)]
    if not hosts:
        return ""
    count = sum(len(required(host)) for host in hosts)
    unread = sum(len(not_checked(host)) for host in hosts)
    parts = ([_plural(count, "follow-up") + " required"] if count else []) + (
        [_plural(unread, "follow-up") + " not checked (no SQL)"] if unread else [])
    return " %s on %s (see Follow-ups)." % (", ".join(parts), _plural(len(hosts), "target"))


def _cell(value):
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _state(item):
    status = item.get("status") or "planned"
    if status == NOT_CHECKED:
        return "not checked: " + _cell(item.get("not_checked") or "needs SQL")
    if item.get("handling") == "checked":
        return "check %s (%s rows)" % ("passed" if status == "pass" else "FAILED", item.get("rows"))
    if status == "done":
        return "done"
    return "**REQUIRED**" + (" (%s rows)" % item["rows"] if item.get("rows") else "")


def markdown(host):
    """The per-target "Follow-ups" section (empty list when the target has none)."""
    items = host.get("followups") or []
    if not items:
        return []
    lines = ["### Follow-ups", "", "| follow-up | handling | state | what to do | source |", "|---|---|---|---|---|"]
    for item in items:
        todo = item.get("instruction") or ""
        if item.get("status") != "done" and item.get("screen_path"):
            todo += " Where: " + item["screen_path"] + "."
        lines.append("| `%s` %s | %s | %s | %s | %s |" % (
            _cell(item.get("id")), _cell(item.get("title")), _cell(item.get("handling")), _state(item),
            _cell(todo if item.get("status") != "done" else "-"), _cell(item.get("source"))))
    return lines + [""]


def junit_cases(host):
    """(name, duration, body) per follow-up: required or failed check -> skipped with the instruction."""
    cases = []
    for item in host.get("followups") or []:
        where = (" Where: %s." % item["screen_path"]) if item.get("screen_path") else ""
        prefix = "Check failed (%s rows): " % item.get("rows") if item.get("status") == "fail" else ""
        if item.get("status") == NOT_CHECKED:
            prefix = "Not checked (%s); if it applies: " % (item.get("not_checked") or "needs SQL")
        message = "%s%s%s (source: %s)" % (prefix, item.get("instruction"), where, item.get("source"))
        shown = item.get("status") in PENDING + (NOT_CHECKED,)
        body = "<skipped message=%s/>" % quoteattr(message) if shown else ""
        cases.append(("follow-up: %s" % item.get("id"), 0, body))
    return cases
