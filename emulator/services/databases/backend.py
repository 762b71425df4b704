"""The F&O databases backend: one PostgreSQL database per emulated environment, via emulator.fodb.

Seeding is the slow part, so each distinct (scale, seed, name, production-like) database is seeded
once into a template database named by a hash of those parameters, and kept for the life of the
PostgreSQL server: an environment's database is then a fast ``CREATE DATABASE ... TEMPLATE`` copy,
and ``reset`` is just copying again. Several emulators may share one server: each gets its own
database-name prefix and an advisory lock serialises template creation.
"""

from __future__ import annotations

import glob
import hashlib
import shutil
import subprocess
import threading
import zipfile
from pathlib import Path

from ...core import Backend
from ...world import Environment, World
from . import history

_TEMPLATE_VERSION = "2"  # 2: RETAILCHANNELTABLE, seed features


def _pg_dump() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    return found[-1] if found else shutil.which("pg_dump")


class DatabaseManager:
    def __init__(self, admin_dsn: str, world: World, prefix: str):
        from ... import fodb  # psycopg is only needed when databases are used

        self.fodb = fodb
        self.admin_dsn = admin_dsn
        self.world = world
        self.prefix = prefix
        self._lock = threading.Lock()  # one administrative change at a time (CREATE DATABASE is exclusive)
        self.allowed: dict[str, bool] = {}

    # -- names --------------------------------------------------------------------------------------
    def database_name(self, env: Environment) -> str:
        return f"{self.prefix}_{env.database.name}"

    @staticmethod
    def template_name(env: Environment) -> str:
        key = f"{_TEMPLATE_VERSION}|{env.database.scale}|{env.database.seed}|{env.name}|{env.type}"
        if env.database.features is not None:
            key += "|" + ",".join(sorted(env.database.features))
        if getattr(env, "row_history", False):
            key += "|history"  # the row-history triggers are part of the template (history.sql)
        return "emu_tpl_" + hashlib.sha256(key.encode()).hexdigest()[:16]

    def odbc_connection_string(self, env: Environment) -> str:
        return self.fodb.odbc_connection_string(self.admin_dsn, self.database_name(env))

    # -- life cycle ---------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Seed missing templates, then create every environment's database from its template."""
        import psycopg

        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            for env in self.world.database_owners():
                template = self.template_name(env)
                conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (template,))
                try:
                    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (template,)).fetchone()
                    if not exists:
                        self.fodb.create_environment_database(
                            self.admin_dsn, template, scale=env.database.scale, seed=env.database.seed,
                            environment_name=env.name, production_like=env.type == "Production",
                            features=env.database.features)
                        if getattr(env, "row_history", False):
                            with self.connect(template) as template_conn:
                                history.install(template_conn)
                finally:
                    conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (template,))
        self.reset()

    def reset(self) -> None:
        with self._lock:
            for env in self.world.database_owners():
                self._copy_template(env)

    def connect(self, dbname: str):
        """A psycopg connection (autocommit) to one of the server's databases."""
        import psycopg

        return psycopg.connect(self.fodb.database_dsn(self.admin_dsn, dbname), autocommit=True)

    def history_owners(self) -> list:
        return [env for env in self.world.database_owners() if getattr(env, "row_history", False)]

    def _copy_template(self, env: Environment) -> None:
        import psycopg

        template = self.template_name(env)
        # two emulators copying the same template at once would make one of them fail: serialise
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (template,))
            try:
                self.fodb.copy_database(self.admin_dsn, template, self.database_name(env))
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (template,))
        if getattr(env, "administrator", ""):  # the environment was deployed for its administrator
            with self.connect(self.database_name(env)) as db, db.cursor() as cur:
                self.fodb.identity.reset_admin(cur, env.administrator)
        self.allowed[env.id] = True

    def drop_all(self) -> None:
        with self._lock:
            for env in self.world.database_owners():
                self.fodb.drop_database(self.admin_dsn, self.database_name(env))

    # -- effects of LCS operations -------------------------------------------------------------------
    def set_allowed(self, env: Environment, allowed: bool) -> None:
        with self._lock:
            self.fodb.set_connections_allowed(self.admin_dsn, self.database_name(env), allowed)
            self.allowed[env.id] = allowed

    def refresh(self, source: Environment, target: Environment) -> None:
        """The copy point of a refresh: copy, apply what LCS does to a sandbox, and reopen."""
        with self._lock:
            target_db = self.database_name(target)
            self.fodb.copy_database(self.admin_dsn, self.database_name(source), target_db)
            # the clean-up follows the copy at once (ALLOW_CONNECTIONS false would lock us out too)
            self.fodb.apply_lcs_refresh(self.admin_dsn, target_db, administrator=target.administrator,
                                        keep_dbmovementapi=self.world.lcs.dbmovementapi_survives_refresh)
            self.fodb.set_connections_allowed(self.admin_dsn, target_db, True)
            self.allowed[target.id] = True

    def export(self, env: Environment, destination: Path, backup_name: str) -> None:
        """Write a bacpac-like zip: Origin.xml, model.xml and a plain pg_dump of the database."""
        dump = b""
        tool = _pg_dump()
        if tool:
            completed = subprocess.run(
                [tool, "--no-owner", "--no-privileges",
                 f"--dbname={self.fodb.database_dsn(self.admin_dsn, self.database_name(env))}"],
                capture_output=True, timeout=600, check=False)
            dump = completed.stdout if completed.returncode == 0 else b""
        write_bacpac(destination, backup_name, env, dump or b"-- pg_dump unavailable\n")


