# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure rules over environment facts that decide whether a database movement may start.

Input is plain data (what ``lcs_environment_info`` returns, the request, the current time); output
is a list of findings ``{id, severity, message, remedy}``. Nothing here talks to a service, so every
rule is unit-testable and the module only has to report. Sources of every rule:
``reference/lcs-api.md`` 3.2, 3.3, 6 and the Microsoft pages on refresh and point-in-time restore.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from datetime import datetime, timedelta, timezone

from ansible_collections.d365fo.dataalm.plugins.module_utils import followups, preflight_identity
from ansible_collections.d365fo.dataalm.plugins.module_utils._dates import parse_datetime
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs import rules
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.status import OPERATION_KINDS, lcs_busy, lcs_state

BLOCKING = "blocking"
WARNING = "warning"
INFO = "info"

KINDS = ("refresh", "export", "point_in_time_restore", "post_restore_only")

# LCS allows three database operations (refresh, export) per environment in a rolling 24 hours.
MAX_OPERATION_STARTS_24H = 3
# Database movement is denied on Platform update 20 or earlier.
MIN_PLATFORM_UPDATE_EXCLUSIVE = 20
# Automated backups kept by Microsoft: 28 days for production, 7 days for sandboxes.
RETENTION_DAYS = {"production": 28, "sandbox": 7}

# History types of the operations each kind starts (joinable when already running on the target).
# LCS's own type words come from the one definition (status.OPERATION_KINDS), lower-cased for the tolerant match,
# followed by the looser words other spellings of the history use.
KIND_OPERATION_TYPES = {
    "refresh": tuple(t.lower() for t in OPERATION_KINDS["refresh"]) + ("refresh", "databaserefresh"),
    "export": tuple(t.lower() for t in OPERATION_KINDS["export"]) + ("export", "databaseexport"),
    "point_in_time_restore": ("pointintime", "pitr"),
}
# A completed movement into an environment replaces its database, so point-in-time backups taken
# before it are gone ("PITR creates a new DB, which breaks the restore-point chain").
CHAIN_BREAKING_MARKERS = ("sourcedbtosandbox", "refresh", "pointintime", "pitr", "restore", "import", "bacpac")
CODE_DEPLOYMENT_MARKERS = ("hotfix", "applicationdeployable", "deployablepackage", "binary", "platformupdate", "addin")

HEALTHY_DEPLOYMENT_STATES = frozenset(
    ("deployed", "finished", "completed", "running", "servicing", "succeeded", "signedoff")
)
UNHEALTHY_DEPLOYMENT_STATES = frozenset(
    ("failed", "stopped", "deallocated", "deleted", "deploying", "preparing", "deployfailed", "notdeployed",
     "servicingfailed")
)


def finding(rule_id, severity, message, remedy):
    return {"id": rule_id, "severity": severity, "message": message, "remedy": remedy}


# ---------------------------------------------------------------- parsing helpers


def parse_timestamp(value, assume_utc=True):
    """Parse an ISO-8601 or LCS-style timestamp. Naive values are UTC when ``assume_utc``.

    Returns None for empty or unparsable values (history entries may lack an end time).
    """
    return parse_datetime(value, naive_is_utc=assume_utc)


def parse_release(value):
    """``10.0.41`` -> (10, 0, 41); None when absent or not numeric."""
    if not value:
        return None
    numbers = re.findall(r"\d+", str(value))
    if not numbers:
        return None
    return tuple(int(n) for n in numbers)


def parse_platform_update(env):
    """Platform update number from ``Update65`` / ``PU44`` / ``Platform update 33``.

    Falls back to the build (``7.0.6060.45``) only to say "unknown": build numbers do not map to
    update numbers without a table we do not ship.
    """
    release = env.get("platform_release") or ""
    match = re.search(r"(?:update|pu)\s*(\d+)", str(release), re.IGNORECASE)
    if match:
        return int(match.group(1))
    if re.fullmatch(r"\s*\d+\s*", str(release)):
        return int(release)
    return None


def _norm(value):
    return re.sub(r"[^a-z0-9]", "", str(value or "").lower())


def _env_label(env):
    return env.get("name") or env.get("environment_name") or env.get("environment_id") or "environment"


def _env_type(env):
    return rules.environment_class(env)


