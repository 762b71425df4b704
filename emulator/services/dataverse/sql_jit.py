"""Just-in-time SQL access to the F&O database of a unified environment: the Dataverse custom action
``msprov_getfinopssqljitaccessasync`` (shared reference: dataalm-2026-addendum.md section 2, from d365bap.tools
``Get-UdeDbJit`` and d365fo.tools ``Request-D365UdeDatabaseJitAccess``).

``POST <org URL>/api/data/v9.2/msprov_getfinopssqljitaccessasync`` with ``sqljitclientipaddress``,
``sqljitrole`` (``Reader`` | ``Writer``) and ``sqljitreason`` answers ``servername``, ``databasename``,
``sqljitusername``, ``sqljitpassword``, ``sqljitexpiration``, ``sqljitrole``, ``ipaddress``, ``databasetype``
and ``operationhistoryid``. Each call creates a real PostgreSQL login (a role with a password) on the
environment's own database: Reader may read every table, Writer may also change rows and create tables.

INFERRED (no Microsoft page documents the action): the lifetime of a login (``LIFETIME``, eight hours as LCS
gives JIT access on a sandbox), the expiration's format (ISO 8601 UTC), ``servername`` as ``host,port`` (the
SQL Server convention) and what a missing client IP means (the caller's address is recorded). The emulator
records the client IP but does not filter connections by it (PostgreSQL's host rules are the test server's).

A login dies in virtual time: the ticker drops it once the emulator's clock passes its expiry, and a restore
or copy into the environment (the ``restore_applied`` / ``copy_applied`` events of pplifecycle) drops every
login issued before it, as a movement does to JIT access.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

from flask import g, jsonify, request

from ...routing import current_emulator

ACTION = "msprov_getfinopssqljitaccessasync"
LIFETIME = dt.timedelta(hours=8)  # INFERRED
ROLES = ("Reader", "Writer")
MOVEMENTS = ("restore_applied", "copy_applied")
_WRITER_GRANTS = ("GRANT INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}",
                  "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
                  "GRANT CREATE ON SCHEMA public TO {role}")


@dataclass
class JitLogin:
    role: str
    environment: str  # the environment's name (event log key)
    database: str
    expires: dt.datetime
    issued_after: int  # the event sequence when it was issued: a movement after it drops the login


class SqlJitLogins:
    """The logins issued by the action, per emulator; dropped on expiry, movement or reset."""

    def __init__(self, backend):
        self.backend = backend
        self.logins: list[JitLogin] = []
        self.issued = 0

    @property
    def manager(self):
        return self.backend.emulator.backend("databases").manager

    def issue(self, env, role: str, client_ip: str, reason: str) -> dict:
        from psycopg import sql

        manager = self.manager
        database = manager.database_name(env)
        name, password = "jit_" + uuid.uuid4().hex[:12], secrets.token_urlsafe(18)
        now = self.backend.now()
        with manager.connect(database) as conn:
            role_id = sql.Identifier(name)
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(role_id, sql.Literal(password)))
            conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role_id))
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role_id))
            conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(role_id))
            for grant in _WRITER_GRANTS if role == "Writer" else ():
                conn.execute(sql.SQL(grant).format(role=role_id))
        sequence = self.backend.record("sql_jit_access_granted", env.name, user=name, role=role, client_ip=client_ip,
                                       reason=reason)["sequence"]
        login = JitLogin(name, env.name, database, now + LIFETIME, sequence)
        self.logins.append(login)
        self.issued += 1
        return _answer(manager, env, login, password, role, client_ip)

    def sweep(self) -> None:
        """Drop the logins whose time is up or whose environment was restored or copied into since."""
        if not self.logins or self.manager is None:
            return
        now = self.backend.now()
        moved = {}
        for event in self.backend.core.events.list(service="pplifecycle"):
            if event["kind"] in MOVEMENTS:
                moved[event["environment"]] = event["sequence"]
        for login in list(self.logins):
            reason = "expired" if now >= login.expires else \
                "movement" if moved.get(login.environment, 0) > login.issued_after else ""
            if reason:
                self.drop(login)
                self.backend.record("sql_jit_access_dropped", login.environment, user=login.role, reason=reason)

    def drop(self, login: JitLogin) -> None:
        from psycopg import sql

        role_id = sql.Identifier(login.role)
        with self.manager.connect(login.database) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (login.role,))
            conn.execute(sql.SQL("REASSIGN OWNED BY {} TO CURRENT_USER").format(role_id))
            conn.execute(sql.SQL("DROP OWNED BY {}").format(role_id))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role_id))
        self.logins.remove(login)

    def forget(self) -> None:
        for login in list(self.logins):
            try:
                self.drop(login)
            except Exception:  # a reset that recreated the database took the grants with it; the role goes next
                self.logins.remove(login)


def logins(backend) -> SqlJitLogins:
    """The backend's logins (kept on it, so a new emulator starts with none)."""
    if not isinstance(backend.__dict__.get("_sql_jit"), SqlJitLogins):
        backend._sql_jit = SqlJitLogins(backend)
    return backend._sql_jit


def _answer(manager, env, login, password, role, client_ip) -> dict:
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(manager.admin_dsn)
    return {"servername": "%s,%s" % (info.get("host", "127.0.0.1"), info.get("port", 5432)),
            "databasename": login.database, "sqljitusername": login.role, "sqljitpassword": password,
            "sqljitexpiration": login.expires.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "sqljitrole": role, "ipaddress": client_ip, "databasetype": "PostgreSQL",
            "operationhistoryid": str(uuid.uuid5(uuid.NAMESPACE_URL, "jit:" + login.role))}


def _error(status, code, message):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    response.headers["OData-Version"] = "4.0"
    return response


def register(blueprint, dataverse, refused) -> None:
    """Add the action's route to the Dataverse blueprint (a static path wins over the generic resource route)."""

    @blueprint.route(f"/dataverse/<domain>/api/data/v9.2/{ACTION}", methods=["POST"])
    def sql_jit_access(domain):
        emu = current_emulator()
        try:
            with emu.lock:
                g.env = env = dataverse().environment(domain)
                scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
                organisation = {f"{base}/dataverse/{env.dataverse.domain}".lower() for base in emu.core.base_urls}
                dataverse().authorize(env, token.strip() if scheme.lower() == "bearer" else "", organisation)
                emu.core.count_mutating(env.name)
        except refused as exc:
            return _error(exc.status, exc.code, exc.message)
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _error(400, "0x80048d19", "The request body must be a JSON object.")
        role = str(body.get("sqljitrole") or "")
        if role not in ROLES:
            return _error(400, "0x80040203", f"sqljitrole must be Reader or Writer, not '{role}'.")
        if not env.unified or env.database is None or logins(dataverse()).manager is None:
            return _error(400, "0x80048d0b", "This environment has no finance and operations database of its own "
                                             "(only unified environments offer just-in-time SQL access).")
        client_ip = str(body.get("sqljitclientipaddress") or request.remote_addr or "")
        answer = logins(dataverse()).issue(env, role, client_ip, str(body.get("sqljitreason") or ""))
        response = jsonify({"@odata.context": f"{request.host_url.rstrip('/')}/dataverse/{env.dataverse.domain}"
                                              f"/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.{ACTION}Response",
                            **answer})
        response.headers["OData-Version"] = "4.0"
        return response
