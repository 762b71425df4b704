# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of a source pair against a target pair, before either side of a pair movement starts.

Pure rules over facts (no service call): each pair is the result of linked_pair_info plus ``lcs`` (the
LCS environment's facts from lcs_environment_info, with history) and ``pp_operations`` (pp_operation_info).
Facts: same tenant and region for a refresh and a copy (lcs-api.md §3.2, power-platform.md §1.5),
retention of both sides for an instant (F&O 28 days production / 7 sandbox, preflight.RETENTION_DAYS;
Power Platform retentionDetails), and a movement into a source after the instant starts a new
restore-point chain (PITR docs: a restore creates a new database).
"""

from __future__ import annotations

import datetime

from .._pp.lifecycle_checks import retention_days
from ..preflight import BLOCKING, CHAIN_BREAKING_MARKERS, RETENTION_DAYS, WARNING, finding, parse_timestamp
from .regions import azure_region, power_platform_geo

# Power Platform operation names that replace an environment's data (OperationExecutionResult.name)
PP_CHAIN_BREAKING = ("restore", "copy", "reset")
_FAILED_STATES = ("failed", "rolled_back")


def _label(pair):
    return (pair.get("lcs") or {}).get("name") or pair.get("lcs_environment_id") or pair.get("pp_environment_name")


def _has_dataverse(pair):
    return bool(pair.get("dataverse")) and pair.get("kind") != "single"


def check_tenant_and_region(source, target, findings):
    """Refresh/copy: one tenant, one region on both platforms (neither service moves across them)."""
    if source.get("tenant_id") and target.get("tenant_id") and \
            str(source["tenant_id"]).lower() != str(target["tenant_id"]).lower():
        findings.append(finding("pair_tenant", BLOCKING, "source pair %s is in tenant %s, target pair %s in %s" % (
            _label(source), source["tenant_id"], _label(target), target["tenant_id"]),
            "Pick a target pair in the source's tenant; neither LCS nor the Power Platform copies across tenants."))
    lcs_regions = [azure_region((p.get("lcs") or {}).get("region")) for p in (source, target)]
    if all(lcs_regions) and lcs_regions[0] != lcs_regions[1]:
        findings.append(finding("pair_region_lcs", BLOCKING, "LCS environments %s (%s) and %s (%s) are in different "
                                "regions" % (_label(source), lcs_regions[0], _label(target), lcs_regions[1]),
                                "Pick a target in the source's Azure region."))
    if _has_dataverse(source) and _has_dataverse(target) and source.get("region") and target.get("region") and \
            str(source["region"]).lower() != str(target["region"]).lower():
        findings.append(finding("pair_region_dataverse", BLOCKING, "Dataverse environments %s (%s) and %s (%s) are "
                                "in different regions" % (source.get("pp_environment_name"), source["region"],
                                                          target.get("pp_environment_name"), target["region"]),
                                "Pick a target pair whose Dataverse is in the source's azureRegion."))


def check_pair_geography(pair, findings):
    """Both halves of one pair in one geography (INFERRED map, regions.py): a warning, never a block."""
    location = (pair.get("lcs") or {}).get("region")
    expected, actual = power_platform_geo(location), str(pair.get("geo") or "").lower() or None
    if _has_dataverse(pair) and expected and actual and expected != actual:
        findings.append(finding("pair_geography", WARNING, "LCS environment %s is in %s (geography %s by the inferred "
                                "region map) but its Dataverse %s reports geo %s" % (
                                    _label(pair), location, expected, pair.get("pp_environment_name"), actual),
                                "Check the Power Platform integration of %s in LCS." % _label(pair)))


def _release(text):
    parts = [int(p) for p in str(text or "").split(".") if p.isdigit()]
    return tuple(parts) or None


def check_versions(source, target, findings):
    """A target older than its source on either side gets data its code may not know (a warning)."""
    for side, key_of in (("finance and operations", lambda p: (p.get("lcs") or {}).get("application_release")),
                         ("Dataverse", lambda p: p.get("dataverse_version"))):
        older, newer = _release(key_of(target)), _release(key_of(source))
        if older and newer and older < newer:
            findings.append(finding("pair_version_%s" % ("fo" if side[0] == "f" else "dataverse"), WARNING,
                                    "target pair %s runs %s %s, older than the source's %s" % (
                                        _label(target), side, key_of(target), key_of(source)),
                                    "Update the target's %s first, or accept that the data is newer than its code."
                                    % side))


def check_kinds(source, target, findings):
    """A pair of one on either side moves only the finance and operations side."""
    if _has_dataverse(source) != _has_dataverse(target):
        single = target if _has_dataverse(source) else source
        findings.append(finding("pair_of_one", WARNING, "%s is a pair of one (no Dataverse): only the finance and "
                                "operations side moves" % _label(single),
                                "Link Dataverse to %s in LCS (Power Platform integration) to move both."
                                % _label(single)))


def _fo_retention_start(pair, now):
    kind = "production" if str((pair.get("lcs") or {}).get("type") or "").lower() == "production" else "sandbox"
    return now - datetime.timedelta(days=RETENTION_DAYS[kind]), kind


def _pp_retention_start(pair, now):
    earliest = parse_timestamp(pair.get("retention_available_from"))
    days = retention_days(pair.get("retention_period"))
    return earliest or (now - datetime.timedelta(days=days) if days is not None else None)


def check_retention(pair, instant, now, findings):
    """The instant lies inside the retention of both sides of the pair."""
    fo_start, kind = _fo_retention_start(pair, now)
    starts = [("finance and operations (%s, %d days)" % (kind, RETENTION_DAYS[kind]), fo_start)]
    if _has_dataverse(pair):
        starts.append(("Dataverse (%s)" % (pair.get("retention_period") or "retentionDetails"),
                       _pp_retention_start(pair, now)))
    for side, start in starts:
        if start is not None and instant < start:
            findings.append(finding("pair_outside_retention", BLOCKING, "the instant %s is older than the %s "
                                    "retention of %s, which starts at %s" % (
                                        instant.isoformat(), side, _label(pair), start.isoformat()),
                                    "Choose an instant after %s." % start.isoformat()))


def _breaks_chain(operation, markers, instant):
    text = (str(operation.get("type") or "") + " " + str(operation.get("name") or "")).lower()
    started = parse_timestamp(operation.get("started_at"))
    state = str(operation.get("state") or "").lower()
    return (any(m in text for m in markers) and started is not None and started > instant
            and state not in _FAILED_STATES)


def check_chain(pair, instant, findings, own_since=None):
    """No movement into the pair (either side) after the instant: it started a new restore-point chain.

    Movements started at or after ``own_since`` are this movement's own (a re-run joins them), not breaks."""
    sides = (("LCS", (pair.get("lcs") or {}).get("operations") or [], CHAIN_BREAKING_MARKERS),
             ("Power Platform", pair.get("pp_operations") or [], PP_CHAIN_BREAKING))
    for side, operations, markers in sides:
        for operation in operations:
            started = parse_timestamp(operation.get("started_at"))
            if own_since is not None and started is not None and started >= own_since:
                continue
            if _breaks_chain(operation, markers, instant):
                findings.append(finding("pair_chain_broken", BLOCKING, "%s %s (%s) moved data into %s at %s, after the "
                                        "instant %s: the restore-point chain before it is gone" % (
                                            side, operation.get("type") or operation.get("name"),
                                            operation.get("operation_id"), _label(pair), operation.get("started_at"),
                                            instant.isoformat()),
                                        "Choose an instant after %s." % operation.get("started_at")))
                break


def evaluate(kind, source, target, instant, now, own_since=None):
    """Every finding of a pair movement (kind refresh, backup or point_in_time_restore)."""
    findings = []
    if kind == "refresh":
        check_tenant_and_region(source, target, findings)
        check_versions(source, target, findings)
        check_kinds(source, target, findings)
    for pair in [source] if kind != "refresh" else [source, target]:
        check_pair_geography(pair, findings)
    if instant is not None:
        if instant > now:
            findings.append(finding("pair_instant_future", BLOCKING, "the instant %s is in the future (now %s)"
                                    % (instant.isoformat(), now.isoformat()), "Choose an instant in the past."))
        check_retention(source, instant, now, findings)
        check_chain(source, instant, findings, own_since)
    return findings
