# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every lcs_* module shares: the option sets, building the client, and turning errors into results."""

from __future__ import annotations

import datetime
import re
import time

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ._auth import MSAL_IMPORT_ERROR, AuthError, build_token_provider, lcs_scope
from ._http import REQUESTS_IMPORT_ERROR, HttpClient, HttpError, RetryPolicy, redact
from .lcs import (DEFAULT_LCS_API_URL, REGIONAL_HOSTS, UTC, LcsClient, LcsError, LcsQuotaError, environment_facts,
                  format_datetime, normalize_guid, parse_datetime, same_guid)
from .lcs_movement import (JOINED, NONE, STARTED, InputError, adopt_started_operation, history_operations,
                           parse_duration, parse_not_before, plan_movement, quota_failure, quota_next_allowed)
from .operations import Operation, Waiter, WaitTimeout

DEFAULT_WAIT_TIMEOUT = 90000
DEFAULT_POLL_INTERVAL = 60


def lcs_argument_spec():
    return dict(
        client_id=dict(type="str", fallback=(env_fallback, ["LCS_CLIENT_ID"])),
        username=dict(type="str", fallback=(env_fallback, ["LCS_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["LCS_PASSWORD"])),
        client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["LCS_CLIENT_SECRET"])),
        access_token=dict(type="str", no_log=True, fallback=(env_fallback, ["LCS_ACCESS_TOKEN"])),
        tenant_id=dict(type="str", default="organizations", fallback=(env_fallback, ["AZURE_TENANT_ID"])),
        authority_url=dict(type="str", default="https://login.microsoftonline.com",
                           fallback=(env_fallback, ["LCS_AUTHORITY_URL"])),
        lcs_api_url=dict(type="str", default=DEFAULT_LCS_API_URL, fallback=(env_fallback, ["LCS_API_URL"])),
        project_id=dict(type="int", fallback=(env_fallback, ["LCS_PROJECT_ID"])),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path", fallback=(env_fallback, ["LCS_CA_PATH"])),
        timeout=dict(type="int", default=60),
    )


def wait_argument_spec():
    return dict(
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
        poll_interval=dict(type="int", default=DEFAULT_POLL_INTERVAL),
    )


class LcsModule:
    """AnsibleModule plus an LCS client built lazily from the common options."""

    def __init__(self, argument_spec, required_if=None, mutually_exclusive=None, required_together=None):
        spec = lcs_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, required_if=required_if,
                                    mutually_exclusive=mutually_exclusive, required_together=required_together)
        for library, error in (("requests", REQUESTS_IMPORT_ERROR), ("msal", MSAL_IMPORT_ERROR)):
            if error is not None:
                self.module.fail_json(msg=missing_required_lib(library), exception=error)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self._client = None
        self._http = None
        self._check_common()

    def _check_common(self):
        p = self.params
        for name in ("lcs_api_url", "authority_url"):
            if not re.match(r"^https://[^/\s]+", p[name] or ""):
                self.fail("%s must be an https URL such as https://lcsapi.lcs.dynamics.com; got %r" % (name, p[name]))
        host = p["lcs_api_url"].split("://", 1)[-1].split("/", 1)[0].lower()
        known = [url.split("://", 1)[1] for url in REGIONAL_HOSTS.values()]
        if host.startswith("lcsapi") and host not in known:
            # a near-miss of a real host (typo) would only surface later as a confusing 401 or DNS error
            self.module.warn("lcs_api_url %s is not a known LCS API host; expected one of %s"
                             % (p["lcs_api_url"], ", ".join(sorted(known))))
        if not p["access_token"]:
            if not p["client_id"]:
                self.fail("client_id is required (the app registration with the LCS user_impersonation permission); "
                          "set client_id or LCS_CLIENT_ID, or pass access_token")
            if not p["username"] or not p["password"]:
                self.fail("username and password are required for the LCS password grant; set them (or LCS_USERNAME "
                          "and LCS_PASSWORD), or pass access_token")
        if p["project_id"] is not None and p["project_id"] <= 0:
            self.fail("project_id must be the positive LCS project number; got %s" % p["project_id"])
        if p["timeout"] is not None and p["timeout"] <= 0:
            self.fail("timeout must be a positive number of seconds")
        if "wait_timeout" in p:
            if p["wait_timeout"] is not None and p["wait_timeout"] <= 0:
                self.fail("wait_timeout must be a positive number of seconds (default 90000, 25 hours)")
            if p["poll_interval"] is not None and p["poll_interval"] <= 0:
                self.fail("poll_interval must be a positive number of seconds (default 60)")

    @property
    def client(self):
        if self._client is None:
            p = self.params
            auth = build_token_provider(p, lcs_scope(p["lcs_api_url"]))
            self._http = HttpClient(p["lcs_api_url"], timeout=p["timeout"], validate_certs=p["validate_certs"],
                                    ca_path=p["ca_path"], auth=auth, retry=RetryPolicy(),
                                    on_retry=self._note_retry)
            self._client = LcsClient(self._http, p["project_id"])
        return self._client

    def require_project(self):
        if self.params["project_id"] is None:
            self.fail("project_id is required; set it to the LCS project number (the digits in the LCS URL) "
                      "or LCS_PROJECT_ID")

    def _note_retry(self, status=None, delay=0, **_ignored):
        # counted, not warned each time: a 429 storm would otherwise flood the output
        self._retry_statuses = getattr(self, "_retry_statuses", {})
        key = str(status or "connection")
        self._retry_statuses[key] = self._retry_statuses.get(key, 0) + 1

    def guid(self, name, value=None):
        value = self.params.get(name) if value is None else value
        try:
            return normalize_guid(value)
        except ValueError:
            self.fail("%s must be an LCS environment/operation GUID such as 11111111-2222-4333-8444-555555555555 "
                      "(dashes optional); got %r" % (name, value))

    def api_stats(self):
        if self._http is None:
            return {}
        stats = {"api_calls": self._http.calls, "api_retries": self._http.retries}
        if getattr(self, "_retry_statuses", None):
            stats["api_retry_reasons"] = dict(self._retry_statuses)
        return stats

    def fail(self, msg, **result):
        result.update(self.api_stats())
        self.module.fail_json(msg=redact(msg), **result)

    def exit(self, **result):
        result.update(self.api_stats())
        self.module.exit_json(**result)

    def run(self, body):
        """Run ``body()`` and turn every known failure into a failed result that says what to change."""
        try:
            result = body()
        except AuthError as exc:
            self.fail("LCS authentication failed: %s" % exc, aadsts=exc.code)
        except WaitTimeout as exc:
            details = operation_result(exc.operation)
            details["operation_id"] = details["operation_id"] or self.params.get("operation_id")
            self.fail(str(exc) + "; the operation keeps running in LCS: re-run the task (it joins the running "
                      "operation) or pass operation_id to keep waiting", timed_out=True, **details)
        except LcsQuotaError as exc:
            self.fail(str(exc), next_allowed_at=format_datetime(exc.next_allowed_at), **exc.to_dict())
        except LcsError as exc:
            self.fail(str(exc), **exc.to_dict())
        except HttpError as exc:
            self.fail(str(exc), **exc.to_dict())
        self.exit(**result)

    def waiter(self, fetch, on_progress=None):
        p = self.params
        return Waiter(fetch, timeout=p["wait_timeout"], poll_interval=p["poll_interval"], clock=time.monotonic,
                      sleep=time.sleep, on_progress=on_progress, on_warning=self._warn_once)

    def _warn_once(self, text):
        self.module.warn(redact(text))


