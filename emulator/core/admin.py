"""``/_emulator``: inspect state, move the clock, set faults, read counters and events, reset."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..routing import current_emulator
from .faults import FaultError

blueprint = Blueprint("admin", __name__, url_prefix="/_emulator")


def _bad(message: str):
    response = jsonify({"error": message})
    response.status_code = 400
    return response


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@blueprint.get("/health")
def health():
    return jsonify({"ok": True})


@blueprint.get("/state")
def state():
    emu = current_emulator()
    emu.tick(blocking=False)
    return jsonify(emu.snapshot())


@blueprint.post("/clock")
def clock():
    emu = current_emulator()
    body = _body()
    try:
        if "speed" in body:
            emu.clock.set_speed(float(body["speed"]))
        if "advance_seconds" in body:
            emu.clock.advance(float(body["advance_seconds"]))
    except (TypeError, ValueError) as exc:
        return _bad(f"clock: {exc}")
    emu.clock_changed()
    # database work that the jump made due is done before answering, so tests are deterministic
    emu.tick(blocking=True)
    return jsonify({"now": emu.now().isoformat(), "speed": emu.clock.speed})


@blueprint.get("/faults")
def faults_list():
    emu = current_emulator()
    return jsonify({"faults": [f.describe() for f in emu.core.faults]})


@blueprint.post("/faults")
def faults_set():
    emu = current_emulator()
    body = _body()
    raw = body.get("faults", [])
    if not isinstance(raw, list):
        return _bad("faults: must be a list")
    mode = body.get("mode", "replace")
    if mode not in ("replace", "add"):
        return _bad("mode: must be replace or add")
    try:
        emu.set_faults(raw, replace=mode == "replace")
    except FaultError as exc:
        return _bad(str(exc))
    return jsonify({"faults": [f.describe() for f in emu.core.faults]})


@blueprint.delete("/faults")
def faults_clear():
    current_emulator().set_faults([], replace=True)
    return jsonify({"faults": []})


@blueprint.get("/counters")
def counters():
    return jsonify(current_emulator().counters_snapshot())


@blueprint.post("/reset")
def reset():
    emu = current_emulator()
    emu.reset(databases=bool(_body().get("databases", True)))
    return jsonify({"ok": True, "now": emu.now().isoformat()})


@blueprint.get("/events")
def events():
    """The event log, oldest first; ``?environment=NAME``, ``?service=NAME``, ``?since=SEQUENCE`` filter it."""
    since = request.args.get("since", "0")
    if not since.isdigit():
        return _bad("since: must be a sequence number (a non-negative integer)")
    return jsonify({"events": current_emulator().core.events.list(
        environment=request.args.get("environment"), service=request.args.get("service"), since=int(since))})
