# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Power Platform API and BAP admin API clients: one method per route, every page read.

Routes, query names and wire names are those of Microsoft's generated SDK (powerplatform-management,
pp-api-sdk.md §2-§3) and of Microsoft.PowerApps.Administration.PowerShell for the admin-mode switch
(power-platform.md §1.3). The SDK sends no default ``api-version``, so every call here sends one.
"""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

from .._http import HttpError
from .errors import translate

DEFAULT_PP_API_URL = "https://api.powerplatform.com"
DEFAULT_BAP_API_URL = "https://api.bap.microsoft.com"
API_VERSIONS = ("2024-10-01", "2022-03-01-preview")
DEFAULT_API_VERSION = API_VERSIONS[0]
# the api-version Set-AdminPowerAppEnvironmentRuntimeState uses for the admin-mode PATCH
BAP_API_VERSION = "2021-04-01"
BAP_ENVIRONMENTS = "providers/Microsoft.BusinessAppPlatform/scopes/admin/environments"
# BAP host -> token audience (power-platform.md §1.1); any other host (a proxy, the emulator) uses the public one
BAP_AUDIENCES = {
    "api.bap.microsoft.com": "https://service.powerapps.com/",
    "gov.api.bap.microsoft.us": "https://gov.service.powerapps.us/",
    "high.api.bap.microsoft.us": "https://high.service.powerapps.us/",
    "api.bap.appsplatform.us": "https://service.apps.appsplatform.us/",
}
PP_HOST_MARKS = ("powerplatform", "appsplatform")
MAX_PAGES = 1000  # a service that keeps returning the same continuation must not loop forever


def pp_scope(pp_api_url):
    """Token scope of the Power Platform API.

    A Power Platform host (api.powerplatform.com, the national clouds' *.powerplatform.* and
    *.appsplatform.* hosts) is its own audience; any other host (a proxy, a test emulator) stands in for
    the public service, so its tokens are requested for https://api.powerplatform.com.
    """
    host = (urlsplit(pp_api_url).hostname or "").lower()
    if any(mark in host for mark in PP_HOST_MARKS):
        return "https://%s/.default" % host
    return DEFAULT_PP_API_URL + "/.default"


def bap_scope(bap_api_url):
    """Token scope of the BAP admin API; its audience is not its host (https://service.powerapps.com/)."""
    host = urlsplit(bap_api_url).hostname or ""
    return BAP_AUDIENCES.get(host.lower(), BAP_AUDIENCES["api.bap.microsoft.com"]) + "/.default"


def _quoted(value):
    return quote(str(value), safe="")


def _collection(body, *names):
    for name in names:
        value = body.get(name) if isinstance(body, dict) else None
        if isinstance(value, list):
            return value
    return []


def _next_link(body):
    # EnvironmentList spells it '@odata.nextlink'; other lists and the real service use '@odata.nextLink'
    for name in ("@odata.nextLink", "@odata.nextlink", "odata.nextLink", "nextLink"):
        if isinstance(body, dict) and body.get(name):
            return body[name]
    return None


class PowerPlatformClient:
    """The Power Platform API (api.powerplatform.com) for one api-version."""

    def __init__(self, http, api_version=DEFAULT_API_VERSION):
        self.http = http
        self.api_version = api_version

    def now(self):
        """The service's clock (from its Date header), or None before the first call."""
        return self.http.server_now()

    def _get(self, path, action, environment_id=None, params=None, with_version=True):
        query = {"api-version": self.api_version} if with_version else {}
        query.update(params or {})
        try:
            return self.http.get_json(path, params=query)
        except HttpError as exc:
            raise translate(exc, action, environment_id) from None

    def _pages_by_token(self, path, action, environment_id=None, params=None):
        """Every item of a {collection, continuationToken} listing."""
        items, token, seen = [], None, set()
        for _page in range(MAX_PAGES):
            query = dict(params or {})
            if token:
                query["continuationToken"] = token
            body = self._get(path, action, environment_id, query)
            items.extend(_collection(body, "collection", "value"))
            token = body.get("continuationToken") if isinstance(body, dict) else None
            if not token or token in seen:
                return items
            seen.add(token)
        return items

    def environments(self):
        """Every environment the identity can see (all pages of the OData list)."""
        items, url, seen = [], "environmentmanagement/environments", set()
        with_version = True
        for _page in range(MAX_PAGES):
            body = self._get(url, "listing Power Platform environments", with_version=with_version)
            items.extend(_collection(body, "value", "collection"))
            url = self._same_host(_next_link(body))
            if not url or url in seen:
                return items
            seen.add(url)
            # a next link normally carries its own query; add the api-version only when it does not
            with_version = "api-version" not in parse_qs(urlsplit(url).query)
        return items

    def _same_host(self, link):
        """A next link as a path on our own base URL, so the bearer token never goes to another host."""
        if not link:
            return None
        parts = urlsplit(link)
        path = parts.path
        base_path = urlsplit(self.http.base_url).path.rstrip("/")
        if base_path and path.startswith(base_path + "/"):
            path = path[len(base_path):]
        return path.lstrip("/") + ("?" + parts.query if parts.query else "")

    def environment(self, environment_id):
        return self._get("environmentmanagement/environments/%s" % _quoted(environment_id),
                         "reading environment %s" % environment_id, environment_id)

    def finops_properties(self, environment_id):
        """F&O properties of a unified or LCS-linked environment (deploymentType, appId)."""
        return self._get("dynamics/environments/%s/finopsproperties" % _quoted(environment_id),
                         "reading the finance and operations properties of environment %s" % environment_id,
                         environment_id)

    def tenant_capacity(self):
        return self._get("licensing/tenantCapacity", "reading the tenant's capacity")

    def backups(self, environment_id):
        return self._pages_by_token("environmentmanagement/environments/%s/backups" % _quoted(environment_id),
                                    "listing the backups of environment %s" % environment_id, environment_id)

    def create_backup(self, environment_id, label):
        """POST a manual backup; returns the EnvironmentBackup body ({} when the service sent none)."""
        path = "environmentmanagement/environments/%s/backups" % _quoted(environment_id)
        try:
            response = self.http.request("POST", path, params={"api-version": self.api_version},
                                         json_body={"label": label}, idempotent=False)
        except HttpError as exc:
            raise translate(exc, "creating a backup of environment %s" % environment_id, environment_id) from None
        try:
            return response.json() if response.content else {}
        except ValueError:
            return {}

    def operations(self, environment_id, limit=None):
        params = {"limit": str(limit)} if limit else None
        return self._pages_by_token("environmentmanagement/environments/%s/operations" % _quoted(environment_id),
                                    "listing the operations of environment %s" % environment_id, environment_id,
                                    params)

    def operation(self, operation_id, environment_id=None):
        """One operation: environment-scoped when the environment is known (environment-level authorization)."""
        if environment_id:
            path = "environmentmanagement/environments/%s/operations/%s" % (
                _quoted(environment_id), _quoted(operation_id))
        else:
            path = "environmentmanagement/operations/%s" % _quoted(operation_id)
        return self._get(path, "reading operation %s" % operation_id, environment_id)


class BapAdminClient:
    """The BAP admin API, used only where the Power Platform API has no route (the admin-mode switch)."""

    def __init__(self, http, api_version=BAP_API_VERSION):
        self.http = http
        self.api_version = api_version

    def environment(self, environment_id):
        try:
            return self.http.get_json("%s/%s" % (BAP_ENVIRONMENTS, _quoted(environment_id)),
                                      params={"api-version": self.api_version})
        except HttpError as exc:
            raise translate(exc, "reading environment %s from the BAP admin API" % environment_id, environment_id,
                            audience="bap") from None

    def set_runtime_state(self, environment_id, admin_mode=None, background_operations=None):
        """PATCH runtime state (AdminMode | Enabled) and/or background operations (Enabled | Disabled).

        Returns (HTTP status, operation URL or None): the service may finish at once (200/204) or accept
        the change and report progress at ``Location``/``Operation-Location`` (202).
        """
        properties = {}
        if admin_mode is not None:
            properties["states"] = {"runtime": {"id": "AdminMode" if admin_mode else "Enabled"}}
        if background_operations is not None:
            properties["linkedEnvironmentMetadata"] = {
                "backgroundOperationsState": "Enabled" if background_operations else "Disabled"}
        try:
            # the same PATCH twice leaves the same state, so a lost answer may be retried
            response = self.http.request("PATCH", "%s/%s" % (BAP_ENVIRONMENTS, _quoted(environment_id)),
                                         params={"api-version": self.api_version},
                                         json_body={"properties": properties}, idempotent=True)
        except HttpError as exc:
            raise translate(exc, "switching the runtime state of environment %s" % environment_id, environment_id,
                            audience="bap") from None
        location = response.headers.get("Location") or response.headers.get("Operation-Location")
        return response.status_code, location
