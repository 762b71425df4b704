# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Power Platform payloads as snake_case facts, tolerant of every documented shape.

Environment fields come from EnvironmentResponse (pp-api-sdk.md §2.1), with the BAP shape
(``properties.…``, power-platform.md §1.3) as a fallback. Enum-like strings are matched without regard
to case and unknown values are passed through rather than dropped.
"""

from __future__ import annotations

import datetime

from .._dates import format_datetime, parse_datetime

# Microsoft: a manual backup becomes restorable about 10 minutes after it is taken; wait 10-15 (PPBACKUP)
RESTORABLE_DELAY = datetime.timedelta(minutes=15)
# FinOpsDeploymentCategory (pp-api-sdk.md §3) and BAP linkedAppMetadata.type -> how the F&O side is managed
_UNIFIED_DEPLOYMENTS = ("unifieddeveloper", "unifiedsandbox", "unifiedproduction")
_LCS_DEPLOYMENTS = ("lcssandbox", "lcsproduction")
_LINK_TYPES = {"internal": "unified", "linked": "lcs"}
_ENABLED = ("enabled", "adminmode", "true", "on", "1")
_DISABLED = ("disabled", "false", "off", "0", "none", "notspecified")


def _dig(body, *path):
    for key in path:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


def first(body, *paths):
    """The first non-empty value among dotted ``paths`` of ``body``."""
    for path in paths:
        value = _dig(body, *path.split("."))
        if value not in (None, "", [], {}):
            return value
    return None


def switch_state(value):
    """'enabled', 'disabled' or None from the service's spellings (Enabled, AdminMode, true, ...)."""
    if isinstance(value, dict):
        value = value.get("id") or value.get("state")
    if isinstance(value, bool):
        return "enabled" if value else "disabled"
    text = str(value or "").strip().lower()
    if text in _ENABLED:
        return "enabled"
    if text in _DISABLED:
        return "disabled"
    return None


def _admin_mode(body):
    direct = switch_state(first(body, "adminMode"))
    if direct:
        return direct
    runtime = first(body, "properties.states.runtime.id", "states.runtime.id")
    if runtime:
        # BAP runtime state: AdminMode means admin mode on, Enabled means open to users
        return "enabled" if str(runtime).lower() == "adminmode" else "disabled"
    return None


def management(deployment_type, link_type):
    """'unified' (managed in the Power Platform admin center), 'lcs' (LCS-managed) or None."""
    deployment = str(deployment_type or "").lower()
    if deployment in _UNIFIED_DEPLOYMENTS:
        return "unified"
    if deployment in _LCS_DEPLOYMENTS:
        return "lcs"
    return _LINK_TYPES.get(str(link_type or "").lower())


def environment_facts(body, finops_properties=None):
    """Normalised facts of one environment (EnvironmentResponse or the BAP shape)."""
    finops = first(body, "finOpsMetadata", "properties.linkedAppMetadata") or {}
    dataverse_url = first(body, "url", "properties.linkedEnvironmentMetadata.instanceUrl")
    dataverse_id = first(body, "dataverseId", "properties.linkedEnvironmentMetadata.resourceId")
    properties = finops_properties or {}
    deployment_type = properties.get("deploymentType")
    retention = first(body, "retentionDetails", "properties.retentionDetails") or {}
    return {
        "id": first(body, "id", "name"),
        "name": first(body, "displayName", "properties.displayName"),
        "type": first(body, "type", "properties.environmentSku"),
        "state": first(body, "state", "properties.states.management.id", "properties.provisioningState"),
        "region": first(body, "azureRegion", "properties.azureRegion"),
        "geo": first(body, "geo", "location"),
        "url": dataverse_url,
        "dataverse": bool(dataverse_url or dataverse_id or first(body, "domainName")),
        "dataverse_id": dataverse_id,
        "dataverse_version": first(body, "version", "properties.linkedEnvironmentMetadata.version"),
        "admin_mode": _admin_mode(body),
        "background_operations": switch_state(first(
            body, "backgroundOperationsState", "properties.linkedEnvironmentMetadata.backgroundOperationsState",
            "properties.states.backgroundOperations.id")),
        "retention_available_from": format_datetime(parse_datetime(retention.get("availableFromDateTime"))),
        "retention_period": retention.get("retentionPeriod"),
        "finops_environment_id": properties.get("appId") or finops.get("id"),
        "finops_url": finops.get("url"),
        "finops_link_type": finops.get("type"),
        "finops_deployment_type": deployment_type,
        "finops_management": management(deployment_type, finops.get("type")) if (finops or properties) else None,
    }


def free_database_capacity_mb(capacity):
    """Free Dataverse database capacity of the tenant in MB from TenantCapacityDetailsModel, or None."""
    for row in (capacity or {}).get("tenantCapacities") or []:
        if str(row.get("capacityType") or "").lower() != "database":
            continue
        total = row.get("totalCapacity")
        used = _dig(row, "consumption", "actual")
        if isinstance(total, (int, float)) and isinstance(used, (int, float)):
            return round(float(total) - float(used), 1)
    return None


def backup_facts(body):
    """One EnvironmentBackup as facts; ``restorable_after`` is when a restore to it may start."""
    point = parse_datetime(first(body, "backupPointDateTime", "properties.backupPointDateTime"))
    created_by = first(body, "createdBy", "properties.createdBy") or {}
    return {
        "id": first(body, "id", "name"),
        "label": first(body, "label", "properties.label"),
        "backup_point": format_datetime(point),
        "expires_at": format_datetime(parse_datetime(first(body, "backupExpiryDateTime",
                                                           "properties.backupExpiryDateTime"))),
        "created_by": created_by.get("displayName") or created_by.get("userId"),
        "restorable_after": format_datetime(point + RESTORABLE_DELAY) if point else None,
    }


def backups_newest_first(rows):
    facts = [backup_facts(row) for row in rows]
    return sorted(facts, key=lambda fact: fact["backup_point"] or "", reverse=True)
