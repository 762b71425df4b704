# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dataverse Web API client of one organisation: rows of a table (every page), update, delete, functions.

The organisation URL is the token audience (``<org URL>/.default``, power-platform.md §5). Errors come as
``{"error": {"code", "message"}}``; they are turned into PpError with the service's code and request id.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from .._http import HttpError
from .._pp.errors import PpError, translate

API_PATH = "api/data/v9.2"
MAX_PAGES = 1000


def organization_scope(organization_url):
    """Token scope of a Dataverse organisation: its URL (scheme and host; a path prefix is kept)."""
    return organization_url.rstrip("/") + "/.default"


class DataverseClient:
    """One organisation's Web API (``<organization_url>/api/data/v9.2``)."""

    def __init__(self, http, organization_url):
        self.http = http
        self.organization_url = organization_url.rstrip("/")

    def _url(self, path):
        return "%s/%s/%s" % (self.organization_url, API_PATH, path)

    def _call(self, action, method, path, **kwargs):
        try:
            return self.http.request(method, self._url(path), **kwargs)
        except HttpError as exc:
            raise translate(exc, action) from None

    def rows(self, entity_set, select=None, filter_text=None):
        """Every row of ``entity_set`` (following @odata.nextLink on the organisation's own host only)."""
        params = {}
        if select:  # a list of columns, or already joined (the shape other Dataverse readers pass)
            params["$select"] = select if isinstance(select, str) else ",".join(select)
        if filter_text:
            params["$filter"] = filter_text
        found, path, seen = [], entity_set, set()
        for _page in range(MAX_PAGES):
            response = self._call("reading %s" % entity_set, "GET", path, params=params,
                                  headers={"Prefer": "odata.maxpagesize=500"})
            body = _body(response)
            found.extend(row for row in body.get("value") or [] if isinstance(row, dict))
            link = body.get("@odata.nextLink")
            if not link or link in seen or urlsplit(link).hostname != urlsplit(self.organization_url).hostname:
                return found
            seen.add(link)
            path, params = link.split("/%s/" % API_PATH, 1)[-1], None
        return found

    def row(self, entity_set, row_id, select=None):
        """One row by its id."""
        params = {"$select": ",".join(select)} if select else None
        return _body(self._call("reading %s(%s)" % (entity_set, row_id), "GET",
                                "%s(%s)" % (entity_set, quote(row_id)), params=params))

    def update(self, entity_set, row_id, changes):
        """PATCH an existing row only (If-Match: * so a missing row is an error, never created)."""
        self._call("updating %s(%s)" % (entity_set, row_id), "PATCH", "%s(%s)" % (entity_set, quote(row_id)),
                   json_body=changes, headers={"If-Match": "*"}, idempotent=True)

    def delete(self, entity_set, row_id):
        """DELETE a row; one that is already gone counts as deleted (a re-run after a crash)."""
        try:
            self._call("deleting %s(%s)" % (entity_set, row_id), "DELETE", "%s(%s)" % (entity_set, quote(row_id)),
                       idempotent=True)
        except PpError as exc:
            if exc.status != 404:
                raise

    def function(self, name):
        """An unbound function without parameters (``GET <name>``), its JSON body."""
        response = self._call("calling %s" % name, "GET", name)
        return _body(response)


def _body(response):
    """The JSON object of a response; an empty or non-JSON body reads as {} (a 204 has none)."""
    try:
        body = response.json() if response.content else {}
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