def operation_result(operation):
    """The result keys every operation-returning module shares."""
    if operation is None:
        return dict(operation_id=None, status=None, state=None, started_at=None, completed_at=None,
                    duration_seconds=None)
    result = dict(
        operation_id=operation.operation_id,
        status=operation.status,
        state=operation.state,
        started_at=format_datetime(operation.started_at),
        completed_at=format_datetime(operation.completed_at),
        duration_seconds=operation.duration_seconds(),
    )
    if operation.error_message:
        result["error_message"] = redact(operation.error_message)
    return result


def utc_now():
    return datetime.datetime.now(UTC)


def status_to_operation(body, operation_id, environment_id, started_at=None, kind=None):
    """An Operation from a fetchstatus envelope."""
    return Operation(
        operation_id=operation_id,
        status=body.get("OperationStatus") or "Unknown",
        kind=kind,
        environment_id=environment_id,
        started_at=started_at,
        completed_at=parse_datetime(body.get("CompletionDate")),
        error_message=body.get("ErrorMessage"),
    )


def fetch_operation(client, environment_id, operation_id, started_at=None, kind=None):
    body = client.fetch_status(environment_id, operation_id)
    return status_to_operation(body, operation_id, environment_id, started_at=started_at, kind=kind)


def wait_for(lm, environment_id, operation, kind=None):
    """Wait on ``operation`` (unless check mode or wait: false) and return the newest Operation."""
    client = lm.client
    started_at = operation.started_at

    def fetch():
        return fetch_operation(client, environment_id, operation.operation_id, started_at=started_at, kind=kind)

    if lm.check_mode:
        return operation
    if not lm.params.get("wait", True):
        try:
            return fetch()
        except (LcsError, HttpError) as exc:
            if not getattr(exc, "transient", False):
                raise
            # the operation exists; a throttled status read must not hide its id
            lm.module.warn("could not read the status of operation %s yet (%s); follow it with lcs_operation_info"
                           % (operation.operation_id, exc.__class__.__name__))
            return operation
    return lm.waiter(fetch).wait().operation


