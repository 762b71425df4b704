# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every pp_* module shares: the option set, input checks before any call, the clients, and
turning failures into results that say what to change."""

from __future__ import annotations

import datetime
import re
import time

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from .._auth import MSAL_IMPORT_ERROR, AuthError
from .._http import REQUESTS_IMPORT_ERROR, HttpClient, HttpError, RetryPolicy, redact
from .._dates import UTC
from ..lcs_movement import InputError, parse_duration, parse_not_before
from ..operations import Operation, Waiter, WaitTimeout
from .client import (API_VERSIONS, DEFAULT_API_VERSION, DEFAULT_BAP_API_URL, DEFAULT_PP_API_URL, BapAdminClient,
                     PowerPlatformClient, bap_scope, pp_scope)
from .auth import token_provider
from .errors import PpError
from .status import pp_state

DEFAULT_WAIT_TIMEOUT = 90000
DEFAULT_POLL_INTERVAL = 60
# an environment id is a GUID; the tenant's default environment is 'Default-<tenant id>'
_ENVIRONMENT_ID_RE = re.compile(r"^(?:Default-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                                r"[0-9a-fA-F]{12}$")
_GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_URL_RE = re.compile(r"^https://[^/\s?#]+(?:/[^\s?#]*)?$")
_TENANTLESS = ("organizations", "common", "consumers")


def _env(name):
    return (env_fallback, ["PP_" + name])


def pp_argument_spec():
    return dict(
        client_id=dict(type="str", fallback=_env("CLIENT_ID")),
        client_secret=dict(type="str", no_log=True, fallback=_env("CLIENT_SECRET")),
        tenant_id=dict(type="str", default="organizations", fallback=_env("TENANT_ID")),
        username=dict(type="str", fallback=_env("USERNAME")),
        password=dict(type="str", no_log=True, fallback=_env("PASSWORD")),
        access_token=dict(type="str", no_log=True, fallback=_env("ACCESS_TOKEN")),
        refresh_token=dict(type="str", no_log=True, fallback=_env("REFRESH_TOKEN")),
        authority_url=dict(type="str", default="https://login.microsoftonline.com", fallback=_env("AUTHORITY_URL")),
        pp_api_url=dict(type="str", default=DEFAULT_PP_API_URL, fallback=_env("API_URL")),
        bap_api_url=dict(type="str", default=DEFAULT_BAP_API_URL, fallback=_env("BAP_API_URL")),
        api_version=dict(type="str", default=DEFAULT_API_VERSION, choices=list(API_VERSIONS),
                         fallback=_env("API_VERSION")),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path", fallback=_env("CA_PATH")),
        timeout=dict(type="int", default=60),
    )


def wait_argument_spec(wait_default=True):
    return dict(
        wait=dict(type="bool", default=wait_default),
        wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
        poll_interval=dict(type="int", default=DEFAULT_POLL_INTERVAL),
    )


def utc_now():
    return datetime.datetime.now(UTC)


def parse_window(not_before, max_age, now):
    """(aware not_before or None, max_age seconds or None); naive or future timestamps are refused."""
    return parse_not_before(not_before, now), parse_duration(max_age)


def check_connection(params, needs_bap=False):
    """Every connection option checked before the first call; raises InputError."""
    for name, example in (("pp_api_url", DEFAULT_PP_API_URL), ("bap_api_url", DEFAULT_BAP_API_URL),
                          ("authority_url", "https://login.microsoftonline.com")):
        if not _URL_RE.match(params.get(name) or ""):
            raise InputError("%s must be an https URL such as %s; got %r" % (name, example, params.get(name)))
    for name in ("timeout", "wait_timeout", "poll_interval"):
        if params.get(name) is not None and params[name] <= 0:
            raise InputError("%s must be a positive number of seconds; got %s" % (name, params[name]))
    if params.get("access_token") and not needs_bap:
        return
    _check_credentials(params, needs_bap)


def _check_credentials(params, needs_bap):
    if not params.get("client_id"):
        if needs_bap and params.get("access_token"):
            raise InputError("access_token only serves the Power Platform API; the admin-mode switch calls the BAP "
                             "admin API, which needs its own token: also set client_id (and client_secret, or "
                             "username/password) so the collection can request one")
        raise InputError("client_id is required (the Entra ID app registration); set client_id or PP_CLIENT_ID, "
                         "or pass access_token")
    if params.get("username") and not params.get("password") and not params.get("refresh_token"):
        raise InputError("username %r needs password (or refresh_token); set password or PP_PASSWORD"
                         % params["username"])
    user_flow = params.get("username") or params.get("refresh_token")
    if not user_flow and not params.get("client_secret"):
        raise InputError("no credential for client_id: give client_secret (service principal, recommended for "
                         "automation), username and password, or refresh_token")
    if not user_flow and (params.get("tenant_id") or "organizations").lower() in _TENANTLESS:
        raise InputError("a service principal (client_id + client_secret) signs in to one tenant: set tenant_id "
                         "(or PP_TENANT_ID) to your tenant id or domain instead of %r" % params.get("tenant_id"))


def check_environment_id(value, name="environment_id"):
    text = str(value or "").strip()
    if not _ENVIRONMENT_ID_RE.match(text):
        raise InputError("%s must be a Power Platform environment id (a GUID such as "
                         "2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b, or Default-<tenant id>); got %r. pp_environment_info "
                         "lists the ids" % (name, value))
    return text


def check_guid(value, name):
    text = str(value or "").strip()
    if not _GUID_RE.match(text):
        raise InputError("%s must be a GUID such as 2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b; got %r" % (name, value))
    return text.lower()


class PpModule:
    """AnsibleModule plus Power Platform and BAP clients built lazily from the common options."""

    def __init__(self, argument_spec, needs_bap=False, **kwargs):
        spec = pp_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        for library, error in (("requests", REQUESTS_IMPORT_ERROR), ("msal", MSAL_IMPORT_ERROR)):
            if error is not None:
                self.module.fail_json(msg=missing_required_lib(library), exception=error)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self._http = {}
        self._clients = {}
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
            auth = token_provider(token_params, scope)
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

    def _note_retry(self, status=None, **_ignored):
        # counted, not warned each time: a 429 storm would otherwise flood the output
        self._retry_statuses = getattr(self, "_retry_statuses", {})
        key = str(status or "connection")
        self._retry_statuses[key] = self._retry_statuses.get(key, 0) + 1

    def api_stats(self):
        if not self._http:
            return {}
        stats = {"api_calls": sum(h.calls for h in self._http.values()),
                 "api_retries": sum(h.retries for h in self._http.values())}
        if getattr(self, "_retry_statuses", None):
            stats["api_retry_reasons"] = dict(self._retry_statuses)
        return stats

    def fail(self, msg, **result):
        result.update(self.api_stats())
        self.module.fail_json(msg=redact(msg), **result)

    def run(self, body):
        """Run ``body()`` and turn every known failure into a failed result that says what to change."""
        try:
            result = body()
        except InputError as exc:
            self.fail(str(exc), changed=False)
        except AuthError as exc:
            self.fail("Power Platform sign-in failed: %s" % exc, aadsts=exc.code)
        except WaitTimeout as exc:
            self.fail(str(exc) + "; the operation keeps running in the Power Platform: run pp_operation_info with "
                      "its operation_id to keep waiting", timed_out=True, **operation_result(exc.operation))
        except PpError as exc:
            self.fail(str(exc), **exc.to_dict())
        except HttpError as exc:
            self.fail(str(exc), **exc.to_dict())
        result.update(self.api_stats())
        self.module.exit_json(**result)

    def waiter(self, fetch):
        return waiter_for(fetch, self.params, warn=lambda text: self.module.warn(redact(text)))


def waiter_for(fetch, params, clock=time.monotonic, sleep=time.sleep, warn=None):
    """The engine's waiter with the task's wait_timeout and poll_interval."""
    return Waiter(fetch, timeout=params["wait_timeout"], poll_interval=params["poll_interval"], clock=clock,
                  sleep=sleep, on_warning=warn)


def to_operation(facts):
    """An engine Operation from operation facts (status map: status.PP_STATES)."""
    return Operation(facts["operation_id"], facts["status"], state=pp_state(facts["status"]),
                     kind=facts.get("name"), name=facts.get("name"), environment_id=facts.get("environment_id"),
                     started_at=facts.get("started_at"), completed_at=facts.get("completed_at"),
                     error_message=facts.get("error_message"))


def operation_result(operation):
    if operation is None:
        return dict(operation_id=None, status=None, state=None)
    return dict(operation_id=operation.operation_id, status=operation.status, state=operation.state)
