# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restore and copy as providers of the movement engine (``_movement``).

Both are one POST to the **target** answered with 202 and no body the SDK reads (pp-api-sdk.md §2). The
operation is then found, in this order (dataalm-2026-addendum.md §2.3): the ``Location`` header, the
``Operation-Location`` header, a body ``operationUrl``; with none of them ``start()`` returns no id and the
engine locates the newest restore/copy in the target's operations list. Check mode calls the same route with
``ValidateOnly=true`` and reports the service's verdict; it never starts anything.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from .._http import HttpError
from .errors import PpError, translate
from .provider import PowerPlatformOperations
from .status import operation_facts

COPY_TYPES = {"full": "Full", "minimal": "Minimal"}


def restore_body(source_id, instant, environment_name=None, security_group_id=None, skip_audit_data=None):
    """RestoreRequest: restorePointDateTime with an explicit offset (a naive time would be misread)."""
    options = _options(environmentNameToOverride=environment_name, securityGroupIdToOverride=security_group_id,
                       skipAuditData=skip_audit_data)
    body = {"sourceEnvironmentId": source_id, "restorePointDateTime": instant.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if options:
        body["restoreOptions"] = options
    return body


def copy_body(source_id, copy_type, advanced_fo_copy=False, environment_name=None, security_group_id=None,
              skip_audit_data=None):
    """CopyRequest: copyType Full | Minimal (the Power Platform API's names, not FullCopy/MinimalCopy)."""
    options = _options(environmentNameToOverride=environment_name, securityGroupIdToOverride=security_group_id,
                       skipAuditData=skip_audit_data,
                       executeAdvancedCopyForFinanceAndOperations=True if advanced_fo_copy else None)
    body = {"sourceEnvironmentId": source_id, "copyType": COPY_TYPES[copy_type]}
    if options:
        body["copyOptions"] = options
    return body


def _options(**values):
    return {name: value for name, value in values.items() if value is not None}


def operation_id_from(response):
    """The operation id a 202 announces: Location, Operation-Location, then the body's operationUrl."""
    url = response.headers.get("Location") or response.headers.get("Operation-Location")
    if not url:
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        url = (body.get("operationUrl") or body.get("operationId")) if isinstance(body, dict) else None
    if not url:
        return None
    path = urlsplit(str(url)).path.rstrip("/")
    return path.rsplit("/", 1)[-1] or None


def field_verdict(error):
    """Each field error of a ValidationResponse as {field, messages} (the service's words)."""
    verdict = []
    for name, value in sorted((error.field_errors or {}).items()):
        messages = value.get("errorMessages") if isinstance(value, dict) else None
        verdict.append({"field": name, "messages": [str(m) for m in (messages or [value])]})
    return verdict


class LifecycleOperation(PowerPlatformOperations):
    """A restore or copy onto ``target_id`` with a prepared request body."""

    def __init__(self, client, target_id, kind, body, limit=50):
        super().__init__(client, target_id, limit=limit)
        self.kind = kind  # "restore" or "copy": the route and the engine's movement kind
        self.label = "environment %s" % kind
        self.body = body
        self.verdict = None

    def _post(self, validate_only):
        path = "environmentmanagement/environments/%s/%s" % (quote(self.environment_id, safe=""), self.kind)
        params = {"api-version": self.client.api_version}
        if validate_only:
            params["ValidateOnly"] = "true"
        verb = "validating the" if validate_only else "starting the"
        action = "%s %s of environment %s" % (verb, self.kind, self.environment_id)
        try:
            return self.client.http.request("POST", path, params=params, json_body=self.body,
                                            idempotent=validate_only)
        except HttpError as exc:
            raise _with_verdict(translate(exc, action, self.environment_id)) from None

    def start(self):
        """The one mutating call; the announced operation id, or None (the engine then locates it)."""
        return operation_id_from(self._post(validate_only=False))

    def validate(self):
        """ValidateOnly=true: the service's verdict without starting anything (check mode)."""
        self._post(validate_only=True)
        self.verdict = {"passed": True, "field_errors": []}

    def stages(self, operation_id):
        """The stages of an operation as facts ([] when it cannot be read)."""
        try:
            return operation_facts(self.client.operation(operation_id, self.environment_id),
                                   self.environment_id)["stages"]
        except PpError:
            return []


def _with_verdict(error):
    """A refused request carries its field errors in the result (``validation``)."""
    if error.field_errors:
        error.details["validation"] = {"passed": False, "field_errors": field_verdict(error)}
    return error
