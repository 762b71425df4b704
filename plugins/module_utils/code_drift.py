# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Code alignment of a linked pair after a movement: what changed between the code recorded before it and
the code found after it, and the two ways back into line (issue 17).

A movement brings the source's (or the instant's) data, and with a copy or restore also its Dataverse
solutions; the F&O code of an LCS refresh stays the target's. Data and code then disagree. Either remedy
works: redeploy in Dataverse the solutions at the versions recorded before the movement, or deploy to F&O
the package that matches the data (the instant's packages after a point-in-time restore: those deployed
after it come back older; the source's package after a refresh or copy).

Records are the shape ``dataverse_code_info`` returns: ``solutions`` [{name, version, managed}],
``package_history`` [{name, version, deployed_at}] and ``packages`` {name: version}; an LCS-managed F&O adds
``lcs_history``, the environment history rows ``lcs_environment_info`` returns. Its deployable-package rows
(lcs-api.md §5.2: types ApplicationHotfix / SFApplicationHotfix "Application deployable package", SFBinaryHotfix
"Binary hotfix") are the F&O deployments: named by the update name given at deployment, without a version.
"""

from __future__ import annotations

from ._dates import parse_datetime
from .deployed_after import deployed_after, records

LCS_PACKAGE_TYPES = ("ApplicationHotfix", "SFApplicationHotfix", "SFBinaryHotfix")


def compare(before, after):
    """One entry per name whose version (or managed flag) differs, sorted by name:
    {name, before, after, change} with change ``changed``, ``missing`` (gone after) or ``added``."""
    old = {item["name"]: item for item in before or ()}
    new = {item["name"]: item for item in after or ()}
    drift = []
    for name in sorted(set(old) | set(new), key=str.lower):
        was, now = old.get(name), new.get(name)
        if was is not None and now is not None and _same(was, now):
            continue
        change = "missing" if now is None else "added" if was is None else "changed"
        drift.append({"name": name, "before": _version(was), "after": _version(now), "change": change})
    return drift


def _same(first, second):
    return first.get("version") == second.get("version") and first.get("managed") == second.get("managed")


def _version(item):
    return None if item is None else item.get("version")


def _as_list(packages):
    return [{"name": name, "version": version} for name, version in sorted((packages or {}).items())]


def after_instant(history, instant):
    """The deployments of ``history`` (package or solution records) after ``instant``; [] without an instant."""
    if instant is None or not history:
        return []
    return deployed_after(records(history, "name", "version", "deployed_at"), instant)


def lcs_deployments(record):
    """The F&O package deployments of a record's LCS history that succeeded, oldest first:
    [{name, version (None: LCS names no version), deployed_at}]."""
    rows = [row for row in (record or {}).get("lcs_history") or ()
            if isinstance(row, dict) and row.get("type") in LCS_PACKAGE_TYPES and row.get("state") == "succeeded"]
    found = [{"name": row.get("name"), "version": None, "deployed_at": row.get("completed_at") or row.get("started_at")}
             for row in rows if row.get("name")]
    return sorted(found, key=lambda item: str(item["deployed_at"]))


HISTORY_SOURCES = (("Dataverse package history", "package_history"), ("LCS environment history", "lcs_history"))


def finops_history_sources(record):
    """Where the F&O deployments of a record come from (empty: none is known)."""
    return [name for name, key in HISTORY_SOURCES if (record or {}).get(key) is not None]


def report(before, after, movement, instant=None, source=None):
    """The drift and both remedies. ``movement`` is refresh, copy or restore; ``source`` (optional) is the
    source's record (its package history says what was deployed there after the instant)."""
    solutions = compare(before.get("solutions"), after.get("solutions"))
    packages = compare(_as_list(before.get("packages")), _as_list(after.get("packages")))
    origin = source or before
    history = (origin.get("package_history") or []) + lcs_deployments(origin)
    later = {"packages": after_instant(history, instant),
             "solutions": after_instant([dict(s, deployed_at=s.get("installed_on"))
                                         for s in origin.get("solutions") or ()], instant)}
    lcs_drift = lcs_changes(movement, before, source, instant)
    redeploy = [{"name": d["name"], "version": d["before"]} for d in solutions if d["before"] is not None]
    finops = _finops_remedy(movement, later["packages"], source, lcs_drift)
    finops["history"] = finops_history_sources(origin)
    return {"solutions": solutions, "packages": packages, "deployed_after_instant": later,
            "finops_deployments": lcs_drift, "aligned": not solutions and not packages and not lcs_drift,
            "remedies": {"dataverse": {"solutions_to_redeploy": redeploy}, "finops": finops}}


def lcs_changes(movement, before, source, instant):
    """How the F&O code (LCS history) disagrees with the moved data. An LCS restore brings the data of the instant
    but leaves the code: every package deployed after the instant is newer than the data (``after_instant``). A
    refresh or copy brings the source's data: every deployment the source has and the target's history lacks
    (``source_only``)."""
    if movement == "restore":
        return [{"name": d["name"], "deployed_at": d["deployed_at"], "change": "after_instant"}
                for d in lcs_deployments(source or before) if instant is not None
                and (parse_datetime(d["deployed_at"]) or instant) > instant]
    own = {d["name"] for d in lcs_deployments(before)}
    changes = []
    for deployment in lcs_deployments(source):
        if deployment["name"] not in own and deployment["name"] not in [c["name"] for c in changes]:
            changes.append({"name": deployment["name"], "deployed_at": deployment["deployed_at"],
                            "change": "source_only"})
    return changes


def _finops_remedy(movement, later, source, lcs_drift):
    if movement == "restore":
        return {"deploy": "the package matching the instant",
                "packages": [{"name": p["name"], "version": p["version_at_instant"], "deployed_after": p["version"]}
                             for p in later]}
    return {"deploy": "the source's package",
            "packages": _as_list((source or {}).get("packages")) + [{"name": c["name"], "version": None}
                                                                    for c in lcs_drift]}
