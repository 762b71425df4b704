# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Requests to one F&O environment's OData service (``{environment_url}/data``).

Transport, retries (429 with Retry-After; only safe calls on 5xx and dropped connections) and token
renewal come from ``_http``; this layer adds what is F&O's: server-driven paging through
``@odata.nextLink``, ``cross-company=true`` for entities that are per company, bound actions, ``$batch``,
and errors that carry F&O's own message and activity id (``ms-dyn-aid``).
"""

from __future__ import annotations

from .._http import HttpError
from .._movement.errors import MovementError
from .._redact import redact
from . import batch
from .odata import action_value, error_text, key_path

DATA_ENTITIES_NAMESPACE = "Microsoft.Dynamics.DataEntities"
DEFAULT_PAGE_SIZE = 10000  # F&O's own upper bound for one page of an entity set


ADVICE = {
    401: ("; F&O did not accept the token: the application (client_id) must be listed in System administration > "
          "Setup > Microsoft Entra applications of this environment and mapped to an enabled user (after a "
          "database movement, re-create it there or sign in as the environment administrator); the token "
          "audience must be environment_url"),
    403: "; the mapped user lacks a security role for this entity or action",
    404: "; check the entity set name (case-sensitive, plural, e.g. SystemUsers) and environment_url",
}


class FoError(MovementError):
    """A call F&O refused; ``message`` holds F&O's own words, ``request_id`` its activity id (ms-dyn-aid).

    ``detail`` is F&O's words alone, for callers that give their own advice instead of ADVICE's.
    """

    def __init__(self, message, status=None, request_id=None, detail=None):
        self.status = status
        self.request_id = request_id
        self.detail = redact(detail) if detail else None
        super().__init__(redact(message), details={"http_status": status, "request_id": request_id})

    def __str__(self):
        text = super().__str__()
        if self.status is not None:
            text += " (HTTP %s" % self.status + (", request id %s)" % self.request_id if self.request_id else ")")
        return text


def fo_error(exc, what):
    """An FoError from an HttpError: F&O's message (innererror) instead of the raw body."""
    import json

    try:
        detail = error_text(json.loads(exc.body or ""))
    except ValueError:
        detail = None
    advice = ADVICE.get(exc.status, "")
    error = FoError("%s failed: %s%s" % (what, detail or exc.body or exc, advice), status=exc.status,
                    request_id=exc.request_id, detail=detail)
    error.transient = exc.transient
    return error


class FoClient:
    def __init__(self, http, environment_url, page_size=DEFAULT_PAGE_SIZE):
        self.http = http
        self.environment_url = environment_url.rstrip("/")
        self.data_url = self.environment_url + "/data"
        self.page_size = page_size

    def records(self, entity, filter=None, select=None, cross_company=True, top=None):
        """Every record of ``entity`` matching ``filter``, page by page (a generator)."""
        params = {}
        if filter:
            params["$filter"] = filter
        if select:
            params["$select"] = ",".join(select)
        if cross_company:
            params["cross-company"] = "true"
        if top:
            params["$top"] = str(top)
        url = "%s/%s" % (self.data_url, entity)
        headers = {"Prefer": "odata.maxpagesize=%d" % self.page_size}
        while url:
            body = self._call("GET", url, "reading %s" % entity, params=params, headers=headers)
            yield from body.get("value") or []
            # the next link already holds every query option, including the skip token
            url, params = body.get("@odata.nextLink"), None

    def record(self, entity, key, cross_company=True):
        """One record by key, or None when it does not exist."""
        params = {"cross-company": "true"} if cross_company else None
        try:
            return self._call("GET", "%s/%s" % (self.data_url, key_path(entity, key)), "reading %s" % entity,
                              params=params)
        except FoError as exc:
            if exc.status == 404:
                return None
            raise

    def record_url(self, entity, key, cross_company=True):
        url = "%s/%s" % (self.data_url, key_path(entity, key))
        return url + ("?cross-company=true" if cross_company else "")

    def action(self, entity, name, body, idempotent=False):
        """A bound action such as DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.ExportToPackage."""
        url = "%s/%s/%s.%s" % (self.data_url, entity, DATA_ENTITIES_NAMESPACE, name)
        return action_value(self._call("POST", url, name, json_body=body, idempotent=idempotent))

    def change(self, method, url, body=None, etag=None, what="change"):
        headers = {"If-Match": etag or "*"} if method in ("PATCH", "DELETE") else None
        return self._call(method, url, what, json_body=body, headers=headers, idempotent=method != "POST")

    def batch(self, changes):
        """Send ``changes`` (BatchChange) as one changeset; raises FoError naming the first change that failed."""
        content_type, payload = batch.build(changes)
        # a changeset without creates sets values or deletes: repeating it after a lost answer is harmless
        idempotent = all(change.method != "POST" for change in changes)
        try:
            response = self.http.request("POST", self.data_url + "/$batch", data=payload, idempotent=idempotent,
                                         headers={"Content-Type": content_type, "OData-Version": "4.0",
                                                  "OData-MaxVersion": "4.0"})
        except HttpError as exc:
            raise fo_error(exc, "$batch of %d changes" % len(changes)) from None
        parts = batch.parse(response.headers.get("Content-Type", ""), response.content)
        by_id = {change.content_id: change for change in changes}
        for part in parts:
            if part.status >= 400:
                change = by_id.get(part.content_id)
                target = "%s %s" % (change.method, change.url.split("/data/", 1)[-1]) if change else "a change"
                raise FoError("$batch: %s failed: %s" % (target, error_text(part.json()) or part.body[:300]),
                              status=part.status, request_id=self.http.last_request_id)
        if len(parts) < len(changes):
            raise FoError("$batch: F&O answered %d of %d changes; re-run to apply the rest" % (
                len(parts), len(changes)), status=response.status_code, request_id=self.http.last_request_id)
        return parts

    def _call(self, method, url, what, params=None, json_body=None, headers=None, idempotent=None):
        try:
            response = self.http.request(method, url, params=params, json_body=json_body, headers=headers,
                                         idempotent=idempotent)
        except HttpError as exc:
            raise fo_error(exc, what) from None
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise FoError("%s: F&O answered %r instead of JSON; check environment_url (the environment's own "
                          "URL, not LCS)" % (what, response.headers.get("Content-Type")),
                          status=response.status_code, request_id=self.http.last_request_id) from None
