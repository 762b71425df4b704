# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The download's narrow view of LCS: which backup to take, and fresh signed links to it.

It needs one thing from the LCS client, ``list_backups()`` (the ``DatabaseAssets`` rows), so the
transfer code never depends on how the client is built. Every link it hands out is first given
to ``protect`` (the module masks it in anything it returns), because a SAS link is a credential.
"""

from __future__ import annotations

import fnmatch
from urllib.parse import parse_qs, urlsplit

from ._dates import parse_datetime
from ._download import DownloadError


def _guid_key(value):
    return str(value or "").replace("-", "").strip("{}").lower()


def _created(asset):
    created = parse_datetime(asset.get("CreatedDateTime"))
    return created.isoformat() if created else ""


def choose_backup(assets, name=None, backup=None):
    """The asset row to download: ``backup``'s id (or name), else the newest whose Name matches ``name``."""
    if backup:
        if backup.get("id"):
            matches = [a for a in assets if _guid_key(a.get("Id")) == _guid_key(backup["id"])]
            wanted = "backup id %s" % backup["id"]
        else:
            matches = [a for a in assets if (a.get("Name") or "") == backup.get("name")]
            wanted = "backup named %s" % backup.get("name")
    else:
        matches = [a for a in assets if fnmatch.fnmatchcase(a.get("Name") or "", name)]
        wanted = "backup matching %s" % name
    if not matches:
        raise DownloadError("the LCS project has no %s (%d backups listed); check the name with "
                            "lcs_database_backup_info, project_id and lcs_api_url" % (wanted, len(assets)))
    # newest first, like lcs_database_backup_info; among equal times the listing order decides
    return sorted(matches, key=_created, reverse=True)[0]


class BackupLinkSource:
    """Callable giving a signed link to one backup; the first from the listing at hand, later ones fresh."""

    def __init__(self, list_backups, asset, protect):
        self.list_backups = list_backups
        self.asset = asset
        self.protect = protect
        self._listed = asset

    def __call__(self):
        asset, self._listed = self._listed, None
        if asset is None:
            matches = [a for a in self.list_backups() if _guid_key(a.get("Id")) == _guid_key(self.asset.get("Id"))]
            if not matches:
                raise DownloadError("backup %s (%s) is no longer in the LCS asset library; it may have been deleted. "
                                    "The partial download is kept" % (self.asset.get("Name"), self.asset.get("Id")))
            asset = matches[0]
        link = asset.get("FileLocation")
        if not link or not str(link).lower().startswith(("https://", "http://")):
            raise DownloadError("LCS gave no download link for backup %s (%s); re-run later, or check in LCS that "
                                "the backup is complete" % (self.asset.get("Name"), self.asset.get("Id")))
        self.protect(link)
        return link


def link_secrets(link):
    """The parts of a signed link that must never be shown: the whole link and its signature."""
    secrets = [link]
    secrets.extend(parse_qs(urlsplit(link).query).get("sig", []))
    return secrets
