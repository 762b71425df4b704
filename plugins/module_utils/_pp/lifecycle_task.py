# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One pp_environment_restore / pp_environment_copy task: read both environments, refuse what Microsoft
does not support (before any mutating call), then start, join or skip through the movement engine and
return the operation with its stages and the instant the target's data is as of."""

from __future__ import annotations

from .._dates import format_datetime, parse_datetime
from .._movement.errors import InputError
from .._movement.orchestrate import Request, run_movement
from .backups import matching_backup
from .errors import PpError
from .lifecycle_checks import check_in_retention, check_pair, parse_restore_point
from .model import environment_facts, free_database_capacity_mb
from .restore_findings import restore_findings


def environment(client, environment_id, option):
    """Facts of one environment (with its tenant); an unknown id names the option to change."""
    try:
        body = client.environment(environment_id)
    except PpError as exc:
        if exc.status == 404:
            raise InputError("%s: environment %s was not found; pp_environment_info lists the environments the "
                             "identity can see" % (option, environment_id)) from None
        raise
    facts = environment_facts(body, None)
    facts["tenant_id"] = body.get("tenantId") if isinstance(body, dict) else None
    facts["id"] = facts["id"] or environment_id
    return facts


def free_capacity_mb(client):
    """Free Dataverse capacity in MB, or None when the tenant's capacity cannot be read (the service checks)."""
    try:
        return free_database_capacity_mb(client.tenant_capacity())
    except PpError:
        return None


def pair(client, source_id, target_id, action):
    """(source facts, target facts) after every pair rule."""
    target = environment(client, target_id, "target_environment_id")
    source = target if source_id == target_id else environment(client, source_id, "source_environment_id")
    check_pair(source, target, action, free_capacity_mb(client))
    return source, target


def restore_instant(client, source, restore_point, backup_label, now):
    """(UTC instant, how it was chosen): the restore point given, 'latest', or a backup's point by label."""
    if backup_label:
        found = matching_backup(client.backups(source["id"]), backup_label, None)
        if found is None:
            raise InputError("backup_label: no backup labelled %r in environment %s; pp_environment_backup_info lists "
                             "the backups" % (backup_label, source["id"]))
        instant, chosen = parse_datetime(found["backup_point"]), "backup %s" % found["id"]
    else:
        instant, chosen = parse_restore_point(restore_point, now)
    check_in_retention(instant, source, now)
    return instant, chosen


def run_lifecycle(pm, provider, params):
    """Start, join or skip through the engine; the result with stages (and the validation verdict)."""
    request = Request(provider.kind, operation_id=params.get("operation_id"), not_before=params.get("not_before"),
                      max_age=params.get("max_age"), check_mode=pm.check_mode, wait=params["wait"])
    result = run_movement(provider, request, pm.waiter, pm.warn, sleep=pm.lifeline.sleep)
    result["stages"] = provider.stages(result["operation_id"]) if result.get("operation_id") else []
    if pm.check_mode:
        result["validation"] = provider.verdict or {"passed": None, "field_errors": []}
    return result


def what_the_instant_takes_away(pm, source, instant):
    """{findings, deployed_after}: code deployed to the source after the instant and Microsoft's follow-ups."""
    name = source.get("name") or source["id"]
    if not source.get("url"):
        return {"findings": [], "deployed_after": None}
    findings, after = restore_findings(pm.dataverse(source["url"]), instant, format_datetime(instant), name)
    return {"findings": findings, "deployed_after": after}
