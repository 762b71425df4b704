# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fo_app_identity_info: who the run signs in to an environment as, and what that environment says about it.

Read only. An Entra application signs in as the F&O user it is mapped to (System administration > Setup >
Microsoft Entra applications, entity set ``SysAADClients``: ``AADClientId`` -> ``UserId``); a person signs in as
the user whose ``Alias`` is their sign-in name. Entity sets and fields INFERRED from F&O metadata (FOMETA:
SysAadClients.ts, SystemUsers.ts; ``Enabled`` is Edm.Boolean). A 401 or 403 from F&O is itself a fact (the
identity's user is disabled or not registered there), reported as ``signed_in: false`` when the caller asks.
"""

from __future__ import annotations

from .client import FoError
from .odata import literal

APPS = "SysAADClients"
USERS = "SystemUsers"
PROJECTS = "DataManagementDefinitionGroups"
REFUSED = (401, 403)


def identity_of(params, auth):
    """The kind of sign-in and who it is: an application's client id, a person's sign-in name (once known)."""
    if params.get("access_token"):
        return {"kind": "access_token", "client_id": None, "username": None}
    if params.get("client_secret"):
        return {"kind": "application", "client_id": params["client_id"], "username": None}
    return {"kind": "delegated", "client_id": params.get("client_id"), "username": getattr(auth, "username", None)}


def _any_of(field, values):
    return " or ".join("%s eq %s" % (field, literal(value)) for value in values)


def read(fm):
    """The facts of one environment; a refusal ends the reading with ``signed_in: false`` or fails."""
    p = fm.params
    result = dict(changed=False, signed_in=True, refusal=None, mapped_user=None, users=[], data_projects=[])
    try:
        _read_into(fm.client, p, result)
    except FoError as exc:
        if exc.status not in REFUSED or p["fail_on_refusal"]:
            raise
        result.update(signed_in=False, refusal=str(exc), users=[], data_projects=[])
    result["identity"] = identity_of(p, fm.client.http.auth)
    return result


def _read_into(client, p, result):
    wanted = list(dict.fromkeys(name for name in p["users"] if name))
    if p.get("client_secret"):
        app = client.record(APPS, {"AADClientId": p["client_id"]}, cross_company=False)
        result["mapped_user"] = (app or {}).get("UserId") or None
        if result["mapped_user"]:
            wanted.append(result["mapped_user"])
    users = list(client.records(USERS, filter=_any_of("UserID", list(dict.fromkeys(wanted))),
                                select=["UserID", "Enabled", "Alias"], cross_company=False))
    person = getattr(client.http.auth, "username", None)  # known once the first call signed in
    if person and not p.get("client_secret"):
        users += [row for row in client.records(USERS, filter=_any_of("Alias", [person]),
                                                select=["UserID", "Enabled", "Alias"], cross_company=False)
                  if row.get("UserID") not in wanted]
    result["users"] = [{"user_id": row.get("UserID"), "enabled": _enabled(row.get("Enabled")),
                        "alias": row.get("Alias") or None} for row in users]
    if p["data_projects"]:
        rows = client.records(PROJECTS, filter=_any_of("Name", p["data_projects"]), select=["Name"],
                              cross_company=False)
        found = {str(row.get("Name") or "").lower() for row in rows}
        result["data_projects"] = [name for name in p["data_projects"] if name.lower() in found]


def _enabled(value):
    """Edm.Boolean as F&O sends it; a NoYes enum text from an older entity version is read too."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value)