def write_bacpac(destination: Path, backup_name: str, env: Environment, data: bytes) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    origin = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<DacOrigin xmlns="http://schemas.microsoft.com/sqlserver/dac/Serialization/2012/02">\n'
        f"  <PackageProperties><Version>3.0.0.0</Version><ContainsExportedData>true</ContainsExportedData>"
        f"</PackageProperties>\n  <Server><Name>emulator</Name><Database>{env.database.name}</Database></Server>\n"
        f"  <Export><BackupName>{backup_name}</BackupName><Environment>{env.name}</Environment></Export>\n"
        "</DacOrigin>\n"
    )
    model = ('<?xml version="1.0" encoding="utf-8"?>\n'
             '<DataSchemaModel FileFormatVersion="1.2" SchemaVersion="2.9" '
             'DspName="Microsoft.Data.Tools.Schema.Sql.SqlAzureV12DatabaseSchemaProvider"/>\n')
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Origin.xml", origin)
        archive.writestr("model.xml", model)
        archive.writestr(f"Data/{env.database.name}.sql", data)


class DatabasesBackend(Backend):
    """The databases of the environments, when the emulator runs with ``--pg-dsn`` (else ``enabled`` is
    False and every call is a no-op). Other services change data only through these methods, so every
    change is in the event log."""

    name = "databases"

    def __init__(self, emulator, core):
        super().__init__(emulator, core)
        self.manager: DatabaseManager | None = emulator.database_manager

    @property
    def enabled(self) -> bool:
        return self.manager is not None

    def _environment(self, env_id: str) -> Environment | None:
        return next((env for env in self.world.database_owners() if env.id == env_id), None)

    def after_reset(self, databases: bool) -> None:
        if self.manager is None:
            return
        if databases:
            self.manager.reset()
        else:
            # the data stays, the clock starts again: a new timeline begins with the data as it is
            for env in self.manager.history_owners():
                with self.manager.connect(self.manager.database_name(env)) as conn:
                    history.forget(conn)
        self.clock_changed()
        # no operation or fault holds a database any more: reopen the ones they closed
        for env_id, allowed in list(self.manager.allowed.items()):
            if not allowed:
                self.manager.set_allowed(self._environment(env_id), True)

    def faults_changed(self, previous: list, current: list) -> None:
        if self.manager is None:
            return
        before = {f.spec["environment"] for f in previous if f.kind == "database_offline"}
        after = {f.spec["environment"] for f in current if f.kind == "database_offline"}
        for env_id in after - before:
            if self._environment(env_id) is not None:
                self.set_allowed(self._environment(env_id), False, reason="fault database_offline")
        for env_id in before - after:
            if self._environment(env_id) is not None and not self.emulator.holds_database(env_id):
                self.set_allowed(self._environment(env_id), True, reason="fault database_offline cleared")

    def set_allowed(self, env: Environment, allowed: bool, reason: str) -> None:
        if self.manager is None:
            return
        self.manager.set_allowed(env, allowed)
        self.record("connections_allowed" if allowed else "connections_refused", env.name, reason=reason)

    def refresh(self, source: Environment, target: Environment) -> None:
        if self.manager is None:
            return
        self.manager.refresh(source, target)
        self.record("database_copied", target.name, source=source.name)

    def export(self, env: Environment, destination: Path, backup_name: str) -> None:
        if self.manager is None:
            write_bacpac(destination, backup_name, env, f"-- no database for {env.name}\n".encode())
            return
        self.manager.export(env, destination, backup_name)
        self.record("database_exported", env.name, backup_name=backup_name)

    def clock_changed(self) -> None:
        """Re-anchor the virtual clock inside every database that records row history."""
        if self.manager is None:
            return
        for env in self.manager.history_owners():
            with self.manager.connect(self.manager.database_name(env)) as conn:
                history.set_clock(conn, self.now(), self.core.clock.speed)

    def rows_as_of(self, env, instant, tables: list[str] | None = None) -> dict[str, list[dict]]:
        """The rows of an environment's database as they were at ``instant`` (unified environments)."""
        if self.manager is None or not getattr(env, "row_history", False):
            raise ValueError(f"environment {env.name} keeps no row history")
        with self.manager.connect(self.manager.database_name(env)) as conn:
            return history.rows_as_of(conn, instant, tables)

    def describe(self, env: Environment) -> dict:
        """The /state fields of one environment's database (None without databases)."""
        if self.manager is None:
            return {"database": None, "odbc_connection_string": None, "connections_allowed": None}
        return {"database": self.manager.database_name(env),
                "odbc_connection_string": self.manager.odbc_connection_string(env),
                "connections_allowed": self.manager.allowed.get(env.id)}

    def snapshot(self) -> dict:
        return {"databases": self.manager is not None}


BACKEND = DatabasesBackend