# The SQL modules' environment types (fo_sql.ENVIRONMENT_TYPES) for what LCS states.
SQL_ENVIRONMENT_TYPES = {"production": "Production", "sandbox": "Sandbox", "tier1": "DevTestDev"}


def sql_environment_type(env):
    """The target's type as the service states it, for the SQL guard; None when LCS names none we know."""
    return SQL_ENVIRONMENT_TYPES.get(_env_type(env or {}))


def _status(op):
    return _norm(op.get("status") or op.get("state"))


def is_terminal(op):
    status = _status(op)
    if op.get("state") and _norm(op.get("state")) in ("succeeded", "failed", "rolledback"):
        return True
    return not lcs_busy(status)


def _op_type(op):
    return _norm(op.get("type")) + " " + _norm(op.get("name"))


def _matches(op, markers):
    text = _op_type(op)
    return any(marker in text for marker in markers)


def in_flight_operations(env):
    return [op for op in env.get("operations") or [] if not is_terminal(op)]


def _op_time(op, *keys):
    for key in keys:
        stamp = parse_timestamp(op.get(key))
        if stamp is not None:
            return stamp
    return None


def operation_starts_24h(env, now):
    """Starts in the rolling 24 hours: the fact if the info module computed it, else from history."""
    if env.get("operation_starts_24h") is not None:
        return int(env["operation_starts_24h"])
    since = now - timedelta(hours=24)
    count = 0
    for op in env.get("operations") or []:
        if not _matches(op, KIND_OPERATION_TYPES["refresh"] + KIND_OPERATION_TYPES["export"]):
            continue
        started = _op_time(op, "started_at")
        if started is not None and started >= since:
            count += 1
    return count


def _version_text(value):
    return ".".join(str(n) for n in value)


# ---------------------------------------------------------------- rules


def _check_types(kind, source, target, findings):
    if kind == "export":
        if _env_type(source) != "sandbox":
            findings.append(finding(
                "export_source_not_sandbox", BLOCKING,
                "Export source %s is of type %s; LCS exports only sandbox databases."
                % (_env_label(source), source.get("type")),
                "Refresh a sandbox from this environment and export the sandbox instead.",
            ))
        return
    target_type = _env_type(target)
    if target_type == "production":
        findings.append(finding(
            "target_is_production", BLOCKING,
            "Target %s is a Production environment; database movements into production are not supported "
            "by the API." % _env_label(target),
            "Choose a Sandbox target. Sandbox-to-production (golden configuration) is done in the LCS portal.",
        ))
    elif target_type == "tier1":
        # A bacpac imported into a Tier-1 environment still needs the post-restore steps.
        if kind != "post_restore_only":
            findings.append(finding(
                "target_is_tier1", BLOCKING,
                "Target %s is a Tier-1 (%s) environment; LCS cannot refresh or restore into it."
                % (_env_label(target), target.get("type")),
                "Export a sandbox to a bacpac, import it into the Tier-1 environment, then run the post_restore "
                "playbook.",
            ))
    elif target_type != "sandbox":
        findings.append(finding(
            "target_not_sandbox", BLOCKING,
            "Target %s has type %s; only Sandbox targets are supported." % (_env_label(target), target.get("type")),
            "Choose a Sandbox (Tier-2 or higher) target environment.",
        ))
    if kind == "post_restore_only":
        return
    source_type = _env_type(source)
    allowed = rules.SOURCE_CLASSES.get(kind, rules.SOURCE_CLASSES["refresh"])
    if source_type not in allowed:
        findings.append(finding(
            "source_type_unsupported", BLOCKING,
            "Source %s has type %s; a %s supports only %s sources."
            % (_env_label(source), source.get("type"), kind.replace("_", " "), " or ".join(t.title() for t in allowed)),
            "Choose a %s source environment." % " or ".join(t.title() for t in allowed),
        ))


