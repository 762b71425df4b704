"""A real blob-like HTTP server on loopback for the download unit tests (no mocks of requests).

It serves one file at ``/blob?sig=<current signature>`` with ``Content-Length``, ``ETag``,
``Range``/``Content-Range`` and ``If-Match``, the way Azure Blob Storage does, and can be told to
misbehave: drop the connection after N bytes, refuse old signatures (an expired SAS), ignore
``Range``, answer an error status, or swap the file for another one (a changed blob). Every
request is recorded, so a test can check the ``Range`` headers the client sent.
"""

from __future__ import annotations

import hashlib
import random
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def content(size, seed=1):
    return random.Random(seed).randbytes(size)


class BlobServer:
    def __init__(self, data):
        self.set_data(data)
        self.signature = "s0"
        self.requests = []
        self.drops = []          # byte counts after which the next responses are cut
        self.statuses = []       # statuses to answer to the next requests
        self.ignore_range = False
        self.no_length = False
        self.expire_after_drop = False
        self.replace_after_drop = None  # new content that takes the blob's place after the next drop
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, client_address: None  # clients that hang up are expected
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def set_data(self, data):
        self.data = data
        self.etag = '"0x%s"' % hashlib.sha256(data).hexdigest()[:16].upper()
        self.sha256 = hashlib.sha256(data).hexdigest()

    def link(self):
        return "http://127.0.0.1:%d/blob?sv=2020-10-02&sr=b&sp=r&se=2099-01-01T00:00:00Z&sig=%s" % (
            self._server.server_port, self.signature)

    def rotate(self):
        """Expire every link handed out so far (the next link() is the only one accepted)."""
        self.signature = "s%d" % (int(self.signature[1:]) + 1)

    def ranges(self):
        return [r["range"] for r in self.requests if r["method"] == "GET"]

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                self._serve(body=False)

            def do_GET(self):
                self._serve(body=True)

            def _serve(self, body):
                signature = re.search(r"[?&]sig=([^&]*)", self.path)
                server.requests.append({"method": self.command, "range": self.headers.get("Range"),
                                        "if_match": self.headers.get("If-Match"),
                                        "sig": signature.group(1) if signature else None})
                if server.statuses:
                    return self._error(server.statuses.pop(0))
                if not signature or signature.group(1) != server.signature:
                    return self._error(403, "AuthenticationFailed")
                if self.headers.get("If-Match") and self.headers["If-Match"] != server.etag:
                    return self._error(412, "ConditionNotMet")
                start, status = self._start()
                if start is None:
                    return self._error(416, "InvalidRange")
                self._headers(status, start)
                if body:
                    self._body(start)

            def _start(self):
                match = re.match(r"bytes=(\d+)-$", self.headers.get("Range") or "")
                if not match or server.ignore_range:
                    return 0, 200
                start = int(match.group(1))
                return (start, 206) if start < len(server.data) else (None, 416)

            def _headers(self, status, start):
                self.send_response(status)
                if not server.no_length:
                    self.send_header("Content-Length", str(len(server.data) - start))
                if status == 206:
                    self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(server.data) - 1,
                                                                          len(server.data)))
                self.send_header("ETag", server.etag)
                self.send_header("x-ms-request-id", "req-%d" % len(server.requests))
                if server.no_length:
                    self.send_header("Connection", "close")
                self.end_headers()

            def _body(self, start):
                cut = server.drops.pop(0) if server.drops else None
                end = len(server.data) if cut is None else min(len(server.data), start + cut)
                view = memoryview(server.data)
                for position in range(start, end, 65536):
                    self.wfile.write(view[position:min(end, position + 65536)])
                if cut is not None:
                    if server.expire_after_drop:
                        server.rotate()
                    if server.replace_after_drop is not None:
                        server.set_data(server.replace_after_drop)
                        server.replace_after_drop = None
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True

            def _error(self, status, code="ServerBusy"):
                payload = ('<?xml version="1.0" encoding="utf-8"?><Error><Code>%s</Code><Message>m</Message>'
                           "</Error>" % code).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("x-ms-error-code", code)
                if status in (429, 503):
                    self.send_header("Retry-After", "7")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

        return Handler
