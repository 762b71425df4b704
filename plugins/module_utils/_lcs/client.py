# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LCS API client: one method per endpoint, envelope checks, LCS's date formats and GUID spellings.

LCS answers business failures with HTTP 200 and ``IsSuccess: false``; every method here turns that
into ``LcsError`` (or ``LcsQuotaError`` for the 3-starts-per-24-hours limit) so callers never have to
look at envelopes.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import quote

from .._dates import UTC, format_datetime
from .._dates import parse_utc as parse_datetime
from .._http import HttpError
from .errors import LcsError, LcsQuotaError
from .project_run import limit_of
from .status import INITIAL_STATUS, OPERATION_KINDS
from .quota import QUOTA_WINDOW, parse_quota_message


# Geography -> LCS API host; the project must be called on its own host:
# https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/deployment/deployment-options-geo
REGIONAL_HOSTS = {
    "global": "https://lcsapi.lcs.dynamics.com",
    "eu": "https://lcsapi.eu.lcs.dynamics.com",
    "fr": "https://lcsapi.fr.lcs.dynamics.com",
    "no": "https://lcsapi.no.lcs.dynamics.com",
    "sa": "https://lcsapi.sa.lcs.dynamics.com",
    "ch": "https://lcsapi.ch.lcs.dynamics.com",
    "uae": "https://lcsapi.uae.lcs.dynamics.com",
    "cn": "https://lcsapi.lcs.dynamics.cn",
    "gov": "https://lcsapi.gov.lcs.microsoftdynamics.us",
}

_GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?"
                      r"([0-9a-fA-F]{12})\}?$")


def normalize_guid(value):
    """Lower-case dashed GUID from any LCS spelling (dashless, braces, upper case); ValueError otherwise."""
    match = _GUID_RE.match(str(value or "").strip())
    if not match:
        raise ValueError("%r is not a GUID (expected 8-4-4-4-12 hexadecimal digits, with or without dashes)" % value)
    return "-".join(part.lower() for part in match.groups())


def is_guid(value):
    try:
        normalize_guid(value)
    except ValueError:
        return False
    return True


def same_guid(left, right):
    try:
        return normalize_guid(left) == normalize_guid(right)
    except ValueError:
        return False


def host_hint(lcs_api_url):
    known = ", ".join("%s %s" % (k, v) for k, v in sorted(REGIONAL_HOSTS.items()))
    return "lcs_api_url is %s; the project must be called on its own geography's host (%s)" % (lcs_api_url, known)