def _check_pair(kind, source, target, spartan_managed, findings):
    if rules.same_environment(source.get("environment_id"), target.get("environment_id")):
        findings.append(finding(
            "same_environment", BLOCKING,
            "Source and target are the same environment (%s)." % _env_label(source),
            "Choose a different target environment.",
        ))
    source_project = source.get("project_id")
    target_project = target.get("project_id")
    both_known = source_project not in (None, "") and target_project not in (None, "")
    if both_known and str(source_project) != str(target_project):
        findings.append(finding(
            "different_projects", BLOCKING,
            "Source is in LCS project %s and target in project %s; movements stay within one project."
            % (source_project, target_project),
            "Use a source and a target environment of the same LCS project.",
        ))
    source_region = _norm(source.get("region"))
    target_region = _norm(target.get("region"))
    regions_differ = bool(source_region and target_region and source_region != target_region)
    if regions_differ and not spartan_managed:
        findings.append(finding(
            "region_mismatch", BLOCKING,
            "Source is in %s and target in %s; databases must be in the same Azure region unless they are "
            "Spartan-managed." % (source.get("region"), target.get("region")),
            "Use a target in the same region, or set spartan_managed when both SQL server names contain 'spartan'.",
        ))
    elif not (source_region and target_region):
        findings.append(finding(
            "region_unknown", WARNING,
            "The region of the source or the target is unknown; the same-region rule could not be checked.",
            "Check in LCS that both environments are in the same Azure region.",
        ))
    if kind != "point_in_time_restore":
        return
    source_infra = _norm(source.get("infrastructure"))
    target_infra = _norm(target.get("infrastructure"))
    if source_infra == "microsoftmanaged" and target_infra == "selfservice":
        findings.append(finding(
            "pitr_infrastructure_unsupported", BLOCKING,
            "Point-in-time restore from a Microsoft-managed source to a self-service target is not supported.",
            "Move production to self-service first, or use a regular database refresh instead.",
        ))
    if source_infra == "selfservice" and target_infra == "selfservice" and regions_differ:
        findings.append(finding(
            "pitr_cross_region_self_service", BLOCKING,
            "Point-in-time restore between self-service environments in different regions (%s, %s) is not supported."
            % (source.get("region"), target.get("region")),
            "Bring both environments into the same region, or use a regular database refresh instead.",
        ))


def _check_platform(envs, findings):
    for role, env in envs:
        update = parse_platform_update(env)
        if update is None:
            findings.append(finding(
                "platform_update_unknown", WARNING,
                "The platform update of the %s %s is unknown (%r)."
                % (role, _env_label(env), env.get("platform_release")),
                "Check in LCS that it runs a platform update above %d." % MIN_PLATFORM_UPDATE_EXCLUSIVE,
            ))
        elif update <= MIN_PLATFORM_UPDATE_EXCLUSIVE:
            findings.append(finding(
                "platform_update_too_old", BLOCKING,
                "The %s %s runs Platform update %d; database movement needs a platform update above %d."
                % (role, _env_label(env), update, MIN_PLATFORM_UPDATE_EXCLUSIVE),
                "Update the %s to a supported platform update first." % role,
            ))


def _check_application(source, target, findings):
    source_release = parse_release(source.get("application_release"))
    target_release = parse_release(target.get("application_release"))
    if source_release is None or target_release is None:
        findings.append(finding(
            "application_release_unknown", WARNING,
            "The application release of the source or the target is unknown; version ordering was not checked.",
            "Check in LCS that the target's application release is not older than the source's.",
        ))
    elif target_release < source_release:
        findings.append(finding(
            "application_release_target_older", BLOCKING,
            "Target application release %s is older than the source's %s; data upgrade does not run on a movement."
            % (_version_text(target_release), _version_text(source_release)),
            "Update the target to application release %s or later before the movement." % _version_text(source_release),
        ))
    elif target_release > source_release:
        findings.append(finding(
            "application_release_target_newer", INFO,
            "Target application release %s is newer than the source's %s; supported, the target keeps its code."
            % (_version_text(target_release), _version_text(source_release)),
            "None needed.",
        ))


def _check_financial_reporting(versions, findings):
    if not versions:
        return
    source_version = parse_release(versions.get("source"))
    target_version = parse_release(versions.get("target"))
    if source_version is None or target_version is None:
        findings.append(finding(
            "financial_reporting_unknown", WARNING,
            "Financial Reporting versions were supplied incompletely; the version rule was not checked.",
            "Supply both financial_reporting.source and financial_reporting.target (MRApplicationService versions).",
        ))
    elif target_version < source_version:
        findings.append(finding(
            "financial_reporting_target_older", BLOCKING,
            "Target Financial Reporting %s is older than the source's %s."
            % (_version_text(target_version), _version_text(source_version)),
            "Apply the latest Financial Reporting update to the target (LCS Updates tile) before the movement.",
        ))


