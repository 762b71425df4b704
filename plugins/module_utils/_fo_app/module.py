# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the F&O application layer shares: options, validation, the client, failures."""

from __future__ import annotations

import re
import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from .._auth import MSAL_EXTENSIONS_IMPORT_ERROR, MSAL_IMPORT_ERROR, AuthError, auth_problem
from .._download import DownloadError
from .._env import env_fallback
from .._http import REQUESTS_IMPORT_ERROR, HttpClient, HttpError, RetryPolicy
from .._movement.errors import MovementError, WaitTimeout
from .._movement.lifeline import Lifeline
from .._movement.waiter import Waiter
from .._redact import redact
from .auth import build_environment_token, sign_in_argument_spec
from .client import FoClient, FoError
from .transfer import TransferError

DEFAULT_WAIT_TIMEOUT = 7200
DEFAULT_POLL_INTERVAL = 30  # Microsoft's own package tutorial polls every 30 s
SHARED_TENANTS = ("organizations", "common", "consumers")


def connection_argument_spec():
    """Options of the ``d365fo.dataalm.fo_app`` doc fragment: the shared sign-in options (with FO_* variables)
    plus where the environment is and how to reach it."""
    spec = sign_in_argument_spec()
    spec.update(
        environment_url=dict(type="str", fallback=(env_fallback, ["FO_ENVIRONMENT_URL"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["FO_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["FO_CA_PATH"])),
        timeout=dict(type="int", default=60, fallback=(env_fallback, ["FO_TIMEOUT"])),
    )
    return spec


def wait_argument_spec():
    return dict(wait=dict(type="bool", default=True),
                wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
                poll_interval=dict(type="int", default=DEFAULT_POLL_INTERVAL))


def connection_problems(p):
    """What is wrong with the connection options, as messages that say what to change."""
    problems = []
    url = p.get("environment_url") or ""
    if not re.match(r"^https://[^/\s?#]+(/[^\s?#]*)?$", url) or url.rstrip("/").lower().endswith("/data"):
        problems.append("environment_url must be the environment's https URL, such as "
                        "https://contoso-uat.sandbox.operations.dynamics.com (no /data, no query); got %r "
                        "(or set FO_ENVIRONMENT_URL)" % url)
    if not re.match(r"^https://[^/\s]+", p.get("authority_url") or ""):
        problems.append("authority_url must be an https URL such as https://login.microsoftonline.com")
    if (p.get("timeout") or 0) <= 0:
        problems.append("timeout must be a positive number of seconds")
    if p.get("access_token"):
        return problems
    if not p.get("client_id"):
        problems.append("client_id is required (the Entra application registered in the environment), or pass "
                        "access_token; set client_id or FO_CLIENT_ID")
    elif p.get("client_secret"):
        if not p.get("tenant_id") or p["tenant_id"].lower() in SHARED_TENANTS:
            problems.append("tenant_id must name the environment's tenant (its id or domain) for client_secret "
                            "sign-in; 'organizations' and 'common' cannot issue application tokens")
    else:
        # a person's delegated sign-in: refresh_token, or the shared token cache written by sign_in.yml
        problem = auth_problem(dict(p, username=None, password=None))
        if problem:
            problems.append("no credential was given (an application secret, a person's refresh token or an "
                            "access token) and the sign-in cache cannot help: " + problem)
    return problems


class FoAppModule:
    """AnsibleModule plus a lazily built F&O client; ``run(body)`` turns every known failure into a result."""

    def __init__(self, argument_spec, wait=False, **kwargs):
        spec = connection_argument_spec()
        spec.update(wait_argument_spec() if wait else {})
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        for library, error in (("requests", REQUESTS_IMPORT_ERROR), ("msal", MSAL_IMPORT_ERROR),
                               ("msal-extensions", MSAL_EXTENSIONS_IMPORT_ERROR)):
            if error is not None:
                self.module.fail_json(msg=missing_required_lib(library), exception=error)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        # a wait ends with the controller that asked for it (issue 9 item 13), as in the LCS and pp modules
        self.lifeline = Lifeline()
        self._http = None
        self._client = None
        self._blob = None
        self.retries = {}
        # what a failure must still report (an execution already started, its id): flows fill it in
        self.known = {}
        problems = connection_problems(self.params)
        if wait:
            problems += [
                "%s must be a positive number of seconds" % name
                for name in ("wait_timeout", "poll_interval") if (self.params[name] or 0) <= 0]
        if problems:
            self.fail("; ".join(problems), changed=False)

    @property
    def client(self):
        if self._client is None:
            p = self.params
            self._http = HttpClient(p["environment_url"], timeout=p["timeout"], validate_certs=p["validate_certs"],
                                    ca_path=p["ca_path"], auth=build_environment_token(p, warn=self.warn),
                                    retry=RetryPolicy(),
                                    on_retry=self._note_retry)
            self._client = FoClient(self._http, p["environment_url"])
        return self._client

    @property
    def verify(self):
        """requests' ``verify`` for storage: passed per call, because REQUESTS_CA_BUNDLE overrides a session's."""
        p = self.params
        return (p["ca_path"] or True) if p["validate_certs"] else False

    @property
    def blob(self):
        """HTTP for storage: same TLS options and retries, and no Authorization header (the SAS is the key)."""
        if self._blob is None:
            p = self.params
            self._blob = HttpClient("https://storage.invalid", timeout=p["timeout"], validate_certs=p["validate_certs"],
                                    ca_path=p["ca_path"], auth=None, retry=RetryPolicy(), on_retry=self._note_retry)
            self._blob.session.headers.pop("Accept", None)
        return self._blob

    def _note_retry(self, status=None, **_ignored):
        # counted, not warned one by one: a 429 storm would flood the output
        key = str(status or "connection")
        self.retries[key] = self.retries.get(key, 0) + 1

    def stats(self):
        calls = sum(http.calls for http in (self._http, self._blob) if http is not None)
        stats = {"api_calls": calls}
        if self.retries:
            stats["api_retries"] = dict(self.retries)
        return stats

    def warn(self, text):
        self.module.warn(redact(text))

    def fail(self, msg, **result):
        result = dict(self.known, **result)
        result.update(self.stats())
        self.module.fail_json(msg=redact(msg), **result)

    def waiter(self, fetch, on_progress=None):
        p = self.params
        return Waiter(fetch, timeout=p["wait_timeout"], poll_interval=p["poll_interval"], clock=time.monotonic,
                      sleep=self.lifeline.sleep, on_progress=on_progress, on_warning=self.warn,
                      alive=self.lifeline.alive)

    def run(self, body):
        """Run ``body()`` (returns the result dict) and exit; every known failure fails with what to change."""
        try:
            result = body()
        except AuthError as exc:
            self.fail("sign-in to %s failed: %s" % (self.params["environment_url"], exc), aadsts=exc.code)
        except WaitTimeout as exc:
            operation = exc.operation
            self.fail("%s; the execution keeps running in F&O: re-run the task to follow it" % exc, timed_out=True,
                      execution_id=getattr(operation, "operation_id", None), status=getattr(operation, "status", None))
        except (FoError, HttpError, MovementError) as exc:
            self.fail(str(exc), **exc.to_dict())
        except DownloadError as exc:
            self.fail("downloading the package failed: %s" % exc, **exc.details)
        except TransferError as exc:
            self.fail(str(exc))
        result.update(self.stats())
        self.module.exit_json(**result)
