# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Power Platform failures, each with what to grant or change.

The Power Platform API answers in three shapes (pp-api-sdk.md §2, §3): ``{"errorDetail": {"code",
"fieldErrors"}}`` (environment management), ``{"error": {"code", "message"}}`` (dynamics, BAP) and a plain
``{"code", "message"}``. Permission failures are told apart by HTTP status and by where they happened
(tenant-wide route or one environment); the service's code only refines the advice, because Microsoft
documents no stable codes for them.
"""

from __future__ import annotations

import json

from .._movement.errors import MovementError
from .._redact import redact

PP_SCOPE_HINT = "https://api.powerplatform.com/.default"
BAP_SCOPE_HINT = "https://service.powerapps.com//.default"

ASSIGN_ADMIN_ROLE = ("assign the user the Power Platform administrator role (Microsoft 365 admin center > Roles), "
                     "or use a service principal (docs/power-platform.md)")
REGISTER_ADMIN_APP = ("register the app registration (client_id) as a Power Platform admin application: a Power "
                      "Platform administrator runs 'pac admin application register --application-id <client_id>' "
                      "or New-PowerAppManagementApp -ApplicationId <client_id> (docs/power-platform.md)")
GRANT_CONTRIBUTOR = ("assign the service principal the Power Platform Contributor role at tenant scope (Power "
                     "Platform role-based access control, by the service principal's enterprise application object "
                     "id; docs/power-platform.md)")
ADD_APPLICATION_USER = ("add the app registration as an application user with the System Administrator security "
                        "role in environment %s (Power Platform admin center > the environment > Settings > Users + "
                        "permissions > Application users)")
# markers in a service error code or message that say which grant is missing
_ADMIN_APP_MARKERS = ("notregistered", "adminapplication", "managementapp", "serviceprincipalnotallowed")
_ROLE_MARKERS = ("rbac", "roleassignment", "contributor", "authorizationfailed", "insufficientrole")
_USER_ADMIN_MARKERS = ("notpowerplatformadmin", "powerplatformadministratorrole")
_APP_USER_MARKERS = ("applicationuser", "systemadministrator", "usernotinenvironment", "environmentaccess",
                     "notmember", "securityrole")


class PpError(MovementError):
    """A Power Platform call failed; ``hint`` says what to change, ``transient`` whether waiting may help."""

    def __init__(self, message, status=None, code=None, service_message=None, request_id=None, hint=None,
                 transient=False, field_errors=None):
        self.status = status
        self.code = code
        self.service_message = redact(service_message)
        self.request_id = request_id
        self.transient = transient
        self.field_errors = field_errors
        super().__init__(message, hint="what to change: %s" % hint if hint else None,
                         details={"http_status": status, "error_code": code,
                                  "error_message": self.service_message, "request_id": request_id})


class PpPermissionError(PpError):
    """HTTP 401/403: the identity lacks a grant; the message names the grant."""


def service_error(body_text):
    """(code, message, field_errors) from any of the documented error shapes; Nones when there is none."""
    try:
        body = json.loads(body_text) if body_text else None
    except ValueError:
        return None, (body_text or "")[:300] or None, None
    if not isinstance(body, dict):
        return None, None, None
    detail = body.get("errorDetail") or body.get("error") or body
    if not isinstance(detail, dict):
        return None, str(detail)[:300], None
    code = detail.get("code") or detail.get("errorCode") or detail.get("errorName")
    message = detail.get("message") or detail.get("errorMessage") or body.get("message")
    field_errors = detail.get("fieldErrors") or None
    if not message and isinstance(field_errors, dict):
        message = "; ".join("%s: %s" % (name, _field_text(value)) for name, value in field_errors.items())
    return (str(code) if code is not None else None), message, field_errors


def _field_text(value):
    if isinstance(value, dict) and value.get("errorMessages"):
        return " ".join(str(m) for m in value["errorMessages"])
    return str(value)


def translate(error, action, environment_id=None, audience="pp"):
    """A PpError for an HttpError of ``action`` (a phrase such as 'list backups of environment X')."""
    if isinstance(error, PpError):
        return error
    status = error.status
    code, message, field_errors = service_error(getattr(error, "body", None))
    kwargs = dict(status=status, code=code, service_message=message, request_id=error.request_id,
                  field_errors=field_errors, transient=error.transient)
    said = " (the service said: %s%s)" % ("%s: " % code if code else "", message) if (code or message) else ""
    if status == 401:
        return PpPermissionError("%s was refused with HTTP 401%s" % (action, said),
                                 hint=_unauthorized_hint(code, message, audience), **kwargs)
    if status == 403:
        return PpPermissionError("%s was refused with HTTP 403%s" % (action, said),
                                 hint=permission_hint(code, message, environment_id, audience), **kwargs)
    if status == 404 and environment_id:
        return PpError("%s failed: environment %s was not found (HTTP 404)%s" % (action, environment_id, said),
                       hint="check environment_id (pp_environment_info lists the environments the identity can "
                            "see) and pp_api_url", **kwargs)
    if status is None:
        return PpError("%s failed: %s" % (action, error), **kwargs)
    return PpError("%s failed with HTTP %s%s" % (action, status, said or "; %s" % error), **kwargs)


def _unauthorized_hint(code, message, audience):
    text = ("%s %s" % (code or "", message or "")).lower()
    if "audience" in text or not text.strip():
        return _audience_hint(audience)
    return ("the token was refused (missing, malformed or expired) after a renewal; pass a current access_token, or "
            "client_id with a credential so the collection renews tokens itself. %s" % _audience_hint(audience))


def _audience_hint(audience):
    if audience == "bap":
        return ("the token's audience must be the BAP admin API (scope %s); check authority_url, tenant_id and "
                "bap_api_url" % BAP_SCOPE_HINT)
    return ("the token's audience must be the Power Platform API (scope %s); a token for another API (BAP, "
            "Dataverse, LCS, Graph) is refused. Check access_token, tenant_id and pp_api_url" % PP_SCOPE_HINT)


def permission_hint(code, message, environment_id, audience="pp"):
    """What to grant for a 403, most specific first."""
    text = ("%s %s" % (code or "", message or "")).lower().replace(" ", "").replace("_", "")
    app_user = ADD_APPLICATION_USER % (environment_id or "<environment>")
    if any(marker in text for marker in _ADMIN_APP_MARKERS):
        return REGISTER_ADMIN_APP
    if any(marker in text for marker in _USER_ADMIN_MARKERS):
        return ASSIGN_ADMIN_ROLE
    if any(marker in text for marker in _ROLE_MARKERS):
        return GRANT_CONTRIBUTOR
    if any(marker in text for marker in _APP_USER_MARKERS):
        return app_user
    if audience == "bap":
        return "%s; a user account needs the Power Platform administrator role" % REGISTER_ADMIN_APP
    if environment_id:
        # a tenant-wide refusal would already have stopped the environment lookup before this call
        return "%s; if that is in place, %s and %s" % (app_user, GRANT_CONTRIBUTOR, REGISTER_ADMIN_APP)
    return "%s, and %s" % (REGISTER_ADMIN_APP, GRANT_CONTRIBUTOR)