def movement_outcome(lm, label, action, operation, extra=None):
    """The final result of a movement task; fails when the operation did not succeed."""
    result = dict(action=action, changed=action != "none")
    result.update(operation_result(operation))
    result.update(extra or {})
    if operation is not None and operation.done and not operation.succeeded:
        lm.fail("the %s operation %s ended with status %s (%s): %s" % (
            label, operation.operation_id, operation.status, operation.state,
            operation.error_message or "LCS gave no error text; see the environment history in LCS"), **result)
    return result


def run_movement(lm, kind, label, status_environment_id, start, preflight=None):
    """Start, join or skip one database movement, then optionally wait; returns the result dict.

    ``start()`` performs the mutating call and returns the new operation id; ``preflight()`` raises
    InputError/LcsError for unsafe requests and runs before anything can change.
    """
    p = lm.params
    client = lm.client
    try:
        # a timestamp in the future is judged by the controller's clock, before anything is called
        not_before = parse_not_before(p.get("not_before"), utc_now())
        max_age = parse_duration(p.get("max_age"))
        if preflight is not None:
            preflight()
    except InputError as exc:
        lm.fail(str(exc), action=None, changed=False)
    history = client.history(status_environment_id)
    now = client.now()  # windows are measured in LCS's clock, like its history times
    warnings = []

    if p.get("operation_id"):
        operation_id = lm.guid("operation_id")
        known = [op for op in history_operations(history) if op.operation_id == operation_id]
        started_at = known[0].started_at if known else None
        operation = fetch_operation(client, status_environment_id, operation_id, started_at=started_at, kind=kind)
        action = "none" if operation.succeeded else "joined"
        if operation.done:
            return movement_outcome(lm, label, action, operation)
        return movement_outcome(lm, label, action, wait_for(lm, status_environment_id, operation, kind))

    plan = plan_movement(history, kind, now, not_before=not_before, max_age=max_age, label=label)
    warnings.extend(plan.warnings)
    if plan.action == NONE:
        return movement_outcome(lm, label, NONE, plan.operation, {"msg": plan.reason})
    if plan.action == JOINED:
        operation = plan.operation
        if lm.check_mode:
            return movement_outcome(lm, label, JOINED, operation, {"msg": "would join: " + plan.reason})
        return movement_outcome(lm, label, JOINED, wait_for(lm, status_environment_id, operation, kind),
                                {"msg": plan.reason})

    if lm.check_mode:
        next_allowed = quota_next_allowed(history, now)
        extra = {"msg": "would start a new %s" % label}
        if next_allowed is not None:
            lm.module.warn("the 3-per-24h start quota looks used up; LCS is likely to refuse the start until %s"
                           % format_datetime(next_allowed))
            extra["next_allowed_at"] = format_datetime(next_allowed)
        return movement_outcome(lm, label, STARTED, None, extra)

    attempted_at = client.now()
    try:
        operation_id = start()
        attempted_at = client.now()
    except LcsQuotaError as exc:
        quota_failure(exc, client.history(status_environment_id), client.now())
    except (LcsError, HttpError) as exc:
        if not getattr(exc, "transient", False):
            raise
        # the answer was lost (dropped connection, 5xx): look before ever starting again
        adopted = adopt_started_operation(client.history(status_environment_id), kind, attempted_at)
        if adopted is None:
            raise
        operation_id = adopted.operation_id
        lm.module.warn("the start call failed (%s) but LCS history shows operation %s started; following it"
                       % (exc.__class__.__name__, operation_id))
    operation = Operation(operation_id, "NotStarted", kind=kind, started_at=attempted_at)
    try:
        operation = wait_for(lm, status_environment_id, operation, kind)
    except (LcsError, HttpError, AuthError) as exc:
        # never lose the id of an operation we started: the caller needs it to follow or resume
        details = exc.to_dict() if hasattr(exc, "to_dict") else {"aadsts": getattr(exc, "code", None)}
        details.update(operation_result(operation), action=STARTED, changed=True)
        lm.fail("%s %s started, but following it failed: %s" % (label, operation_id, exc), **details)
    return movement_outcome(lm, label, STARTED, operation, {"msg": "started a new %s" % label})


def environment_by_id(lm, environment_id, role):
    """Facts of one environment of the project, or an InputError saying how to find the right id."""
    # one listing of the project serves source and target (metadata allows 6 calls per project per minute)
    if getattr(lm, "_project_environments", None) is None:
        lm._project_environments = lm.client.environments()
    for row in lm._project_environments:
        facts = environment_facts(row)
        if same_guid(facts["environment_id"], environment_id):
            return facts
    raise InputError("%s environment %s was not found in LCS project %s; check the id (lcs_environment_info lists "
                     "the project's environments), project_id and lcs_api_url (the project's regional host)"
                     % (role, environment_id, lm.params["project_id"]))
