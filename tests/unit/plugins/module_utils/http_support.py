"""A real, scripted HTTP server on loopback for the LCS core unit tests (no mocks of requests).

Each test queues responses per path; the server records every request it saw. Werkzeug serves it in
a thread, so the client under test goes through real sockets, real HTTP parsing and real timeouts.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import defaultdict, deque

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

DROP = "drop"  # a scripted reply that closes the connection without answering


class ScriptedServer:
    def __init__(self, tls_dir=None):
        self.replies = defaultdict(deque)
        self.default = {}
        self.requests = []
        ssl_context = None
        self.ca_file = None
        if tls_dir is not None:
            self.ca_file, key_file = make_self_signed(tls_dir)
            ssl_context = (self.ca_file, key_file)
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, ssl_context=ssl_context)
        scheme = "https" if ssl_context else "http"
        self.base_url = "%s://127.0.0.1:%d" % (scheme, self._server.server_port)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def queue(self, path, status=200, body=None, headers=None, times=1):
        for _repeat in range(times):
            self.replies[path].append((status, body, headers or {}))

    def always(self, path, status=200, body=None, headers=None):
        self.default[path] = (status, body, headers or {})

    def calls(self, path=None, method=None):
        return [r for r in self.requests
                if (path is None or r["path"] == path) and (method is None or r["method"] == method)]

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    @Request.application
    def _app(self, request):
        path = request.path
        self.requests.append({"method": request.method, "path": path, "args": dict(request.args),
                              "headers": dict(request.headers), "body": request.get_data(as_text=True)})
        if self.replies[path]:
            status, body, headers = self.replies[path].popleft()
        elif path in self.default:
            status, body, headers = self.default[path]
        else:
            status, body, headers = 404, {"Message": "no scripted reply for %s" % path}, {}
        if status == DROP:
            # close the socket under the client: a dropped connection
            request.environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR) if "werkzeug.socket" in request.environ \
                else None
            raise ConnectionAbortedError("scripted drop")
        payload = body if isinstance(body, str) else json.dumps(body if body is not None else {})
        return Response(payload, status=status, headers=headers, content_type="application/json")


def make_self_signed(directory):
    """A self-signed certificate for 127.0.0.1 (msal only talks to https authorities)."""
    import datetime
    import ipaddress
    import os

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file = os.path.join(str(directory), "cert.pem")
    key_file = os.path.join(str(directory), "key.pem")
    with open(cert_file, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return cert_file, key_file
