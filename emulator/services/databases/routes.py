"""Admin view of data through time: ``GET /_emulator/databases/<environment>?as_of=<ISO instant>[&table=T]``
gives every row of a unified environment's F&O database as it was at that instant (history.py)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, request

from ...routing import current_emulator

blueprint = Blueprint("databases", __name__)


def parse_instant(text: str | None) -> dt.datetime | None:
    """An ISO 8601 instant with a zone (``Z`` or an offset); None if absent or not one."""
    try:
        value = dt.datetime.fromisoformat((text or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


@blueprint.get("/_emulator/databases/<environment>")
def rows_as_of(environment):
    emu = current_emulator()
    instant = parse_instant(request.args.get("as_of")) if "as_of" in request.args else emu.now()
    if instant is None:
        return jsonify({"error": "as_of: must be an ISO 8601 instant with a zone, e.g. 2026-03-02T08:00:00Z"}), 400
    env = next((e for e in emu.world.database_owners()
                if environment.lower() in (e.id, e.name.lower()) and getattr(e, "row_history", False)), None)
    if env is None:
        return jsonify({"error": f"environment: {environment} is no unified environment with a database"}), 404
    tables = request.args.getlist("table") or None
    rows = emu.backend("databases").rows_as_of(env, instant, tables)
    return jsonify({"environment": env.name, "as_of": instant.isoformat(), "tables": rows})