def _check_capacity(capacity, findings):
    if not capacity:
        return
    allocated = capacity.get("source_allocated_gb")
    maximum = capacity.get("target_maximum_gb")
    if allocated is None or maximum is None:
        findings.append(finding(
            "database_capacity_unknown", WARNING,
            "Database capacity figures were supplied incompletely; the capacity rule was not checked.",
            "Supply both database_capacity.source_allocated_gb and database_capacity.target_maximum_gb.",
        ))
    elif float(allocated) >= float(maximum):
        findings.append(finding(
            "database_capacity_exceeded", BLOCKING,
            "Source allocated database capacity %s GB is not below the target's maximum %s GB." % (allocated, maximum),
            "Increase the target's database capacity or reduce the source database before the movement.",
        ))


def _check_deployed(envs, findings):
    """LCS reports a status (Deployed, Failed, Stopped) and the state of the last deployment operation
    (Finished, ...); either one saying unhealthy blocks, an unknown value only warns."""
    for role, env in envs:
        raw = [value for value in (env.get("deployment_status"), env.get("deployment_state")) if value]
        states = [_norm(value) for value in raw]
        label = _env_label(env)
        if any(state in UNHEALTHY_DEPLOYMENT_STATES for state in states):
            findings.append(finding(
                "%s_not_deployed" % role, BLOCKING,
                "The %s %s is not deployed and healthy (%s)." % (role, label, ", ".join(raw)),
                "Start or repair the %s in LCS until it shows Deployed, then run again." % role,
            ))
        elif any(state in HEALTHY_DEPLOYMENT_STATES for state in states):
            continue
        elif not states:
            findings.append(finding(
                "deployment_state_unknown", WARNING,
                "The deployment state of the %s %s is unknown." % (role, label),
                "Check in LCS that the %s is deployed and running." % role,
            ))
        else:
            findings.append(finding(
                "deployment_state_unrecognised", WARNING,
                "The %s %s reports deployment state %s, which this check does not know."
                % (role, label, ", ".join(raw)),
                "Check in LCS that the %s is deployed and healthy." % role,
            ))


def _check_busy_and_quota(kind, env, role, now, findings):
    """One running operation per environment; three starts per rolling 24 hours.

    An in-flight operation of the kind we are about to start is not an obstacle: the movement
    role joins it (that is how a killed run resumes). Anything else running blocks.
    """
    running = in_flight_operations(env)
    own_types = KIND_OPERATION_TYPES.get(kind, ())
    joinable = [op for op in running if own_types and _matches(op, own_types)]
    others = [op for op in running if op not in joinable]
    if others or (env.get("busy") and not running):
        described = ", ".join(
            "%s %s (%s)" % (op.get("type") or op.get("name") or "operation", op.get("operation_id") or "",
                            op.get("status"))
            for op in others
        ) or "an operation"
        findings.append(finding(
            "%s_busy" % role, BLOCKING,
            "The %s %s is busy with %s." % (role, _env_label(env), described),
            "Wait until the running operation finishes (environment history in LCS), then run again.",
        ))
    if joinable:
        op = joinable[0]
        findings.append(finding(
            "operation_in_progress", INFO,
            "A %s is already running on %s (operation %s); it will be joined, not started again."
            % (kind.replace("_", " "), _env_label(env), op.get("operation_id")),
            "None needed; the run waits for it.",
        ))
        return
    if kind == "post_restore_only":
        return
    starts = operation_starts_24h(env, now)
    if starts >= MAX_OPERATION_STARTS_24H:
        findings.append(finding(
            "operation_quota_exhausted", BLOCKING,
            "The %s %s had %d database operations started in the last 24 hours; LCS allows %d."
            % (role, _env_label(env), starts, MAX_OPERATION_STARTS_24H),
            "Wait until the oldest of them is more than 24 hours old, then run again.",
        ))


def _check_source_busy(source, findings):
    running = in_flight_operations(source)
    if running or source.get("busy"):
        findings.append(finding(
            "source_busy", WARNING,
            "The source %s has an operation in progress; the copy may wait for it or capture data mid-change."
            % _env_label(source),
            "Prefer to start after the source's running operation has finished.",
        ))


