# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run report as one self-contained HTML page (report.html of the report callback).

One row per target: a timeline of its phases drawn to scale against the whole run, the operation
ids, the preflight findings (blocking ones highlighted), the verification checks (failed ones
highlighted) and the failures. A check-mode run is marked as a preview throughout. The page carries
its own styles and no script, font or image from elsewhere, so it can be mailed or archived as is.

Phases come from where a task lives (``task_phase``): the preflight role, the movement role (what
happens before and around the start), the start-or-join task that then follows the operation to its
end (wait), the post_restore role's clean-up and its verify.yml (verification).
"""

from __future__ import annotations

from html import escape

from ansible_collections.d365fo.dataalm.plugins.plugin_utils import report_pairs

PHASES = ("preflight", "movement", "wait", "clean-up", "verification")
PLAN_WORDS = {"started": "would start", "joined": "would join", "none": "nothing to start, already done:"}
# modules that start or join an operation and then wait for it to finish
WAITING_MODULES = ("lcs_database_refresh", "lcs_database_export", "lcs_operation_info")
STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1f2933;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0}
.meta{color:#52606d;margin-bottom:16px}
.preview{background:#fff3c4;border:2px dashed #b7791f;color:#744210;padding:10px 14px;margin:12px 0;
font-weight:600;border-radius:6px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.ok{background:#2f855a}.failed{background:#c53030}.badge.preview-badge{background:#b7791f}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;height:12px;
border-radius:2px;margin-right:4px;vertical-align:-1px}
table.targets{border-collapse:collapse;width:100%}table.targets th{padding:0 8px;text-align:left;font-weight:400}
table.targets>tbody>tr>td{border-top:1px solid #d9e2ec;padding:12px 8px;vertical-align:top}
td.name{width:210px}td.details{width:38%}
.track{position:relative;height:26px;background:#f0f4f8;border-radius:4px;overflow:hidden}
.bar{position:absolute;top:3px;height:20px;border-radius:3px;min-width:1px}
.axis{position:relative;height:16px;font-size:11px;color:#7b8794;white-space:nowrap}
.axis span{position:absolute;transform:translateX(-50%)}
.axis span:first-child{transform:none}.axis span:last-child{transform:translateX(-100%)}
.phase-preflight{background:#6b7fd7}.phase-movement{background:#4299e1}.phase-wait{background:#9f7aea}
.phase-clean-up{background:#38a169}.phase-verification{background:#d69e2e}
.phase-list{font-size:12px;color:#52606d;margin-top:4px}
ul{margin:4px 0 8px 18px;padding:0}li{margin:2px 0}
.finding.blocking,.check.fail,.failure{color:#9b2c2c;background:#fff5f5;border-left:3px solid #c53030;
padding-left:6px;list-style:none;margin-left:-18px}
.check.pass{color:#276749}code{font-size:12px;background:#f0f4f8;padding:0 3px;border-radius:3px}
"""


def task_phase(task):
    """The phase a task belongs to, or None for tasks outside the runbook roles."""
    role = getattr(task, "_role", None)
    role_name = role.get_name() if role is not None else ""
    action = (getattr(task, "resolved_action", None) or task.action or "").rsplit(".", 1)[-1]
    probe = getattr(task, "check_mode", None) is True  # "would it start?": deciding, not waiting
    if role_name.endswith("preflight") or action == "dataalm_preflight":
        return "preflight"
    if action in WAITING_MODULES and not probe:
        return "wait"
    if role_name.endswith("post_restore"):
        return "verification" if "verify" in (task.get_path() or "") else "clean-up"
    if role_name.endswith("movement"):
        return "movement"
    return None


def phase_segments(host):
    """[(phase, start, end)] in seconds from the start of the run: consecutive tasks of one phase merged.

    A phase can come back (the post_restore role records its state after verifying), so it can have
    more than one segment; tasks outside the phases and skipped tasks are left out.
    """
    segments = []
    ran = [t for t in host.get("tasks", []) if t.get("phase") in PHASES and t.get("status") != "skipped"
           and t.get("started_offset_seconds") is not None and t.get("duration_seconds") is not None]
    for task in sorted(ran, key=lambda t: t["started_offset_seconds"]):
        start = float(task["started_offset_seconds"])
        end = start + float(task["duration_seconds"])
        if segments and segments[-1][0] == task["phase"]:
            segments[-1] = (task["phase"], segments[-1][1], max(segments[-1][2], end))
        else:
            segments.append((task["phase"], start, end))
    return segments


def phase_totals(segments):
    """{phase: seconds} in the order of PHASES."""
    totals = {}
    for phase, start, end in segments:
        totals[phase] = totals.get(phase, 0.0) + end - start
    return {phase: totals[phase] for phase in PHASES if phase in totals}


def _seconds(value):
    value = float(value)
    if value < 60:
        return "%.1f s" % value
    minutes, seconds = divmod(round(value), 60)
    return "%d min %02d s" % (minutes, seconds) if minutes < 60 else "%d h %02d min" % divmod(minutes, 60)


