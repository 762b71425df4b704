"""Who can still sign in to a database copy (shared reference: seed 001, dataalm-2026-addendum.md section 1.3).

An LCS refresh disables every user except Admin and resets Admin to the target environment's administrator
(the person LCS deploys the environment for), so after it only that person can sign in, and an
application mapped to any other user gets 401 until that user is enabled again. A Power Platform copy
also leaves the optional ``DBMovementAPI`` user enabled when the source has it (Microsoft documents this
for the copy, SCHEDCOPY); whether an LCS refresh spares it is not stated, so the emulator spares it on a
refresh only when the world says so (``lcs.dbmovementapi_survives_refresh``).
"""

from __future__ import annotations

DBMOVEMENTAPI = "DBMovementAPI"


def disable_users(cur, keep_dbmovementapi: bool) -> int:
    keep = ("Admin", DBMOVEMENTAPI) if keep_dbmovementapi else ("Admin",)
    cur.execute("UPDATE USERINFO SET ENABLE = 0 WHERE ENABLE <> 0 AND NOT (ID = ANY(%s))", (list(keep),))
    disabled = cur.rowcount
    if keep_dbmovementapi:
        # "If it exists in the source, a copy auto-enables it in the target" (SCHEDCOPY): production may keep it
        # disabled, the copy's import still signs in as it
        cur.execute("UPDATE USERINFO SET ENABLE = 1 WHERE ID = %s AND ENABLE = 0", (DBMOVEMENTAPI,))
    return disabled


def reset_admin(cur, administrator: str) -> int:
    """Admin signs in as the target's administrator (its sign-in name); nothing when the world names none."""
    if not administrator:
        return 0
    cur.execute("UPDATE USERINFO SET NETWORKALIAS = %s, ENABLE = 1 WHERE ID = 'Admin'", (administrator,))
    return cur.rowcount


def after_copy(cur, administrator: str, keep_dbmovementapi: bool) -> dict:
    return {"users_disabled": disable_users(cur, keep_dbmovementapi), "admin_reset": reset_admin(cur, administrator)}
