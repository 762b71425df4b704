# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Just-in-time SQL credentials for the F&O database of a unified environment, from its Dataverse action
``msprov_getfinopssqljitaccessasync`` (shared reference: dataalm-2026-addendum.md section 2, from d365bap.tools
and d365fo.tools; no Microsoft page documents it).

The request (``sqljitclientipaddress``, ``sqljitrole``, ``sqljitreason``) and the answer's field names are
taken from those tools. INFERRED, so read tolerantly: field names in any case, the answer possibly wrapped in
``value``, the expiry as ISO 8601 (any offset or fraction), ``/Date(ms)/`` or missing, ``servername`` as
``host``, ``host,port`` or ``tcp:host,port``. The password leaves this module only inside the ODBC connection
string the next SQL task takes (``connection_string``, which every fo_* SQL module treats as a secret).
"""

from __future__ import annotations

import datetime
import ipaddress
import re

from .._dates import UTC, format_datetime, parse_utc
from .._http import HttpError
from .._movement.errors import InputError, MovementError
from .._pp.errors import translate
from ..fo_sql import DEFAULT_DRIVER, _odbc_value
from .client import API_PATH

ACTION = "msprov_getfinopssqljitaccessasync"
ACCESS = ("Reader", "Writer")
# answer field -> result key; the first four are needed to connect at all
REQUIRED = {"servername": "server", "databasename": "database", "sqljitusername": "user",
            "sqljitpassword": "password"}
DESCRIPTIVE = {"sqljitrole": "access", "ipaddress": "client_ip", "databasetype": "database_type",
               "operationhistoryid": "operation_history_id"}
_MS_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")


def check_client_ip(value):
    """The client IP to allow, as the service wants it (one IPv4 or IPv6 address), or None."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise InputError("client_ip must be one IP address, such as 203.0.113.7 (the public address the SQL "
                         "connection comes from), not %r" % (value,)) from None


def request_body(access, reason, client_ip):
    body = {"sqljitrole": access, "sqljitreason": reason}
    if client_ip:  # without it the service decides (INFERRED: the caller's address); the tools always send one
        body["sqljitclientipaddress"] = client_ip
    return body


def request_access(client, access, reason, client_ip):
    """POST the action on the organisation; its JSON answer (a dict)."""
    url = "%s/%s/%s" % (client.organization_url, API_PATH, ACTION)
    try:
        response = client.http.request("POST", url, json_body=request_body(access, reason, client_ip))
    except HttpError as exc:
        raise translate(exc, "requesting just-in-time SQL access (%s)" % ACTION) from None
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = {}
    return body if isinstance(body, dict) else {}


def _fields(body):
    """The answer's fields, keys in lower case; an answer wrapped in ``value`` is unwrapped."""
    fields = {str(k).lower(): v for k, v in body.items()}
    if "servername" not in fields and isinstance(fields.get("value"), dict):
        return _fields(fields["value"])
    return fields


def parse_expiry(value):
    """An aware UTC datetime, or None when the service gave none (or nothing readable)."""
    match = _MS_DATE.match(str(value or "").strip())
    if match:
        return datetime.datetime.fromtimestamp(int(match.group(1)) / 1000.0, UTC)
    return parse_utc(value)


def credentials(body):
    """The connection facts of an answer; MovementError naming what is missing."""
    fields = _fields(body)
    missing = [name for name in REQUIRED if not fields.get(name)]
    if missing:
        raise MovementError("the just-in-time SQL access answer has no %s (fields given: %s); the service's answer "
                            "changed or the environment has no F&O database" % (", ".join(missing),
                                                                                ", ".join(sorted(fields)) or "none"))
    found = {key: str(fields[name]) for name, key in REQUIRED.items()}
    found.update({key: fields.get(name) for name, key in DESCRIPTIVE.items()})
    found["expires_at"] = parse_expiry(fields.get("sqljitexpiration"))
    return found


def connection_string(found, driver=None):
    """The ODBC connection string for the credentials: SQL Server form, or psqlODBC's for a PostgreSQL driver."""
    driver = driver or DEFAULT_DRIVER
    server = re.sub(r"(?i)^tcp:", "", found["server"].strip())
    if "postgresql" in driver.lower():
        host, _comma, port = server.partition(",")
        parts = ["Server=%s" % _odbc_value(host), "Port=%s" % _odbc_value(port or "5432"),
                 "Database=%s" % _odbc_value(found["database"]), "CommLog=0", "Debug=0"]
    else:
        parts = ["SERVER=%s" % _odbc_value(found["server"]), "DATABASE=%s" % _odbc_value(found["database"]),
                 "Encrypt=yes", "TrustServerCertificate=no"]
    parts += ["UID=%s" % _odbc_value(found["user"]), "PWD=%s" % _odbc_value(found["password"])]
    return "DRIVER={%s};%s;" % (driver, ";".join(parts))


def obtain(client, params):
    """The module's result: the non-secret facts plus ``connection_string`` (the only place of the password)."""
    client_ip = check_client_ip(params["client_ip"])
    found = credentials(request_access(client, params["access"], params["reason"], client_ip))
    # the service's own clock (its Date header), never the controller's: clock skew must not refuse good logins
    now = client.http.server_now()
    expires = found.pop("expires_at")
    if expires is not None and now is not None and expires <= now:
        raise MovementError("the service issued just-in-time SQL credentials that expired at %s, before its own time "
                            "of answer; request them again" % format_datetime(expires))
    result = {key: value for key, value in found.items() if key != "password"}
    result.update(changed=False, requested=True, expires_at=format_datetime(expires),
                  connection_string=connection_string(found, params["driver"]))
    return result
