# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP client for every Microsoft API the collection calls.

Retries use full-jitter exponential backoff with a cap, honour ``Retry-After`` and stop when a
total retry budget is spent, so a 429 storm can never keep a task busy forever. Only calls that are
safe to repeat are retried on 5xx and dropped connections; a POST that starts an operation is only
repeated when the service proves it was not processed (429, or the connection was never made).
Retry-After: https://www.rfc-editor.org/rfc/rfc9110#field.retry-after ; full jitter:
https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
"""

from __future__ import annotations

import datetime
import email.utils
import random
import time
import traceback
import uuid

from ._movement.errors import MovementError
from ._redact import redact

try:
    import requests
    from requests import exceptions as requests_exceptions
except ImportError:  # pragma: no cover - reported through missing_required_lib
    requests = None
    requests_exceptions = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT", "DELETE"))
RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
# ms-dyn-aid: the activity id F&O puts on every answer (Microsoft asks for it in support tickets)
REQUEST_ID_HEADERS = ("ms-dyn-aid", "activity-id", "x-ms-activity-id", "x-ms-request-id", "request-id",
                      "client-request-id")
BODY_EXCERPT_CHARS = 500


class HttpError(MovementError):
    """Every failure of an HTTP call: status (None when no response), body excerpt, request id."""

    def __init__(self, message, status=None, body=None, request_id=None, method=None, url=None, retryable=False):
        self.status = status
        self.body = redact(body[:BODY_EXCERPT_CHARS]) if body else None
        self.request_id = request_id
        self.method = method
        self.url = redact(url)
        self.retryable = retryable
        super().__init__(redact(message))

    @property
    def transient(self):
        """True when waiting longer may help (throttling, 5xx, dropped connections, timeouts)."""
        return self.status is None or self.status in RETRYABLE_STATUSES

    def to_dict(self):
        return {
            "http_status": self.status,
            "body": self.body,
            "request_id": self.request_id,
            "method": self.method,
            "url": self.url,
        }

    def __str__(self):
        parts = [super().__str__()]
        if self.status is not None:
            parts.append("HTTP %s" % self.status)
        if self.request_id:
            parts.append("request id %s" % self.request_id)
        if self.body:
            parts.append("response: %s" % self.body)
        return "; ".join(parts)


class TransportError(HttpError):
    """No HTTP response at all: refused, dropped, timed out, TLS failure."""


class RetryPolicy:
    """Full-jitter exponential backoff: delay n is uniform(0, min(cap, base * 2**n))."""

    def __init__(self, max_attempts=8, base_delay=2.0, max_delay=60.0, max_total_delay=600.0,
                 default_retry_after=10.0, rng=None):
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_total_delay = max_total_delay
        # d365fo.tools waits 10 s when a 429 carries no Retry-After; so do we
        self.default_retry_after = default_retry_after
        self._rng = rng or random.Random()

    def backoff(self, attempt):
        """Delay before retry number ``attempt`` (0-based) when the service gave no Retry-After."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** attempt))
        return self._rng.uniform(0, ceiling)

    def delay_for(self, attempt, status=None, retry_after=None):
        if retry_after is not None:
            return retry_after
        if status == 429:
            return self.default_retry_after
        return self.backoff(attempt)


def parse_retry_after(value, now=None):
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent/garbled."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def request_id_of(response):
    if response is None:
        return None
    for header in REQUEST_ID_HEADERS:
        value = response.headers.get(header)
        if value:
            return value
    return None