def _check_point_in_time(point_in_time, source, target, now, findings):
    if not point_in_time:
        findings.append(finding(
            "point_in_time_missing", BLOCKING,
            "A point-in-time restore needs point_in_time.",
            "Set point_in_time to a timezone-aware ISO-8601 time, for example 2026-01-31T22:00:00+00:00.",
        ))
        return
    point = parse_timestamp(point_in_time, assume_utc=False)
    if point is None:
        findings.append(finding(
            "point_in_time_invalid", BLOCKING,
            "point_in_time %r is not an ISO-8601 timestamp." % (point_in_time,),
            "Use a timezone-aware ISO-8601 time, for example 2026-01-31T22:00:00+00:00.",
        ))
        return
    if point.tzinfo is None or point.utcoffset() is None:
        findings.append(finding(
            "point_in_time_naive", BLOCKING,
            "point_in_time %s has no time zone; it would be read in an unknown zone." % point_in_time,
            "Add the offset, for example %s+00:00 for UTC." % point_in_time,
        ))
        return
    if point >= now:
        findings.append(finding(
            "point_in_time_future", BLOCKING,
            "point_in_time %s is not in the past (now %s)." % (point.isoformat(), now.isoformat()),
            "Choose a point in the past.",
        ))
        return
    _check_point_history(point, source, target, now, findings)


def _last_successful(env, markers):
    """Time of the newest successful operation of the given kinds, or None."""
    stamps = [_op_time(op, "completed_at", "started_at") for op in env.get("operations") or []
              if lcs_state(_status(op)) == "succeeded" and _matches(op, markers)]
    stamps = [stamp for stamp in stamps if stamp is not None]
    return max(stamps) if stamps else None


def _check_point_history(point, source, target, now, findings):
    """A valid point in time against retention, the source's restore chain and the target's code."""
    retention_days = RETENTION_DAYS["production"] if _env_type(source) == "production" else RETENTION_DAYS["sandbox"]
    oldest = now - timedelta(days=retention_days)
    if point < oldest:
        findings.append(finding(
            "point_in_time_outside_retention", BLOCKING,
            "point_in_time %s is older than the %d-day backup retention of the %s source (oldest %s)."
            % (point.isoformat(), retention_days, _env_type(source), oldest.isoformat()),
            "Choose a point after %s." % oldest.isoformat(),
        ))
    last = _last_successful(source, CHAIN_BREAKING_MARKERS)
    if last and point < last:
        findings.append(finding(
            "point_in_time_before_chain_break", BLOCKING,
            "point_in_time %s lies before the last database movement into the source (%s), which started a "
            "new restore chain." % (point.isoformat(), last.isoformat()),
            "Choose a point after %s." % last.isoformat(),
        ))
    deployed = _last_successful(target, CODE_DEPLOYMENT_MARKERS)
    if deployed and point < deployed:
        findings.append(finding(
            "point_in_time_before_code_deployment", WARNING,
            "point_in_time %s lies before the target's last code deployment (%s): the restored data will be "
            "older than the code that runs on it." % (point.isoformat(), deployed.isoformat()),
            "Confirm with the developers that the code is compatible with the older data, or choose a later point.",
        ))


def _check_integrations(sql, findings):
    if not sql:
        return
    active = sql.get("recurring_jobs_active")
    pending = sql.get("recurring_messages_pending")
    if active and sql.get("hold_planned"):
        findings.append(finding(
            "recurring_integrations_hold_planned", INFO,
            "%s recurring integration batch job(s) on the target run; the movement holds them before it starts."
            % active,
            "None needed.",
        ))
    elif active:
        findings.append(finding(
            "recurring_integrations_not_held", BLOCKING,
            "%s recurring integration batch job(s) on the target are not on hold." % active,
            "Hold the recurring integration batch jobs (d365fo.dataalm.fo_batch_job state=held) before the movement.",
        ))
    if pending:
        findings.append(finding(
            "recurring_integrations_not_drained", BLOCKING,
            "%s recurring integration message(s) on the target are not processed yet; their files would be "
            "orphaned." % pending,
            "Let the recurring integrations process their queue, then run again.",
        ))


