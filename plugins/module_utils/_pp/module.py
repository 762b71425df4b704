# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every pp_* module shares: the clients built from the options, the waiter, and turning
failures into results that say what to change."""

from __future__ import annotations

import datetime
import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from .._auth import MSAL_IMPORT_ERROR, AuthError
from .._dates import UTC
from .._http import REQUESTS_IMPORT_ERROR, HttpClient, RetryPolicy
from .._movement.errors import InputError, MovementError, WaitTimeout
from .._movement.inputs import parse_duration, parse_not_before
from .._movement.lifeline import Lifeline
from .._movement.operation import operation_result
from .._movement.waiter import Waiter
from .._redact import redact
from .auth import token_provider
from .client import BapAdminClient, PowerPlatformClient, bap_scope, pp_scope
from .options import check_connection, connection_argument_spec
from .restore_findings import DataverseReader


def utc_now():
    return datetime.datetime.now(UTC)


def parse_window(not_before, max_age, now):
    """(aware not_before or None, max_age seconds or None); naive or future timestamps are refused."""
    return parse_not_before(not_before, now), parse_duration(max_age)


def waiter_for(fetch, params, clock=time.monotonic, sleep=time.sleep, warn=None, alive=None):
    """The engine's waiter with the task's wait_timeout and poll_interval."""
    return Waiter(fetch, timeout=params["wait_timeout"], poll_interval=params["poll_interval"], clock=clock,
                  sleep=sleep, on_warning=warn, alive=alive)


class PpModule:
    """AnsibleModule plus Power Platform and BAP clients built lazily from the common options."""

    def __init__(self, argument_spec, needs_bap=False, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        for library, error in (("requests", REQUESTS_IMPORT_ERROR), ("msal", MSAL_IMPORT_ERROR)):
            if error is not None:
                self.module.fail_json(msg=missing_required_lib(library), exception=error)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.lifeline = Lifeline()
        self._http = {}
        self._clients = {}
        self._retry_statuses = {}
        self.checked(check_connection, self.params, needs_bap)

    def checked(self, check, *args):
        """Run an input check; its InputError fails the task before anything is called."""
        try:
            return check(*args)
        except InputError as exc:
            self.fail(str(exc), changed=False)

    def _http_client(self, which, base_url, scope):
        if which not in self._http:
            p = self.params
            token_params = dict(p)
            if which == "bap" and p.get("client_id"):
                token_params["access_token"] = None  # a Power Platform API token has the wrong audience here
            auth = token_provider(token_params, scope, warn=self.warn)
            self._http[which] = HttpClient(base_url, timeout=p["timeout"], validate_certs=p["validate_certs"],
                                           ca_path=p["ca_path"], auth=auth, retry=RetryPolicy(),
                                           on_retry=self._note_retry)
        return self._http[which]

    @property
    def client(self):
        """The Power Platform API client."""
        if "pp" not in self._clients:
            url = self.params["pp_api_url"]
            self._clients["pp"] = PowerPlatformClient(self._http_client("pp", url, pp_scope(url)),
                                                      self.params["api_version"])
        return self._clients["pp"]

    @property
    def bap(self):
        """The BAP admin API client (admin mode only)."""
        if "bap" not in self._clients:
            url = self.params["bap_api_url"]
            self._clients["bap"] = BapAdminClient(self._http_client("bap", url, bap_scope(url)))
        return self._clients["bap"]

    def dataverse(self, org_url):
        """A reader of the Dataverse Web API of one organisation (tokens for that organisation's URL)."""
        key = "dataverse " + org_url
        if key not in self._clients:
            token_params = dict(self.params)
            if token_params.get("client_id"):
                token_params["access_token"] = None  # a Power Platform API token has the wrong audience here
            reader = DataverseReader.for_environment(token_params, org_url, warn=self.warn, on_retry=self._note_retry)
            self._http[key], self._clients[key] = reader.http, reader
        return self._clients[key]

    def _note_retry(self, status=None, **_ignored):
        # counted, not warned each time: a 429 storm would otherwise flood the output
        key = str(status or "connection")
        self._retry_statuses[key] = self._retry_statuses.get(key, 0) + 1

    def api_stats(self):
        if not self._http:
            return {}
        stats = {"api_calls": sum(h.calls for h in self._http.values()),
                 "api_retries": sum(h.retries for h in self._http.values())}
        if self._retry_statuses:
            stats["api_retry_reasons"] = dict(self._retry_statuses)
        return stats

    def warn(self, text):
        self.module.warn(redact(text))

    def fail(self, msg, **result):
        result.update(self.api_stats())
        self.module.fail_json(msg=redact(msg), **result)

    def run(self, body):
        """Run ``body()`` and turn every known failure into a failed result that says what to change."""
        try:
            result = body()
        except AuthError as exc:
            self.fail("Power Platform sign-in failed: %s" % exc, aadsts=exc.code)
        except WaitTimeout as exc:
            self.fail(str(exc) + "; the operation keeps running in the Power Platform: run pp_operation_info with "
                      "its operation_id to keep waiting", timed_out=True, **operation_result(exc.operation))
        except MovementError as exc:
            self.fail(str(exc), **exc.to_dict())
        result.update(self.api_stats())
        self.module.exit_json(**result)

    def waiter(self, fetch):
        return waiter_for(fetch, self.params, sleep=self.lifeline.sleep, warn=self.warn, alive=self.lifeline.alive)