class HttpClient:
    """A requests session with timeouts, TLS options, bounded retries and request accounting.

    ``auth`` is an object with ``authorization_header()`` and ``invalidate()`` (see _auth.py); a 401
    makes the client renew the token once and repeat the call, which is safe because a 401 means the
    request was not processed.
    """

    def __init__(self, base_url, timeout=60, validate_certs=True, ca_path=None, retry=None, auth=None,
                 sleep=time.sleep, clock=time.monotonic, user_agent="d365fo.dataalm", on_retry=None):
        if requests is None:
            raise ImportError("the requests library is required")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.auth = auth
        self.sleep = sleep
        self.clock = clock
        self.on_retry = on_retry
        self.session = requests.Session()
        # passed on every call: requests lets REQUESTS_CA_BUNDLE override Session.verify
        self._verify = (ca_path if ca_path else True) if validate_certs else False
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept"] = "application/json"
        # accounting for results and benchmarks; never holds secrets
        self.calls = 0
        self.retries = 0
        self.last_request_id = None
        self.request_ids = []
        # (service time from the Date header, our monotonic clock when it arrived)
        self._server_time = None

    def url_for(self, path):
        if path.startswith("https://") or path.startswith("http://"):
            return path
        return "%s/%s" % (self.base_url, path.lstrip("/"))

    def request(self, method, path, params=None, json_body=None, idempotent=None, headers=None, data=None,
                stream=False):
        """Send one logical request, retrying transient failures; return the final ``requests.Response``.

        ``data`` (bytes, or a callable returning a fresh file object per attempt) is sent instead of JSON;
        ``stream`` leaves the body unread for the caller (downloads)."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in SAFE_METHODS
        url = self.url_for(path)
        started = self.clock()
        spent_sleeping = 0.0
        attempt = 0
        renewed_auth = False
        while True:
            response, error = self._send_once(method, url, params, json_body, headers, data, stream)
            status = response.status_code if response is not None else None
            if status == 401 and self.auth is not None and not renewed_auth and getattr(self.auth, "renewable", False):
                # tokens can expire between our expiry check and the service's; renew once
                renewed_auth = True
                self.auth.invalidate()
                continue
            if status != 401:
                renewed_auth = False  # a later expiry (after a retry's sleep) deserves its own renewal
            if response is not None and status < 400:
                return response
            retryable = self._retryable(status, error, idempotent)
            retry_after = parse_retry_after(response.headers.get("Retry-After")) if response is not None else None
            delay = self.retry.delay_for(attempt, status, retry_after)
            budget_left = self.retry.max_total_delay - spent_sleeping
            if not retryable or attempt + 1 >= self.retry.max_attempts or delay > budget_left:
                raise self._error(method, url, response, error, attempt, self.clock() - started, retryable)
            self.retries += 1
            if self.on_retry is not None:
                self.on_retry(method=method, url=redact(url), status=status, delay=delay, attempt=attempt + 1,
                              request_id=request_id_of(response))
            self.sleep(delay)
            spent_sleeping += delay
            attempt += 1

    def get_json(self, path, params=None):
        return self._json(self.request("GET", path, params=params))

    def post_json(self, path, params=None, json_body=None, idempotent=False):
        return self._json(self.request("POST", path, params=params, json_body=json_body, idempotent=idempotent))

    def _send_once(self, method, url, params, json_body, headers, data=None, stream=False):
        client_request_id = str(uuid.uuid4())
        all_headers = {"client-request-id": client_request_id, "return-client-request-id": "true"}
        if self.auth is not None:
            all_headers["Authorization"] = self.auth.authorization_header()
        all_headers.update(headers or {})
        self.calls += 1
        try:
            response = self.session.request(method, url, params=params, json=json_body, headers=all_headers,
                                            timeout=self.timeout, verify=self._verify, stream=stream,
                                            data=data() if callable(data) else data)
        except requests_exceptions.RequestException as exc:
            self._remember_request_id(client_request_id)
            return None, exc
        self._remember_request_id(request_id_of(response) or client_request_id)
        self._remember_server_time(response.headers.get("Date"))
        return response, None

    def _remember_server_time(self, header):
        if not header:
            return
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            return
        if when is not None and when.tzinfo is not None:
            self._server_time = (when, self.clock())

    def server_now(self):
        """The service's current time (aware datetime) from its last Date header, or None if never seen.

        History and status times are in the service's clock; comparing them with the controller's clock
        would make idempotency windows depend on clock skew.
        """
        if self._server_time is None:
            return None
        when, seen_at = self._server_time
        return when + datetime.timedelta(seconds=max(0.0, self.clock() - seen_at))

    def _remember_request_id(self, request_id):
        self.last_request_id = request_id
        self.request_ids.append(request_id)
        del self.request_ids[:-20]

    @staticmethod
    def _retryable(status, error, idempotent):
        if status == 429:
            return True  # throttled requests were not processed, so even a start may be repeated
        if error is not None:
            if isinstance(error, requests_exceptions.SSLError):
                return False
            if isinstance(error, requests_exceptions.ConnectTimeout):
                return True  # never reached the service
            if isinstance(error, requests_exceptions.ConnectionError) and _never_connected(error):
                return True
            return idempotent
        return idempotent and status in RETRYABLE_STATUSES

    def _error(self, method, url, response, error, attempt, elapsed, retryable):
        tries = "after %d attempt%s over %.0f s" % (attempt + 1, "" if attempt == 0 else "s", elapsed)
        if response is None:
            return TransportError("%s %s failed %s: %s" % (method, redact(_path_only(url)), tries, _describe(error)),
                                  method=method, url=url, request_id=self.last_request_id, retryable=retryable)
        body = response.text or ""
        return HttpError("%s %s failed %s" % (method, redact(_path_only(url)), tries), status=response.status_code,
                         body=body, request_id=request_id_of(response) or self.last_request_id, method=method,
                         url=url, retryable=retryable)

    @staticmethod
    def _json(response):
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise HttpError("expected JSON but got %r" % response.headers.get("Content-Type"),
                            status=response.status_code, body=response.text, request_id=request_id_of(response),
                            url=response.url) from None


def _never_connected(error):
    text = repr(error)
    markers = ("NewConnectionError", "Connection refused", "Name or service not known", "nodename nor servname",
               "Failed to resolve")
    return any(marker in text for marker in markers)


def _describe(error):
    if error is None:
        return "no response"
    reason = error.__class__.__name__
    text = str(error)
    if isinstance(error, requests_exceptions.SSLError):
        return "TLS verification failed (%s); set ca_path to the issuing CA bundle or fix the host name" % reason
    return "%s: %s" % (reason, text[:300])


def _path_only(url):
    return url.split("?", 1)[0]
