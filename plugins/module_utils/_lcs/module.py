# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every lcs_* module shares: the option sets, building the client, running the engine, errors as results."""

from __future__ import annotations

import datetime
import re
import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from .._auth import (MSAL_EXTENSIONS_IMPORT_ERROR, MSAL_IMPORT_ERROR, AuthError, auth_problem, build_token_provider,
                     lcs_scope)
from .._dates import UTC, format_datetime
from .._http import REQUESTS_IMPORT_ERROR, HttpClient, RetryPolicy
from .._movement.errors import InputError, MovementError, QuotaExceeded, WaitTimeout
from .._movement.inputs import parse_duration, parse_not_before
from .._movement.lifeline import Lifeline
from .._movement.operation import operation_result
from .._movement.orchestrate import Request, run_movement
from .._movement.waiter import Waiter
from .._redact import redact
from .client import REGIONAL_HOSTS, LcsClient, environment_facts, normalize_guid, same_guid
from .options import connection_argument_spec, project_run_argument_spec
from .project_run import limit_of, open_project_run
from .provider import LcsMovement

_KNOWN_HOSTS = sorted(url.split("://", 1)[1] for url in REGIONAL_HOSTS.values())


class LcsModule:
    """AnsibleModule plus an LCS client built lazily from the common options."""

    def __init__(self, argument_spec, required_if=None, mutually_exclusive=None, required_together=None):
        spec = connection_argument_spec()
        spec.update(project_run_argument_spec())
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, required_if=required_if,
                                    mutually_exclusive=mutually_exclusive, required_together=required_together)
        for library, error in (("requests", REQUESTS_IMPORT_ERROR), ("msal", MSAL_IMPORT_ERROR),
                               ("msal-extensions", MSAL_EXTENSIONS_IMPORT_ERROR)):
            if error is not None:
                self.module.fail_json(msg=missing_required_lib(library), exception=error)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self._client = None
        self._http = None
        self._retry_statuses = {}
        self._project_environments = None
        self._run = None
        self.lifeline = Lifeline()
        for problem in option_problems(self.params):
            self.fail(problem)
        self._warn_unknown_host()

    def _warn_unknown_host(self):
        host = self.params["lcs_api_url"].split("://", 1)[-1].split("/", 1)[0].lower()
        if host.startswith("lcsapi") and host not in _KNOWN_HOSTS:
            # a near-miss of a real host (typo) would only surface later as a confusing 401 or DNS error
            self.module.warn("lcs_api_url %s is not a known LCS API host; expected one of %s"
                             % (self.params["lcs_api_url"], ", ".join(_KNOWN_HOSTS)))

    @property
    def client(self):
        if self._client is None:
            p = self.params
            auth = build_token_provider(p, lcs_scope(p["lcs_api_url"]), warn=self.warn)
            self._http = HttpClient(p["lcs_api_url"], timeout=p["timeout"], validate_certs=p["validate_certs"],
                                    ca_path=p["ca_path"], auth=auth, retry=RetryPolicy(),
                                    on_retry=self._note_retry)
            self._run = open_project_run(p["project_run_dir"], sleep=self.lifeline.sleep,
                                         alive=self.lifeline.alive)
            self._client = LcsClient(self._http, p["project_id"], run=self._run)
        return self._client

    def require_project(self):
        if self.params["project_id"] is None:
            self.fail("project_id is required; set it to the LCS project number (the digits in the LCS URL) "
                      "or LCS_PROJECT_ID")

    def _note_retry(self, status=None, delay=0, url="", **_ignored):
        # counted, not warned each time: a 429 storm would otherwise flood the output
        key = str(status or "connection")
        self._retry_statuses[key] = self._retry_statuses.get(key, 0) + 1
        limit = limit_of(url)
        if status == 429 and self._run is not None and limit is not None:
            self._run.close(limit, delay)  # the other hosts wait it out with us, not one by one

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
        if self._retry_statuses:
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
        except QuotaExceeded as exc:
            self.fail(str(exc), next_allowed_at=format_datetime(exc.next_allowed_at), **exc.to_dict())
        except MovementError as exc:
            self.fail(str(exc), **exc.to_dict())
        self.exit(**result)

    def waiter(self, fetch, on_progress=None):
        p = self.params
        return Waiter(fetch, timeout=p["wait_timeout"], poll_interval=p["poll_interval"], clock=time.monotonic,
                      sleep=self.lifeline.sleep, on_progress=on_progress, on_warning=self.warn,
                      alive=self.lifeline.alive)

    def warn(self, text):
        self.module.warn(redact(text))


def option_problems(p):
    """What is wrong with the common options, as messages that say what to change."""
    for name in ("lcs_api_url", "authority_url"):
        if not re.match(r"^https://[^/\s]+", p[name] or ""):
            yield "%s must be an https URL such as https://lcsapi.lcs.dynamics.com; got %r" % (name, p[name])
    problem = auth_problem(p)  # checked first so that a run without a usable sign-in starts nothing
    if problem:
        yield problem
    if p["project_id"] is not None and p["project_id"] <= 0:
        yield "project_id must be the positive LCS project number; got %s" % p["project_id"]
    if p["timeout"] is not None and p["timeout"] <= 0:
        yield "timeout must be a positive number of seconds"
    if "wait_timeout" in p:
        if p["wait_timeout"] is not None and p["wait_timeout"] <= 0:
            yield "wait_timeout must be a positive number of seconds (default 90000, 25 hours)"
        if p["poll_interval"] is not None and p["poll_interval"] <= 0:
            yield "poll_interval must be a positive number of seconds (default 60)"


def utc_now():
    return datetime.datetime.now(UTC)


def movement(lm, kind, environment_id, start, preflight=None):
    """Start, join or skip one LCS database movement on ``environment_id``, then optionally wait.

    ``start()`` performs the mutating call and returns the new operation id; ``preflight()`` raises
    InputError/LcsError for unsafe requests and runs before anything can change.
    """
    p = lm.params
    try:
        # a timestamp in the future is judged by the controller's clock, before anything is called
        request = Request(kind, operation_id=lm.guid("operation_id") if p.get("operation_id") else None,
                          not_before=parse_not_before(p.get("not_before"), utc_now()),
                          max_age=parse_duration(p.get("max_age")), check_mode=lm.check_mode,
                          wait=p.get("wait", True))
        if preflight is not None:
            preflight()
    except InputError as exc:
        lm.fail(str(exc), action=None, changed=False)
    # a check-mode plan only informs (it may reuse this run's history read); a real run reads it fresh
    provider = LcsMovement(lm.client, kind, environment_id, start, errors=(MovementError, AuthError),
                           fresh_history=not lm.check_mode)
    return run_movement(provider, request, lm.waiter, lm.warn, sleep=lm.lifeline.sleep)


def environment_by_id(lm, environment_id, role):
    """Facts of one environment of the project, or an InputError saying how to find the right id."""
    # one listing of the project serves source and target (metadata allows 6 calls per project per minute)
    if lm._project_environments is None:
        lm._project_environments = lm.client.environments()
    for row in lm._project_environments:
        facts = environment_facts(row)
        if same_guid(facts["environment_id"], environment_id):
            return facts
    raise InputError("%s environment %s was not found in LCS project %s; check the id (lcs_environment_info lists "
                     "the project's environments), project_id and lcs_api_url (the project's regional host)"
                     % (role, environment_id, lm.params["project_id"]))