class LcsClient:
    """Typed calls to the LCS endpoints the collection uses."""

    def __init__(self, http, project_id, run=None):
        self.http = http
        self.project_id = int(project_id) if project_id is not None else None
        # what the hosts of this playbook run share (project_run.ProjectRun), None outside a shared run
        self.run = run

    def now(self):
        """LCS's current time (from its Date header, or as far ahead of ours as this run last saw it),
        falling back to the controller's clock.

        A task answered from the run's shared reads may have made no call of its own, yet its windows
        (max_age, 24 hours) must be measured in LCS's clock like everyone else's."""
        local = datetime.datetime.now(UTC)
        server_now = getattr(self.http, "server_now", lambda: None)()
        if server_now is None and self.run is not None:
            offset = self.run.clock_offset()
            server_now = local + datetime.timedelta(seconds=offset) if offset is not None else None
        return (server_now or local).astimezone(UTC)

    # -- database movement -------------------------------------------------------------------
    def start_refresh(self, source_environment_id, target_environment_id):
        path = "databasemovement/v1/refresh/project/%d/source/%s/target/%s" % (
            self._project(), normalize_guid(source_environment_id), normalize_guid(target_environment_id))
        return self._start(path, "refresh", target_environment_id)

    def start_export(self, environment_id, backup_name):
        path = "databasemovement/v1/export/project/%d/environment/%s/backupName/%s" % (
            self._project(), normalize_guid(environment_id), quote(backup_name, safe=""))
        return self._start(path, "export", environment_id)

    def fetch_status(self, environment_id, operation_id):
        path = "databasemovement/v1/fetchstatus/project/%d/environment/%s/operationactivity/%s" % (
            self._project(), normalize_guid(environment_id), normalize_guid(operation_id))
        body = self._envelope(self._get(path), "fetch the status of operation %s" % operation_id)
        if self.run is not None and body.get("OperationStatus"):
            # the run's informative history read keeps up with what this run has seen of its operations
            self.run.record_status(normalize_guid(environment_id), operation_id, body["OperationStatus"],
                                   body.get("CompletionDate"))
        return body

    def list_backups(self):
        path = "databasemovement/v1/databases/project/%d" % self._project()
        body = self._envelope(self._get(path), "list database backups")
        return body.get("DatabaseAssets") or []

    # -- environment information -------------------------------------------------------------
    def environments(self, environment_id=None, environment_name=None, max_pages=20):
        path = "environmentinfo/v1/detail/project/%d/" % self._project()
        if self.run is not None:
            # one project-wide listing per run serves every host and every filter
            rows = self.run.environments(lambda: self._paged(path, {}, max_pages, "environments"))
            return [row for row in rows if _row_matches(row, environment_id, environment_name)]
        if environment_id:
            return self._paged(path, {"environmentId": normalize_guid(environment_id)}, max_pages, "environment")
        if environment_name:
            return self._paged(path, {"environmentName": environment_name}, max_pages, "environment")
        return self._paged(path, {}, max_pages, "environments")

    def history(self, environment_id, max_pages=2, fresh=True):
        """Newest-first operations of an environment (the first pages are enough for busy/quota checks).

        ``fresh=False`` (reads that only inform: preflight, check-mode plans) may reuse this run's read of
        the environment; whatever decides a start reads fresh."""
        environment_id = normalize_guid(environment_id)
        path = "environmentinfo/v1/history/project/%d/environment/%s/" % (self._project(), environment_id)
        if self.run is not None and not fresh:
            return self.run.history(environment_id, lambda: self._paged(path, {}, max_pages, "environment history"),
                                    read_at=lambda: format_datetime(self.now()))
        return self._paged(path, {}, max_pages, "environment history")

    # -- plumbing ----------------------------------------------------------------------------
    def _project(self):
        if self.project_id is None:
            raise LcsError("project_id is required; set it to the LCS project number (the digits in the LCS URL)")
        return self.project_id

    def _get(self, path, params=None):
        limit = limit_of(path) if self.run is not None else None
        slot = self.run.admit(limit) if limit is not None else None
        try:
            return self.http.get_json(path, params=params)
        except HttpError as exc:
            raise _explain_http_error(exc, self.http.base_url) from None
        finally:
            if limit is not None:
                self.run.settle(limit, slot)
                self._share_clock()

    def _share_clock(self):
        """Tell the run how far LCS's clock is ahead of ours (read by tasks that make no call themselves)."""
        server_now = getattr(self.http, "server_now", lambda: None)()
        if server_now is not None:
            self.run.note_clock_offset((server_now - datetime.datetime.now(UTC)).total_seconds())

    def _start(self, path, what, environment_id):
        environment_id = normalize_guid(environment_id)
        try:
            body = self._envelope(self.http.post_json(path, idempotent=False), "start the %s" % what)
            operation_id = body.get("OperationActivityId")
            if not operation_id:
                raise LcsError("LCS accepted the %s but returned no OperationActivityId" % what)
        except HttpError as exc:
            self._forget(environment_id)
            raise _explain_http_error(exc, self.http.base_url) from None
        except LcsError:
            self._forget(environment_id)
            raise
        if self.run is not None:
            self.run.record_start(environment_id, _started_row(what, environment_id, normalize_guid(operation_id),
                                                               self.now(), self._project()))
        return normalize_guid(operation_id)

    def _forget(self, environment_id):
        if self.run is not None:  # the history may have changed: no later read reuses this run's
            self.run.forget_history(environment_id)

    def _paged(self, path, params, max_pages, what):
        items = []
        page = 1
        while page <= max_pages:
            query = dict(params)
            query["page"] = page
            body = self._envelope(self._get(path, query), "read the %s" % what)
            items.extend(body.get("Data") or [])
            if not body.get("ResultHasMorePages"):
                break
            page += 1
        return items

    def _envelope(self, body, doing):
        if not isinstance(body, dict):
            raise LcsError("unexpected LCS response while trying to %s: %r" % (doing, str(body)[:200]))
        if body.get("IsSuccess") is False:
            text = body.get("ErrorMessage") or "no error message"
            quota = parse_quota_message(text)
            if quota is not None:
                window_from = quota[1]
                raise LcsQuotaError("LCS refused to %s: %s" % (doing, text),
                                    next_allowed_at=window_from + QUOTA_WINDOW if window_from else None,
                                    error_message=text, activity_id=body.get("OperationActivityId"))
            raise LcsError("LCS refused to %s: %s" % (doing, text), error_message=text,
                           activity_id=body.get("OperationActivityId") or body.get("ActivityId"))
        return body


