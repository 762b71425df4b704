# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every fo_* module shares: the connection options, opening the database, failing cleanly."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.d365fo.dataalm.plugins.module_utils import fo_sql
from ansible_collections.d365fo.dataalm.plugins.module_utils._env import env_fallback


def sql_argument_spec():
    """Options of the ``d365fo.dataalm.fo_sql`` doc fragment."""
    return dict(
        connection_string=dict(type="str", no_log=True, fallback=(env_fallback, ["FO_SQL_CONNECTION_STRING"])),
        server=dict(type="str", fallback=(env_fallback, ["FO_SQL_SERVER"])),
        database=dict(type="str", fallback=(env_fallback, ["FO_SQL_DATABASE"])),
        login_user=dict(type="str", fallback=(env_fallback, ["FO_SQL_USER"])),
        login_password=dict(type="str", no_log=True, fallback=(env_fallback, ["FO_SQL_PASSWORD"])),
        driver=dict(type="str", default=fo_sql.DEFAULT_DRIVER, fallback=(env_fallback, ["FO_SQL_DRIVER"])),
        access_token=dict(type="str", no_log=True, fallback=(env_fallback, ["FO_SQL_ACCESS_TOKEN"])),
        encrypt=dict(type="bool", default=False),
        trust_server_certificate=dict(type="bool", default=False),
        connect_timeout=dict(type="int", default=15),
        query_timeout=dict(type="int", default=0),
        environment_type=dict(type="str", choices=list(fo_sql.ENVIRONMENT_TYPES)),
        allow_production=dict(type="bool", default=False),
    )


SQL_MUTUALLY_EXCLUSIVE = [
    ("connection_string", "server"),
    ("connection_string", "access_token"),
    ("access_token", "login_password"),
]


def new_module(options, mutually_exclusive=(), **kwargs):
    """An AnsibleModule with the connection options and their exclusions plus the module's own."""
    spec = sql_argument_spec()
    spec.update(options)
    return AnsibleModule(argument_spec=spec, supports_check_mode=True,
                         mutually_exclusive=SQL_MUTUALLY_EXCLUSIVE + list(mutually_exclusive), **kwargs)


def require_pyodbc(module):
    if fo_sql.pyodbc is None:
        module.fail_json(msg=missing_required_lib("pyodbc") + " " + fo_sql.INSTALL_HINT,
                         exception=fo_sql.PYODBC_IMPORT_ERROR)


def guard(module, tier1_only_steps=()):
    """The production / Tier-1 guard; fails the module before any connection is opened."""
    try:
        fo_sql.check_environment_guard(module.params.get("environment_type"),
                                       module.params.get("allow_production"), tier1_only_steps)
    except fo_sql.GuardError as exc:
        module.fail_json(msg=str(exc), changed=False)


def open_database(module):
    require_pyodbc(module)
    try:
        db = fo_sql.Database(module.params)
        return db.open()
    except fo_sql.FoSqlError as exc:
        module.fail_json(msg=str(exc), changed=False)


def fail(module, db, exc, **result):
    """Fail with a secret-free message and what was executed so far."""
    message = db.describe_error(exc) if db is not None and not isinstance(exc, fo_sql.FoSqlError) else str(exc)
    if db is not None:
        result.setdefault("executed_statements", db.log)
        result.setdefault("changed", changed_anything(db.log))
        db.close()
    module.fail_json(msg=message, **result)


def changed_anything(log):
    """Whether any logged change statement (not a SELECT) touched rows."""
    return any(entry.get("rows") and not entry["statement"].lstrip().upper().startswith("SELECT") for entry in log)
