# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which F&O environment a Dataverse organisation is integrated with: the unbound function
``RetrieveFinanceAndOperationsIntegrationDetails`` answers ``{Url, TenantId, Id}``; an organisation that is
not linked answers error ``0x80048d0b`` (power-platform.md §5). Virtual entities call the F&O at ``Url``."""

from __future__ import annotations

from .._pp.errors import PpError

FUNCTION = "RetrieveFinanceAndOperationsIntegrationDetails"
NOT_INTEGRATED = "0x80048d0b"


def same_url(first, second):
    return str(first or "").strip().rstrip("/").lower() == str(second or "").strip().rstrip("/").lower()


def details(client, expected_url=None):
    """{'linked', 'url', 'tenant_id', 'finops_environment_id', 'matches'}; ``matches`` is None without
    ``expected_url``."""
    try:
        body = client.function(FUNCTION)
    except PpError as exc:
        if str(exc.code or "").lower() != NOT_INTEGRATED:
            raise
        return {"linked": False, "url": None, "tenant_id": None, "finops_environment_id": None,
                "matches": False if expected_url else None}
    url = body.get("Url") or body.get("url")
    return {"linked": bool(url), "url": url, "tenant_id": body.get("TenantId") or body.get("tenantId"),
            "finops_environment_id": body.get("Id") or body.get("id"),
            "matches": same_url(url, expected_url) if expected_url else None}