def _started_row(what, environment_id, operation_id, now, project_id):
    """The history row of an operation this run has just started, as LCS lists it until its first update."""
    return {"Name": what, "Type": OPERATION_KINDS[what][0], "StartDateTimeUTC": format_datetime(now),
            "EndDateTimeUTC": None, "Status": INITIAL_STATUS, "ActivityId": operation_id,
            "EnvironmentId": environment_id.replace("-", ""), "ProjectId": project_id}


def _row_matches(row, environment_id, environment_name):
    if environment_id:
        return same_guid(row.get("EnvironmentId"), environment_id)
    if environment_name:
        return (row.get("EnvironmentName") or "").lower() == environment_name.lower()
    return True


def _explain_http_error(exc, base_url):
    advice = ""
    if exc.status == 401:
        advice = (" What to change: the token was rejected; check that the user is a member of the project "
                  "(project owner or environment administrator), that the " + host_hint(base_url) +
                  "; LCS also answers 401 for refreshes it does not support, such as Tier-1 targets")
    elif exc.status == 403:
        advice = " What to change: the user lacks a project role (project owner or environment administrator)"
    elif exc.status == 404:
        advice = " What to change: check project_id and the environment/operation ids"
    elif exc.status == 429:
        advice = " (throttled by LCS for longer than the retry budget; try again later)"
    error = LcsError(str(exc) + advice, status=exc.status, request_id=exc.request_id)
    error.transient = exc.transient
    return error


def environment_facts(row):
    """snake_case facts for one environment metadata row."""
    environment_id = row.get("EnvironmentId")
    try:
        environment_id = normalize_guid(environment_id)
    except ValueError:
        pass
    return {
        "environment_id": environment_id,
        "name": row.get("EnvironmentName"),
        "project_id": row.get("ProjectId"),
        "type": row.get("EnvironmentType"),
        "infrastructure": row.get("EnvironmentInfrastructure"),
        "group": row.get("EnvironmentGroup"),
        "product": row.get("EnvironmentProduct"),
        "region": row.get("CloudStorageLocation"),
        "disaster_recovery_region": row.get("DisasterRecoveryLocation") or None,
        "application_release": row.get("CurrentApplicationReleaseName"),
        "application_build": row.get("CurrentApplicationBuildVersion"),
        "platform_release": row.get("CurrentPlatformReleaseName"),
        "platform_version": row.get("CurrentPlatformVersion"),
        "topology": row.get("TopologyDisplayName"),
        "deployment_state": row.get("DeploymentState"),
        "deployment_status": row.get("DeploymentStatusDisplay"),
        "deployed_at": format_datetime(parse_datetime(row.get("DeployedOnUTC"))),
        "url": row.get("EnvironmentEndpointBaseUrl"),
        "can_start": row.get("CanStart"),
        "can_stop": row.get("CanStop"),
    }


def backup_facts(asset, include_download_url=False):
    """snake_case facts for one database backup; the SAS URL only when asked for."""
    facts = {
        "id": asset.get("Id"),
        "name": asset.get("Name"),
        "file_name": asset.get("FileName"),
        "description": asset.get("FileDescription") or "",
        "created_at": format_datetime(parse_datetime(asset.get("CreatedDateTime"))),
        "modified_at": format_datetime(parse_datetime(asset.get("ModifiedDateTime"))),
        "created_by": asset.get("CreatedByName"),
    }
    if include_download_url:
        facts["download_url"] = asset.get("FileLocation")
    return facts
