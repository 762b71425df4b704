"""Flask application: the admin blueprint, one blueprint per emulated service (emulator/services/*),
plus request counting and HTTP faults."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, jsonify, request
from werkzeug.http import http_date

from .core import Emulator, admin
from .formats import VERSION_EOL, new_guid
from .routing import current_emulator

DROP_FLAG = "emulator.drop_connection"
log = logging.getLogger("emulator.access")


def create_app(emulator: Emulator) -> Flask:
    app = Flask("emulator")
    app.extensions["emulator"] = emulator
    app.json.sort_keys = False  # LCS clients see fields in the documented order
    app.register_blueprint(admin.blueprint)
    for blueprint in emulator.blueprints:
        app.register_blueprint(blueprint)
    app.before_request(_before)
    app.after_request(_after)
    return app


def _before():
    emu = current_emulator()
    emu.core.base_urls.add(request.host_url.rstrip("/"))
    for fault in emu.core.http_faults(request.method, request.path):
        if fault.kind == "latency":
            time.sleep(float(fault.spec["seconds"]))
        elif fault.kind == "drop_connection":
            # the WSGI gateway (server.py) closes the socket without writing a response
            request.environ[DROP_FLAG] = True
            return Response(b"", status=500)
        elif fault.kind in ("throttle", "http_error") and _service_fault(emu, fault) is not None:
            return _service_fault(emu, fault)
        elif fault.kind == "throttle":
            response = jsonify({"IsSuccess": False, "OperationActivityId": new_guid(),
                                "ErrorMessage": "Too many requests. Retry after the interval in retry-after.",
                                "VersionEOL": VERSION_EOL})
            response.status_code = 429
            response.headers["retry-after"] = str(int(fault.spec["retry_after"]))
            response.headers["activity-id"] = new_guid()
            return response
        elif fault.kind == "http_error":
            status = int(fault.spec["status"])
            response = jsonify({"Message": "An error has occurred.", "ActivityId": new_guid()})
            response.status_code = status
            response.headers["activity-id"] = new_guid()
            return response
    return None


def _service_fault(emu, fault):
    """The fault in the wire format of the service that owns the route, when it defines one."""
    backend = emu.backends.get(request.blueprint or "")
    status = 429 if fault.kind == "throttle" else int(fault.spec["status"])
    body = backend.http_fault_body(status) if backend is not None else None
    if body is None:
        return None
    response = jsonify(body)
    response.status_code = status
    if fault.kind == "throttle":
        response.headers["Retry-After"] = str(int(fault.spec["retry_after"]))
    return response


def _after(response):
    rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    current_emulator().core.count_request(f"{request.method} {rule}", response.status_code)
    # the service's own clock, as real LCS sends it; clients use it to compare with history times
    response.headers["Date"] = http_date(current_emulator().now())
    # the path only: query strings carry SAS signatures, and tokens stay in headers we never log
    log.info("%s %s %s", request.method, request.path, response.status_code)
    return response
