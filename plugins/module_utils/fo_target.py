# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prove that a connection reaches this target's database, and keep the run state inside it.

Run state lives in the target database itself, in a table the collection owns (``DATAALMSTATE``,
rows NAME/VALUE): the LCS environment the clean-up was for, the movement (generation) that produced
the copy, and whether its clean-up is under way or verified. A movement replaces the whole database
and with it this state; any controller (a laptop, another CI agent, an AWX node) reads the same
state. Our own table rather than an F&O parameter table, because no kernel or application code reads
or rewrites it, and its values are not bound to a kernel column type.

Proof of identity, in order: the server and database names recorded with the target's snapshot
before the movement must equal what the connection reaches now; a database that carries this
environment's marker is the target's; after a movement the copy must look like what LCS leaves
(every user but Admin and service accounts disabled, every waiting, executing, ready or cancelling batch
job withheld; Scheduled jobs survive a refresh), so a live database
with enabled users is never mistaken for a fresh copy. Anything else is refused, unless the user
confirms by naming the very database the connection reaches.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.rules import same_environment
from ansible_collections.d365fo.dataalm.plugins.module_utils.fo_sql import FoSqlError

STATE_TABLE = "DATAALMSTATE"
CREATE_STATE_TABLE = "CREATE TABLE DATAALMSTATE (NAME VARCHAR(60) NOT NULL PRIMARY KEY, VALUE VARCHAR(400) NOT NULL)"
STATE_TABLE_EXISTS = "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE UPPER(TABLE_NAME) = 'DATAALMSTATE'"
READ_STATE = "SELECT NAME, VALUE FROM DATAALMSTATE"
MARKER_KEYS = {"ENVIRONMENTID": "environment_id", "GENERATION": "generation", "STATE": "state",
               "UPDATEDAT": "updated_at"}
CLEANING, VERIFIED = "cleaning", "verified"


class RefusedError(FoSqlError):
    """The connection cannot be proven to reach this target's database."""


# -- identity from a connection string (no connection needed) ----------------------------------------
def _odbc_pairs(conn_str):
    pairs = {}
    for match in re.finditer(r"\s*([^=;]+?)\s*=\s*(\{(?:[^}]|\}\})*\}|[^;]*)", conn_str or ""):
        pairs[match.group(1).strip().upper()] = match.group(2).strip("{} ")
    return pairs


def parse_identity(conn_str):
    """``server[:port]/database`` named by an ODBC string, lower-cased; None when it names none."""
    pairs = _odbc_pairs(conn_str)
    server = (pairs.get("SERVER") or pairs.get("ADDRESS") or pairs.get("DATA SOURCE") or "").lower()
    server = re.sub(r"^tcp:", "", server).replace(",", ":")
    database = (pairs.get("DATABASE") or pairs.get("INITIAL CATALOG") or "").lower()
    if not server or not database:
        return None
    port = pairs.get("PORT")
    return "%s%s/%s" % (server, (":" + port) if port and ":" not in server else "", database)


def shared_with(own_conn_str, others):
    """Names of the other hosts (or the source) configured with the same database as this one."""
    own = parse_identity(own_conn_str)
    return sorted(name for name, conn_str in (others or {}).items() if own and parse_identity(conn_str) == own)


# -- what the database says ---------------------------------------------------------------------------
def read_marker(db):
    if not db.scalar(STATE_TABLE_EXISTS):
        return {}
    rows = db.rows(READ_STATE)
    return {MARKER_KEYS[name.upper()]: value for name, value in rows if name.upper() in MARKER_KEYS}


def observe(db):
    users = cleanup.STEPS["disable_users"].actions({"keep_users": []})[0]
    observed = db.identity()
    observed["marker"] = read_marker(db)
    observed["enabled_users"] = db.count(users.table, users.where, users.params)
    # only what an LCS copy never holds: Scheduled jobs survive the refresh, so they cannot tell a copy from a live
    # database (the application layer's run_state.observe counts the same statuses)
    held = ", ".join(str(value) for value in cleanup.LCS_HELD_BATCH_STATUS_VALUES)
    observed["active_batch_jobs"] = db.count("BATCHJOB", "STATUS IN (%s)" % held)
    return observed


