"""Which restore and copy the service accepts: the matrix of power-platform.md §1.5 (Dataverse) and
dataalm-2026-addendum.md §2.1 (F&O), same region and tenant, the instant inside the source's retention,
free capacity, advanced F&O copy. Each rule raises the ValidationResponse the service sends."""

from __future__ import annotations

import datetime as dt

from ..powerplatform.backend import PpError, field_error
from ..powerplatform.world import PpEnvironment

COPY_TYPES = ("Minimal", "Full")
MIN_FREE_CAPACITY_GB = 1.0


def fin_ops_kind(env: PpEnvironment) -> str:
    """``unified``, ``lcs`` (F&O managed in LCS: the Power Platform moves only its Dataverse) or ``none``."""
    return env.fin_ops.kind if env.fin_ops is not None else "none"


# addendum §2.1: (source F&O kind and type, target type) for two environments with unified F&O or an LCS source
_FIN_OPS_MATRIX = {
    ("lcs", "Sandbox", "Developer"): True, ("lcs", "Production", "Developer"): True,
    ("lcs", "Sandbox", "Sandbox"): True, ("lcs", "Production", "Sandbox"): False,
    ("unified", "Developer", "Sandbox"): False, ("unified", "Developer", "Developer"): True,
    ("unified", "Sandbox", "Developer"): True, ("unified", "Sandbox", "Sandbox"): True,
    ("unified", "Production", "Developer"): True, ("unified", "Production", "Sandbox"): True,
}
# power-platform.md §1.5: Dataverse-only source type -> allowed target types
_DATAVERSE_MATRIX = {"Production": {"Sandbox"}, "Sandbox": {"Sandbox"}, "Developer": {"Sandbox", "Developer"},
                     "Default": {"Developer"}, "Teams": set(), "Trial": set()}


def matrix_reason(source: PpEnvironment, target: PpEnvironment, action: str) -> str | None:
    """Why the matrix forbids ``source`` -> ``target`` (None: allowed)."""
    if target.type in ("Production", "Default", "Trial", "Teams"):
        if not (target.type == "Teams" and source.id == target.id and action == "restore"):
            return (f"{target.type} environment {target.name} cannot be the target of a {action}: only sandbox "
                    "environments (developer ones where the matrix allows) are. Switch it to Sandbox first or "
                    "pick another target.")
        return None
    if fin_ops_kind(target) == "unified" and fin_ops_kind(source) in ("unified", "lcs"):
        allowed = _FIN_OPS_MATRIX.get((fin_ops_kind(source), source.type, target.type), False)
        if not allowed:
            return (f"A {action} from {'an LCS' if fin_ops_kind(source) == 'lcs' else 'a unified'} "
                    f"{source.type.lower()} environment to a unified {target.type.lower()} environment is not "
                    "supported (see the supported copy and restore matrix).")
        return None
    if target.type not in _DATAVERSE_MATRIX.get(source.type, set()) and source.id != target.id:
        return f"A {action} from a {source.type} environment to a {target.type} environment is not supported."
    return None


def check_pair(pp, source: PpEnvironment, target: PpEnvironment, action: str) -> None:
    """Matrix, Dataverse on both sides, region, tenant, capacity, busy target."""
    reason = matrix_reason(source, target, action)
    if reason:
        raise field_error(400, "TargetEnvironmentNotSupported", "sourceEnvironmentId", reason)
    for side, env in (("sourceEnvironmentId", source), ("environmentId", target)):
        if env.dataverse is None:
            raise field_error(400, "EnvironmentHasNoDataverse", side,
                              f"Environment {env.name} has no Dataverse database: both sides of a {action} need one.")
    if source.azure_region != target.azure_region:
        raise field_error(400, "RegionMismatch", "sourceEnvironmentId",
                          f"Source {source.name} is in {source.azure_region}, target {target.name} in "
                          f"{target.azure_region}: a {action} needs both in the same region.")
    if pp.pp.free_capacity_gb < MIN_FREE_CAPACITY_GB:
        raise PpError(409, "InsufficientCapacity",
                      f"The tenant has {pp.pp.free_capacity_gb:g} GB of Dataverse capacity free; a {action} needs at "
                      "least 1 GB. Free or buy capacity first.", shape="validation")
    running = pp.running_operation(target)
    if running is not None or pp.core.env_fault("busy", target.id) is not None:
        what = running.name if running is not None else "another operation"
        raise PpError(409, "EnvironmentBusy", f"Environment {target.name} is busy with {what}.", shape="validation")


def parse_instant(raw, now: dt.datetime, source: PpEnvironment) -> dt.datetime:
    """``restorePointDateTime``: RFC 3339 with an offset, inside the source's retention window, not future."""
    name = "restorePointDateTime"
    if not isinstance(raw, str) or not raw:
        raise field_error(400, "InvalidRequest", name, "restorePointDateTime is required (RFC 3339 with an offset).")
    try:
        instant = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise field_error(400, "InvalidRequest", name, f"'{raw}' is not an RFC 3339 date-time.") from None
    if instant.tzinfo is None:
        raise field_error(400, "InvalidRequest", name, f"'{raw}' has no timezone offset: RFC 3339 needs one "
                                                       "(Z or +hh:mm).")
    if instant > now:
        raise field_error(400, "RestorePointInFuture", name, f"{raw} is in the future.")
    earliest = now - dt.timedelta(days=source.retention_days)
    if source.retention_days == 0 or instant < earliest:
        raise field_error(400, "RestorePointOutOfRetention", name,
                          f"{raw} is outside the retention window of {source.name} ({source.retention_days} days).",
                          suggested=earliest.isoformat())
    return instant


def check_copy_options(raw: dict, target: PpEnvironment) -> tuple[str, bool]:
    copy_type = raw.get("copyType")
    if copy_type not in COPY_TYPES:
        raise field_error(400, "InvalidRequest", "copyType", f"copyType must be one of {', '.join(COPY_TYPES)}.")
    options = raw.get("copyOptions") or {}
    advanced = bool(options.get("executeAdvancedCopyForFinanceAndOperations")) if isinstance(options, dict) else False
    if advanced and (copy_type != "Full" or fin_ops_kind(target) != "unified"):
        raise field_error(400, "AdvancedCopyNotSupported", "executeAdvancedCopyForFinanceAndOperations",
                          "The advanced finance and operations copy needs copyType Full and a unified target.")
    return copy_type, advanced
