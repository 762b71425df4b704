# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fo_app_cleanup: the clean-up catalogue's application-layer forms, run through data entities.

The steps, their filters and values come from ``cleanup.py`` (one catalogue for both transports); here
they are only read, planned (records not yet in the desired state) and changed with ``$batch``. A step
without an application-layer form is listed in ``not_run`` with the catalogue's reason.
"""

from __future__ import annotations

from .. import _progress, cleanup
from ..fo_sql import FoSqlError
from .entities import key_fields_for
from .records import apply, plan_absent, plan_present

OPTION_NAMES = ("keep_users", "smtp_relay", "resume_batch_jobs")


def problems_of(p):
    """Unknown steps or a bad smtp_relay, before any call."""
    try:
        selected = cleanup.select_steps(p["steps"], p["profile"], p["exclude_steps"])
        for step in selected:
            step.entity_actions(options_of(p))
    except FoSqlError as exc:
        return [str(exc)]
    return []


def options_of(p):
    return {name: p[name] for name in OPTION_NAMES}


def plan_action(client, action):
    """The changes that put ``action``'s records in the desired state (none when they already are)."""
    records = action.pending(list(client.records(action.entity, filter=action.filter or None, cross_company=False)))
    key_fields = key_fields_for(action.entity)
    if action.values is None:
        return plan_absent(client, action.entity, records, key_fields, False)
    return plan_present(client, action.entity, records, action.values, key_fields, False)


def run_step(client, step, options, check_mode, batch_size):
    rows = 0
    progress = _progress.from_environment()  # live lines on the controller (plugin_utils/progress.py)
    for action in step.entity_actions(options):
        planned = plan_action(client, action)
        rows += len(planned)
        if planned and not check_mode:
            apply(client, planned, batch_size,
                  on_batch=lambda done, total, name=step.name: progress.update(name, done, total, unit="records"))
    result = {"name": step.name, "transport": cleanup.APPLICATION, "rows": rows, "changed": rows > 0}
    if step.sql_only_part:
        result["sql_only_part"] = step.sql_only_part
    return result


def not_run_entry(step):
    return {"name": step.name, "transports": list(step.transports), "reason": step.sql_only}


def run(fm):
    """Run (check mode: count) the selected steps; in verify mode only count and report each as a check."""
    p = fm.params
    selected = cleanup.select_steps(p["steps"], p["profile"], p["exclude_steps"])
    options = options_of(p)
    runnable = [step for step in selected if cleanup.APPLICATION in step.transports]
    not_run = [not_run_entry(step) for step in selected if step not in runnable]
    read_only = fm.check_mode or p["verify"]
    steps = []
    for step in runnable:
        fm.known = dict(changed=any(s["changed"] for s in steps) and not read_only, steps=steps)
        steps.append(run_step(fm.client, step, options, read_only, p["batch_size"]))
    result = dict(changed=any(s["changed"] for s in steps) and not p["verify"], steps=steps, not_run=not_run)
    if p["verify"]:
        result = dict(changed=False, not_run=not_run, verification=[verification_of(s) for s in steps])
    return result


def verification_of(step_result):
    rows = step_result["rows"]
    return {"name": "cleanup:%s" % step_result["name"], "passed": rows == 0, "transport": cleanup.APPLICATION,
            "detail": "nothing left to change" if rows == 0 else "%d record(s) are not in the cleaned state" % rows}