def write_marker(db, environment_id, generation, state):
    values = {"ENVIRONMENTID": environment_id, "GENERATION": generation or "", "STATE": state,
              "UPDATEDAT": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    create = not db.scalar(STATE_TABLE_EXISTS)

    def unit(cursor):
        if create:
            db.execute(cursor, CREATE_STATE_TABLE)
        for name, value in values.items():
            db.execute(cursor, "DELETE FROM DATAALMSTATE WHERE NAME = ?", [name])
            db.execute(cursor, "INSERT INTO DATAALMSTATE (NAME, VALUE) VALUES (?, ?)", [name, value])

    db.run_unit(unit)
    db.record("INSERT INTO DATAALMSTATE (NAME, VALUE) VALUES (?, ?)", sorted(values.items()), rows=len(values))
    return {MARKER_KEYS[k]: v for k, v in values.items()}


# -- the decision -------------------------------------------------------------------------------------
DEFAULT_NAMES = {"connection": "connection_string", "confirm": "confirm_database", "force": "force",
                 "environment": "environment_id",
                 "snapshot_dir": "snapshot_path", "restore_items": "restore_items"}


def _reached(observed):
    return "database %s on server %s" % (observed["database"], observed["server"])


def _confirmed(observed, request):
    wanted = (request.get("confirm_database") or "").strip().lower()
    return bool(wanted) and wanted == observed["database"].lower()


def _fix(observed, request):
    names = request["names"]
    return ("Check that %s of %s points at %s's database and fix it; only if it really is that database, confirm "
            "it with %s: %s" % (names["connection"], request.get("host") or "this host", _label(request),
                                names["confirm"], observed["database"]))


def _label(request):
    return request.get("environment_name") or request["environment_id"]


def _check_expected(observed, request):
    expected = request.get("expected") or {}
    if not expected.get("database"):
        return
    if (expected.get("server"), expected.get("database")) != (observed["server"], observed["database"]):
        raise RefusedError("The connection reaches %s, but the snapshot taken before the movement recorded database "
                           "%s on server %s. %s." % (_reached(observed), expected.get("database"),
                                                     expected.get("server"), _fix(observed, request)))


def decide(observed, request):
    """``proven`` (before a movement), ``clean`` or ``verified`` (after one); RefusedError otherwise."""
    confirmed = _confirmed(observed, request)
    if not confirmed:
        _check_expected(observed, request)
    marker = observed["marker"]
    # the marker keeps the id as the run that cleaned wrote it; a user may type it upper-case or without dashes
    own = same_environment(marker.get("environment_id"), request["environment_id"])
    if request["purpose"] == "movement":
        if own or confirmed:
            return "proven"
        other = marker.get("environment_id")
        raise RefusedError(
            "Nothing proves that %s is %s's: %s. %s." % (
                _reached(observed), _label(request),
                "it carries the clean-up marker of environment %s, so it is that environment's database or a copy "
                "of it" % other if other else "it carries no marker of a clean-up of %s" % _label(request),
                _fix(observed, request)))
    same_copy = marker.get("generation") == (request.get("generation") or marker.get("generation"))
    if own and marker.get("state") == VERIFIED and same_copy and not request.get("force"):
        return "verified"
    if own and ((marker.get("state") == CLEANING and same_copy) or request.get("force")):
        return "clean"
    # A confirmation adopts a database the collection never marked; it never re-opens a copy it cleaned.
    if (not observed["enabled_users"] and not observed["active_batch_jobs"]) or (confirmed and not own):
        return "clean"
    raise RefusedError(
        "%s has %d enabled user(s) besides Admin and service accounts and %d batch job(s) waiting or running, and %s: "
        "it is not a fresh copy (a movement leaves every user but Admin disabled and those batch jobs withheld), so it "
        "may be a live database. %s.%s" % (
            _reached(observed).capitalize(), observed["enabled_users"], observed["active_batch_jobs"],
            "its last clean-up was of copy %s" % marker.get("generation") if own else
            "no clean-up of %s has begun in it" % _label(request), _fix(observed, request),
            " To clean a copy this collection already cleaned again, set %s: true." % request["names"]["force"]
            if own else ""))
