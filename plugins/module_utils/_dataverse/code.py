# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The code of a Dataverse organisation as the code-alignment record keeps it: its solutions (name,
version, managed) and the F&O package deployments its package history holds (a unified environment's
packages are deployed through Dataverse, which keeps one ``packagehistories`` row per deployment).

Sorted by name, so two records compare line by line (``code_drift``). An organisation without a package
history (the table is absent: HTTP 404) records ``package_history: None``, not an empty list.
"""

from __future__ import annotations

from .._dates import format_datetime
from .._pp.errors import PpError
from ..deployed_after import records, versions_at

# Package history columns: createdon and applicationname/executionname are documented; the others inferred.
PACKAGE_NAME_KEYS = ("packageuniquename", "applicationname", "executionname")
PACKAGE_VERSION_KEYS = ("packageversion", "version")
SOLUTION_FIELDS = ["solutionid", "uniquename", "version", "ismanaged", "installedon", "modifiedon"]


def solutions(client):
    rows = client.rows("solutions", SOLUTION_FIELDS)
    found = [{"name": row.get("uniquename"), "version": row.get("version"), "managed": bool(row.get("ismanaged")),
              "installed_on": row.get("installedon") or row.get("modifiedon")}
             for row in rows if row.get("uniquename")]
    return sorted(found, key=lambda item: str(item["name"]).lower())


def _column(rows, names):
    """The first of ``names`` the rows carry (the spelling this service uses; several are inferred)."""
    return next((name for name in names if any(row.get(name) for row in rows)), names[0])


def package_history(client):
    """[{name, version, deployed_at}] oldest first, or None when the organisation keeps no package history."""
    try:
        rows = client.rows("packagehistories")
    except PpError as exc:
        if exc.status == 404:
            return None
        raise
    deployments = records(rows, _column(rows, PACKAGE_NAME_KEYS), _column(rows, PACKAGE_VERSION_KEYS), "createdon")
    return [{"name": d.name, "version": d.version, "deployed_at": format_datetime(d.deployed_at)}
            for d in sorted(deployments, key=lambda d: d.deployed_at)]


def inventory(client):
    """The record; ``read_at`` is the service's clock (its Date header), the instant later reads compare with."""
    history = package_history(client)
    packages = None if history is None else versions_at(records(history, "name", "version", "deployed_at"))
    found = solutions(client)
    return {"solutions": found, "package_history": history, "packages": packages,
            "read_at": format_datetime(client.http.server_now())}
