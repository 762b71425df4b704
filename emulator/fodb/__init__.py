"""The emulated F&O databases: AxDB schema subset, seed generator and what LCS does on a refresh.

Public API (used by the emulator and the tests)::

    create_environment_database(admin_dsn, dbname, *, scale=1, seed=0, environment_name="", production_like=True)
    copy_database(admin_dsn, source_db, target_db)
    apply_lcs_refresh(admin_dsn, dbname)
    set_connections_allowed(admin_dsn, dbname, allowed)
    odbc_connection_string(admin_dsn, dbname)
"""

from . import identity
from .admin import (
    copy_database,
    create_environment_database,
    database_dsn,
    drop_database,
    odbc_connection_string,
    set_connections_allowed,
)
from .refresh import LCS_REFRESH_STATEMENTS, apply_lcs_refresh

__all__ = [
    "LCS_REFRESH_STATEMENTS",
    "apply_lcs_refresh",
    "copy_database",
    "create_environment_database",
    "database_dsn",
    "drop_database",
    "identity",
    "odbc_connection_string",
    "set_connections_allowed",
]