def evaluate(kind, source=None, target=None, now=None, point_in_time=None, spartan_managed=False,
             financial_reporting=None, database_capacity=None, sql=None, plan_followups=False, identity=None,
             data_projects=None):
    """Every finding for the requested movement, blocking ones first, in rule order otherwise.

    ``plan_followups`` adds the info finding ``followups_planned`` (the module asks for it; the rule
    tests look at the checks alone). ``identity``, ``data_projects``: the rules of ``preflight_identity``.
    """
    if kind not in KINDS:
        raise ValueError("kind must be one of %s, got %r" % (", ".join(KINDS), kind))
    source = source or {}
    target = target or {}
    if now is None:
        now = datetime.now(timezone.utc)
    elif not isinstance(now, datetime):
        now = parse_timestamp(now, assume_utc=False)
        if now is None or now.tzinfo is None:
            raise ValueError("now must be a timezone-aware ISO-8601 timestamp")
    findings = []

    if kind == "export":
        subject = source or target
        _check_types(kind, subject, subject, findings)
        _check_platform([("source", subject)], findings)
        _check_deployed([("source", subject)], findings)
        _check_busy_and_quota(kind, subject, "source", now, findings)
    elif kind == "post_restore_only":
        _check_types(kind, source, target, findings)
        _check_deployed([("target", target)], findings)
        _check_busy_and_quota(kind, target, "target", now, findings)
    else:
        _check_types(kind, source, target, findings)
        _check_pair(kind, source, target, spartan_managed, findings)
        envs = [("source", source), ("target", target)]
        _check_platform(envs, findings)
        _check_application(source, target, findings)
        _check_financial_reporting(financial_reporting, findings)
        _check_capacity(database_capacity, findings)
        _check_deployed(envs, findings)
        _check_busy_and_quota(kind, target, "target", now, findings)
        _check_source_busy(source, findings)
        if kind == "point_in_time_restore":
            _check_point_in_time(point_in_time, source, target, now, findings)
        _check_integrations(sql, findings)
        _check_identity(identity, data_projects, source, target, findings)
    if plan_followups:
        _plan_followups(kind, source, target, _followup_reader(sql, identity), findings)  # hook (issue 23)

    order = {BLOCKING: 0, WARNING: 1, INFO: 2}
    return sorted(findings, key=lambda f: order[f["severity"]])


def _check_identity(identity, data_projects, source, target, findings):
    """Who signs in to F&O after the move, and the data projects relied on (preflight_identity.py)."""
    labels = (_env_label(source), _env_label(target))
    preflight_identity.check(identity, labels, _env_type(source) == "production", findings)
    preflight_identity.check_projects(data_projects, identity, labels, findings)


def _followup_reader(sql, identity):
    """Which module reads the follow-ups after the move, told by the facts the run gathered over its transport.

    Only a run with SQL access counts recurring integrations over SQL (``sql``), and only a run through the
    application layer reads its F&O identity (``identity``). With neither (or both) the transport is not
    known here, so both modules are named plainly rather than guessed.
    """
    if sql and not identity:
        return "this run reads them over SQL with fo_followup_info"
    if identity and not sql:
        return ("this run has no SQL access and reads them through the application layer with fo_app_followup_info, "
                "which lists what no data entity exposes as not checked")
    return ("fo_followup_info reads them when the run has SQL access, fo_app_followup_info through the application "
            "layer otherwise")


def _plan_followups(kind, source, target, reader, findings):
    """The follow-ups this movement will create (followups.py), so the change record can plan them."""
    planned = followups.plan(kind, sql_environment_type(source) or "", sql_environment_type(target) or "")
    if not planned:
        return
    listed = ["%s%s" % (item["id"], " (if %s is in use)" % item["feature"].replace("_", " ")
                        if item["feature"] else "") for item in planned]
    findings.append(finding(
        "followups_planned", INFO,
        "This movement will leave %d follow-up(s) to plan: %s." % (len(planned), ", ".join(listed)),
        "Plan them in the change record; after the move the post_restore role reports which apply, done, checked or "
        "handed over with the screen path and source page (docs/runbooks.md, Follow-ups): %s." % reader))


def blocking(findings):
    return [f for f in findings if f["severity"] == BLOCKING]


def summary(findings):
    """One line per blocking finding, for the failure message."""
    return "; ".join("%s: %s %s" % (f["id"], f["message"], f["remedy"]) for f in blocking(findings))
