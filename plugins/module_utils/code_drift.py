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
``package_history`` [{name, version, deployed_at}] and ``packages`` {name: version}.
"""

from __future__ import annotations

from .deployed_after import deployed_after, records


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


def report(before, after, movement, instant=None, source=None):
    """The drift and both remedies. ``movement`` is refresh, copy or restore; ``source`` (optional) is the
    source's record (its package history says what was deployed there after the instant)."""
    solutions = compare(before.get("solutions"), after.get("solutions"))
    packages = compare(_as_list(before.get("packages")), _as_list(after.get("packages")))
    history = (source or before).get("package_history")
    later = {"packages": after_instant(history, instant),
             "solutions": after_instant([dict(s, deployed_at=s.get("installed_on"))
                                         for s in (source or before).get("solutions") or ()], instant)}
    redeploy = [{"name": d["name"], "version": d["before"]} for d in solutions if d["before"] is not None]
    return {"solutions": solutions, "packages": packages, "deployed_after_instant": later,
            "aligned": not solutions and not packages,
            "remedies": {"dataverse": {"solutions_to_redeploy": redeploy},
                         "finops": _finops_remedy(movement, later["packages"], source)}}


def _finops_remedy(movement, later, source):
    if movement == "restore":
        return {"deploy": "the package matching the instant",
                "packages": [{"name": p["name"], "version": p["version_at_instant"], "deployed_after": p["version"]}
                             for p in later]}
    return {"deploy": "the source's package", "packages": _as_list((source or {}).get("packages"))}
