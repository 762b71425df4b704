# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What was deployed after an instant, from a neutral list of deployment records.

A restore or copy to an instant brings back the **code** of that instant as well as its data
(power-platform.md §1.5, §2 "code alignment"): every F&O package and Dataverse solution deployed after
it comes back at its older version, or disappears. This file answers that question for any source of
records, so the restore preflight (``_pp``) and the code-alignment drift of linked pairs share one
definition. It knows no service: callers turn their rows (Dataverse ``solutions``, ``packagehistories``,
an LCS deployment history...) into records first.

API (four names):

- ``Deployment(name, version, deployed_at)`` - one record: a name, the version deployed (text, may be
  None) and an aware datetime. A history holds one record per deployment (the same name several times);
  a current-state list holds one per name (then the version before the instant is unknown).
- ``records(rows, name, version, deployed_at)`` - Deployments from dicts, reading the three given keys;
  timestamps in any form ``_dates.parse_datetime`` reads (naive means UTC). Rows without a name or a
  readable time are left out: an undated row cannot be placed before or after the instant.
- ``deployed_after(deployments, instant)`` - one dict per name deployed after ``instant`` (aware):
  ``{name, version, deployed_at, version_at_instant}``, sorted by name. ``version`` and ``deployed_at``
  are the newest deployment; ``version_at_instant`` is the version that was deployed at the instant
  (the newest record at or before it), None when the records hold none (absent then, or unknown).
- ``versions_at(deployments, instant)`` - ``{name: version}`` as of ``instant`` (None: the newest).
"""

from __future__ import annotations

from collections import namedtuple

from ._dates import format_datetime, parse_datetime

Deployment = namedtuple("Deployment", "name version deployed_at")


def records(rows, name="name", version="version", deployed_at="deployed_at"):
    """Deployments from dict rows; rows without a name or a readable time are left out."""
    found = []
    for row in rows or ():
        if not isinstance(row, dict) or not row.get(name):
            continue
        at = parse_datetime(row.get(deployed_at))
        if at is not None:
            text = row.get(version)
            found.append(Deployment(str(row[name]), None if text is None else str(text), at))
    return found


def versions_at(deployments, instant=None):
    """{name: version} of the newest deployment of each name at or before ``instant`` (all when None)."""
    versions = {}
    for item in sorted(deployments, key=lambda d: d.deployed_at):
        if instant is None or item.deployed_at <= instant:
            versions[item.name] = item.version
    return versions


def deployed_after(deployments, instant):
    """One dict per name with a deployment strictly after ``instant``, sorted by name."""
    before = versions_at(deployments, instant)
    newest = {}
    for item in sorted(deployments, key=lambda d: d.deployed_at):
        if item.deployed_at > instant:
            newest[item.name] = item
    return [{"name": name, "version": item.version, "deployed_at": format_datetime(item.deployed_at),
             "version_at_instant": before.get(name)} for name, item in sorted(newest.items())]