def _timeline(segments, total):
    bars = []
    for phase, start, end in segments:
        bars.append(
            '<div class="bar phase-%s" data-phase="%s" data-start-seconds="%.3f" data-duration-seconds="%.3f" '
            'style="left:%.4f%%;width:%.4f%%" title="%s: %s"></div>' % (
                phase, phase, start, end - start, 100.0 * start / total, 100.0 * (end - start) / total,
                phase, _seconds(end - start)))
    listing = " · ".join("%s %s" % (escape(phase), _seconds(seconds))
                         for phase, seconds in phase_totals(segments).items())
    return '<div class="track">%s</div><div class="phase-list">%s</div>' % (
        "".join(bars), listing or "no phase ran")


def _items(title, rows):
    if not rows:
        return ""
    return "<h3>%s</h3><ul>%s</ul>" % (escape(title), "".join(rows))


def _details(host, preview):
    operations = ['<li class="operation">%s <code>%s</code> %s</li>' % (
        escape(str(op.get("action") or "operation")), escape(str(op.get("operation_id") or "-")),
        escape(str(op.get("status") or op.get("state") or ""))) for op in host.get("operations", [])]
    plans = ['<li class="plan">%s <code>%s</code></li>' % (
        escape(PLAN_WORDS.get(op.get("action"), "would %s" % op.get("action"))),
        escape(str(op.get("operation_id") or "a new operation"))) for op in host.get("plans", [])] if preview else []
    findings = ['<li class="finding %s"><b>%s</b> <code>%s</code>: %s %s</li>' % (
        escape(str(f.get("severity"))), escape(str(f.get("severity"))), escape(str(f.get("id"))),
        escape(str(f.get("message") or "")), escape(str(f.get("remedy") or ""))) for f in host.get("findings", [])]
    checks = ['<li class="check %s">%s %s: %s</li>' % (
        "pass" if c.get("passed") else "fail", "&#10003;" if c.get("passed") else "&#10007; FAILED",
        escape(str(c.get("name"))), escape(str(c.get("detail") or ""))) for c in host.get("verification", [])]
    failures = ['<li class="failure">%s: %s</li>' % (escape(str(f.get("task"))), escape(str(f.get("cause"))))
                for f in host.get("failures", [])]
    return "".join((report_pairs.html(host), _items("Operations", operations), _items("Would do (preview)", plans),
                    _items("Preflight findings", findings), _items("Verification", checks),
                    _items("Failures", failures))) or "<p>nothing to report</p>"


def _row(name, host, total, preview):
    status = host.get("status", "ok")
    badge = '<span class="badge %s">%s</span>' % ("failed" if status == "failed" else "ok", escape(status))
    if preview:
        badge += ' <span class="badge preview-badge">preview</span>'
    return ('<tr class="target" data-target="%s"><td class="name"><h2>%s</h2>%s</td>'
            '<td class="timeline">%s</td><td class="details">%s</td></tr>') % (
        escape(name, quote=True), escape(name), badge, _timeline(phase_segments(host), total), _details(host, preview))


def _axis(total):
    ticks = "".join('<span style="left:%d%%">%s</span>' % (share, _seconds(total * share / 100.0))
                    for share in (0, 25, 50, 75, 100))
    return '<div class="axis">%s</div>' % ticks


def render_html(report, preview=False):
    """The page for ``report`` (the callback's report dict); ``preview`` marks a check-mode run."""
    run = report["run"]
    total = max(float(run.get("duration_seconds") or 0), 0.001)
    for host in report["hosts"].values():
        for _phase, _start, end in phase_segments(host):
            total = max(total, end)
    title = "Database movement run report" + (" (PREVIEW, check mode)" if preview else "")
    banner = ('<div class="preview">PREVIEW: this was a check-mode run. Nothing was started or changed; '
              'the report shows what a real run would do.</div>') if preview else ""
    legend = "".join('<span><i class="phase-%s"></i>%s</span>' % (p, p) for p in PHASES)
    rows = "".join(_row(name, host, total, preview) for name, host in sorted(report["hosts"].items()))
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>%s</title>'
            '<style>%s</style></head><body class="mode-%s"><h1>%s</h1>'
            '<div class="meta">Playbook <code>%s</code>, started %s, %s, result <span class="badge %s">%s</span></div>'
            '%s<div class="legend">%s</div><table class="targets" data-total-seconds="%.3f">'
            '<thead><tr><th></th><th>%s</th><th></th></tr></thead><tbody>%s</tbody></table></body></html>\n') % (
        escape(title), STYLE, "preview" if preview else "run", escape(title), escape(str(run.get("playbook"))),
        escape(str(run.get("started_at"))), _seconds(total), "failed" if run.get("status") == "failed" else "ok",
        escape(str(run.get("status"))), banner, legend, total, _axis(total), rows)
