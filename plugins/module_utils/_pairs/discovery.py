# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Find the two halves of a linked pair: an LCS environment and its Power Platform (Dataverse) environment.

The link is stated on the Power Platform side only: ``finOpsMetadata`` {id, type, url} of the Power
Platform API (pp-api-sdk.md §2.1) or, where that is absent, ``properties.linkedAppMetadata`` of the BAP
admin API (power-platform.md §1.3). ``id`` is the LCS environment id (seen dashed and dashless), ``url``
the F&O URL. From the LCS side the pair is found by listing the Power Platform environments and matching
the id, then the URL. An LCS environment whose Power Platform environment has no Dataverse (the initial
environment, power-platform.md §5) is a pair of one: only its F&O side moves.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .._http import HttpError
from .._lcs.client import same_guid
from .._pp.client import BAP_ENVIRONMENTS, MAX_PAGES
from .._pp.errors import PpError, translate
from .._pp.model import environment_facts, first

# the BAP api-version whose environment list carries linkedAppMetadata (power-platform.md §1.3)
BAP_LIST_API_VERSION = "2023-06-01"


def link_of(body):
    """(LCS environment id, F&O URL, link type, where it was read) of one PP or BAP environment body."""
    for path, origin in (("finOpsMetadata", "finOpsMetadata"), ("properties.finOpsMetadata", "finOpsMetadata"),
                         ("properties.linkedAppMetadata", "linkedAppMetadata"),
                         ("linkedAppMetadata", "linkedAppMetadata")):
        link = first(body, path)
        if isinstance(link, dict) and (link.get("id") or link.get("url")):
            return link.get("id"), link.get("url"), link.get("type"), origin
    return None, None, None, None


def same_url(left, right):
    """Same F&O URL regardless of scheme case, trailing slash and path case (hosts are case-insensitive)."""
    def key(url):
        parts = urlsplit(str(url or "").strip())
        return (parts.hostname or "").lower(), parts.path.rstrip("/").lower()
    return bool(left and right) and key(left)[0] != "" and key(left) == key(right)


def bap_environments(bap):
    """Every environment of the BAP admin list (each page), for the linkedAppMetadata fallback."""
    items, path, params, seen = [], BAP_ENVIRONMENTS, {"api-version": BAP_LIST_API_VERSION}, set()
    for _page in range(MAX_PAGES):
        try:
            body = bap.http.get_json(path, params=params)
        except HttpError as exc:
            raise translate(exc, "listing environments through the BAP admin API", audience="bap") from None
        items.extend(body.get("value") or [] if isinstance(body, dict) else [])
        link = body.get("nextLink") or body.get("@odata.nextLink") if isinstance(body, dict) else None
        if not link or link in seen:
            return items
        seen.add(link)
        parts = urlsplit(link)
        path, params = parts.path.lstrip("/") + ("?" + parts.query if parts.query else ""), None
    return items


def _with_bap_links(rows, bap, notes):
    """PP rows lacking finOpsMetadata get the BAP linkedAppMetadata of the same environment id."""
    if all(link_of(row)[3] for row in rows) or bap is None:
        return rows
    try:
        bap_rows = bap_environments(bap)
    except PpError as exc:
        # the fallback is optional: without it only finOpsMetadata links are seen, and the result says so
        notes.append("the BAP admin API could not be read (HTTP %s); environments without finOpsMetadata were "
                     "matched on nothing else" % exc.status)
        return rows
    by_id = {str(first(row, "name", "id") or "").lower(): row for row in bap_rows}
    merged = []
    for row in rows:
        bap_row = by_id.get(str(first(row, "id", "name") or "").lower())
        if not link_of(row)[3] and bap_row is not None:
            row = dict(row, properties=dict(row.get("properties") or {},
                                            linkedAppMetadata=first(bap_row, "properties.linkedAppMetadata")))
        merged.append(row)
    return merged


def pair_facts(lcs_environment_id, finops_url, row, matched_by):
    """The pair as facts; ``row`` None (no Power Platform environment found) is a pair of one."""
    if row is None:
        return dict(lcs_environment_id=lcs_environment_id, finops_url=finops_url, pp_environment_id=None,
                    kind="single", dataverse=False, matched_by=None,
                    message="no Power Platform environment is linked to LCS environment %s: a pair of one, only "
                            "the finance and operations side moves" % lcs_environment_id)
    facts = environment_facts(row)
    link_id, link_url, link_type, _origin = link_of(row)
    pair = dict(
        lcs_environment_id=lcs_environment_id or link_id, finops_url=finops_url or link_url,
        pp_environment_id=facts["id"], pp_environment_name=facts["name"], pp_type=facts["type"],
        tenant_id=first(row, "tenantId", "properties.tenantId"), region=facts["region"], geo=facts["geo"],
        dataverse=facts["dataverse"], dataverse_url=facts["url"], dataverse_version=facts["dataverse_version"],
        retention_period=facts["retention_period"], retention_available_from=facts["retention_available_from"],
        link_type=link_type, management=facts["finops_management"], matched_by=matched_by)
    if not facts["dataverse"]:
        pair.update(kind="single", message="Power Platform environment %s linked to LCS environment %s has no "
                    "Dataverse: a pair of one, only the finance and operations side moves"
                    % (facts["name"] or facts["id"], pair["lcs_environment_id"]))
    elif pair["management"] == "unified":
        pair.update(kind="unified", message="%s is a unified environment: one Power Platform operation moves "
                    "finance and operations and Dataverse together" % (facts["name"] or facts["id"]))
    else:
        pair.update(kind="linked", message="LCS environment %s is linked to Dataverse environment %s (matched by %s)"
                    % (pair["lcs_environment_id"], facts["name"] or facts["id"], matched_by))
    return pair


def from_lcs(client, bap, lcs_environment_id, finops_url=None, notes=None):
    """The pair of an LCS environment: its id (dashed or dashless) in the link, else its F&O URL."""
    rows = _with_bap_links(client.environments(), bap, notes if notes is not None else [])
    for row in rows:
        link_id, _url, _type, origin = link_of(row)
        if same_guid(link_id, lcs_environment_id):
            return pair_facts(lcs_environment_id, finops_url, row, "%s id" % origin)
    for row in rows:
        link_id, link_url, _type, origin = link_of(row)
        if same_url(link_url, finops_url):
            return pair_facts(lcs_environment_id, finops_url, row, "%s url" % origin)
    return pair_facts(lcs_environment_id, finops_url, None, None)


def from_power_platform(client, bap, environment_id, notes=None):
    """The pair of a Power Platform environment, from its finOpsMetadata or the BAP linkedAppMetadata."""
    row = _with_bap_links([client.environment(environment_id)], bap, notes if notes is not None else [])[0]
    link_id, link_url, _type, origin = link_of(row)
    if not origin:
        facts = environment_facts(row)
        return dict(lcs_environment_id=None, finops_url=None, pp_environment_id=facts["id"],
                    pp_environment_name=facts["name"], kind="dataverse_only", dataverse=facts["dataverse"],
                    matched_by=None, message="Power Platform environment %s has no linked finance and operations "
                    "environment" % (facts["name"] or facts["id"]))
    return pair_facts(link_id, link_url, row, "%s id" % origin)
