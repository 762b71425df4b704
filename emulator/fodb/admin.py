"""Database administration for the emulated F&O databases (psycopg 3, server-side only).

The emulator keeps one PostgreSQL database per F&O environment. Administrative work (create, copy,
block connections) needs a superuser-ish libpq DSN (``admin_dsn``, pointing at any maintenance
database such as ``postgres``); the collection itself never uses this module, it talks ODBC.
"""

from __future__ import annotations

import re
import time
from importlib import resources

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .seed import seed_statements

ODBC_DRIVER = "PostgreSQL Unicode"
_DBNAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$")


def _check_name(dbname: str) -> str:
    if not _DBNAME.match(dbname or ""):
        raise ValueError(f"invalid database name {dbname!r}: use letters, digits, '_', '-', '.' (max 63)")
    return dbname


def database_dsn(admin_dsn: str, dbname: str) -> str:
    """The admin DSN pointed at another database."""
    return make_conninfo(admin_dsn, dbname=_check_name(dbname))


def _admin(admin_dsn: str) -> psycopg.Connection:
    return psycopg.connect(admin_dsn, autocommit=True)


def schema_sql() -> str:
    return resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")


def _terminate(cur: psycopg.Cursor, dbname: str) -> None:
    cur.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (dbname,),
    )


def drop_database(admin_dsn: str, dbname: str) -> None:
    with _admin(admin_dsn) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_check_name(dbname))))


def create_empty_database(admin_dsn: str, dbname: str) -> None:
    """Drop (if present) and create ``dbname``, then load the AxDB schema."""
    drop_database(admin_dsn, dbname)
    with _admin(admin_dsn) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    with psycopg.connect(database_dsn(admin_dsn, dbname)) as conn:
        conn.execute(schema_sql())


def seed_database(admin_dsn: str, dbname: str, **options) -> dict:
    """Fill an empty schema with seed data; returns row counts of the main tables."""
    with psycopg.connect(database_dsn(admin_dsn, dbname)) as conn:
        with conn.cursor() as cur:
            for statement, params in seed_statements(**options):
                cur.execute(statement, params)
        conn.commit()
        # Fresh statistics so the planner uses RECID ranges well on large seeds.
        conn.autocommit = True
        conn.execute("ANALYZE")
        return table_counts(conn)


def table_counts(conn: psycopg.Connection) -> dict:
    counts = {}
    for table in ("USERINFO", "BATCHJOB", "BATCH", "LOGISTICSELECTRONICADDRESS", "SYSOUTGOINGEMAILTABLE"):
        counts[table] = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    return counts


def create_environment_database(admin_dsn: str, dbname: str, *, scale: int = 1, seed: int = 0,
                                environment_name: str = "", production_like: bool = True,
                                addresses: int | None = None, batch_jobs: int | None = None,
                                features=None) -> dict:
    """Create (replacing any existing) ``dbname`` with the schema and seed data.

    ``production_like`` seeds a database as production has it (real SMTP relay, Exchange as batch
    mailer, dual-write linked to the production Dataverse org); ``False`` seeds a sandbox's own
    settings instead (its own relay, SMTP mailer, its own Dataverse org).
    """
    create_empty_database(admin_dsn, dbname)
    return seed_database(admin_dsn, dbname, scale=scale, seed=seed, environment_name=environment_name,
                         production_like=production_like, addresses=addresses, batch_jobs=batch_jobs,
                         features=features)


def copy_database(admin_dsn: str, source_db: str, target_db: str, attempts: int = 10) -> None:
    """Replace ``target_db`` by a copy of ``source_db`` (CREATE DATABASE ... TEMPLATE).

    PostgreSQL refuses a template that has other sessions, so sessions on the source are ended
    first; a client that reconnects in between makes us retry a few times.
    """
    _check_name(source_db)
    _check_name(target_db)
    if source_db == target_db:
        raise ValueError("source and target database are the same")
    drop_database(admin_dsn, target_db)
    last_error: Exception | None = None
    with _admin(admin_dsn) as conn, conn.cursor() as cur:
        for attempt in range(attempts):
            _terminate(cur, source_db)
            try:
                cur.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(target_db), sql.Identifier(source_db)))
                return
            except psycopg.errors.ObjectInUse as exc:
                last_error = exc
                time.sleep(0.1 * (attempt + 1))
    raise RuntimeError(f"could not copy {source_db} to {target_db}: {last_error}")


def set_connections_allowed(admin_dsn: str, dbname: str, allowed: bool) -> None:
    """Allow or refuse new connections; refusing also ends the existing sessions."""
    with _admin(admin_dsn) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
            sql.Identifier(_check_name(dbname)), sql.SQL("true" if allowed else "false")))
        if not allowed:
            _terminate(cur, dbname)


def odbc_connection_string(admin_dsn: str, dbname: str) -> str:
    """psqlODBC connection string for ``dbname`` with the admin DSN's host, port and credentials."""
    info = conninfo_to_dict(admin_dsn)
    return (
        f"DRIVER={{{ODBC_DRIVER}}};Server={info.get('host', '127.0.0.1')};Port={info.get('port', 5432)};"
        f"Database={_check_name(dbname)};Uid={info.get('user', '')};Pwd={info.get('password', '')};"
        # Debian's odbcinst.ini switches psqlODBC's communication log on; keep /tmp clean.
        "CommLog=0;Debug=0;"
    )
