"""Flask application: one blueprint per emulated service, plus request counting and HTTP faults."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.http import http_date

from .routes import admin, downloads, entra, lcs
from .state import Emulator

DROP_FLAG = "emulator.drop_connection"
log = logging.getLogger("emulator.access")


def create_app(emulator: Emulator) -> Flask:
    app = Flask("emulator")
    app.extensions["emulator"] = emulator
    app.json.sort_keys = False  # LCS clients see fields in the documented order
    app.register_blueprint(entra.blueprint)
    app.register_blueprint(lcs.blueprint)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(downloads.blueprint)
    app.before_request(_before)
    app.after_request(_after)
    return app


def emulator_of_app() -> Emulator:
    return current_app.extensions["emulator"]


def _before():
    emu = emulator_of_app()
    emu.base_urls.add(request.host_url.rstrip("/"))
    for fault in emu.http_fault(request.method, request.path):
        if fault.kind == "latency":
            time.sleep(float(fault.spec["seconds"]))
        elif fault.kind == "drop_connection":
            # the WSGI gateway (server.py) closes the socket without writing a response
            request.environ[DROP_FLAG] = True
            return Response(b"", status=500)
        elif fault.kind == "throttle":
            response = jsonify({"IsSuccess": False, "OperationActivityId": lcs.new_activity(),
                                "ErrorMessage": "Too many requests. Retry after the interval in retry-after.",
                                "VersionEOL": lcs.VERSION_EOL})
            response.status_code = 429
            response.headers["retry-after"] = str(int(fault.spec["retry_after"]))
            response.headers["activity-id"] = lcs.new_activity()
            return response
        elif fault.kind == "http_error":
            status = int(fault.spec["status"])
            response = jsonify({"Message": "An error has occurred.", "ActivityId": lcs.new_activity()})
            response.status_code = status
            response.headers["activity-id"] = lcs.new_activity()
            return response
    return None


def _after(response):
    rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    emulator_of_app().count_request(f"{request.method} {rule}", response.status_code)
    # the service's own clock, as real LCS sends it; clients use it to compare with history times
    response.headers["Date"] = http_date(emulator_of_app().now())
    # the path only: query strings carry SAS signatures, and tokens stay in headers we never log
    log.info("%s %s %s", request.method, request.path, response.status_code)
    return response
