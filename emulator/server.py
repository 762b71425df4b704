"""Serving: cheroot (threaded WSGI server) over TLS with a throwaway CA from ``trustme``.

msal refuses authorities that are not https, so the emulator is https-only. The CA certificate is
written to ``<state-dir>/ca.pem`` and announced in the ready line for clients (``verify=``/``ca_path``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import socket
import threading
from pathlib import Path

import trustme
from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

from .app import DROP_FLAG

log = logging.getLogger("emulator")


class _DroppingGateway(wsgi.Gateway_10):
    """A WSGI gateway that can close the connection without any response (the dropped-connection fault)."""

    def respond(self):
        response = self.req.server.wsgi_app(self.env, self.start_response)
        if self.env.get(DROP_FLAG):
            if hasattr(response, "close"):
                response.close()
            self.req.close_connection = True
            with contextlib.suppress(OSError):
                self.req.conn.socket.shutdown(socket.SHUT_RDWR)
            # cheroot must not write a status line after the socket is gone
            self.req.sent_headers = True
            return
        try:
            for chunk in filter(None, response):
                if not isinstance(chunk, bytes):
                    raise ValueError("WSGI Applications must yield bytes")
                self.write(chunk)
        finally:
            self.req.ensure_headers_sent()
            if hasattr(response, "close"):
                response.close()
        if self.env.get(DROP_FLAG):
            # a body cut short on purpose (the download_cut fault): the client must see the connection end
            self.req.close_connection = True
            with contextlib.suppress(OSError):
                self.req.conn.wfile.flush()
                self.req.conn.socket.shutdown(socket.SHUT_RDWR)


def pick_address(host: str | None, port: int | None) -> tuple[str, int]:
    """Where to listen. Explicit values win. By default a free ``127.x.y.z`` on port 443, because msal
    sends its user-realm discovery to ``https://<authority host>/common/userrealm/...`` WITHOUT the
    authority's port: only an emulator on the default https port can answer it. Without the right to
    bind 443 (not root) it falls back to a free port on 127.0.0.1."""
    if port is not None:
        return host or "127.0.0.1", port
    if host is None or host == "auto":
        for _attempt in range(50):
            candidate = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
            if _can_bind(candidate, 443):
                return candidate, 443
        return "127.0.0.1", 0
    return host, 443 if _can_bind(host, 443) else 0


def _can_bind(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def write_certificates(state_dir: Path, host: str) -> tuple[Path, Path, Path]:
    """(ca.pem, server certificate chain, server key) for the listening address, 127.0.0.1 and localhost."""
    ca = trustme.CA(organization_name="d365fo.dataalm emulator")
    cert = ca.issue_cert(*dict.fromkeys([host, "127.0.0.1", "localhost", "::1"]))
    ca_file = state_dir / "ca.pem"
    cert_file = state_dir / "server.pem"
    key_file = state_dir / "server.key"
    ca.cert_pem.write_to_path(str(ca_file))
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_file), append=True)
    cert.private_key_pem.write_to_path(str(key_file))
    os.chmod(key_file, 0o600)
    return ca_file, cert_file, key_file


class EmulatorServer:
    def __init__(self, app, emulator, host: str, port: int, state_dir: Path, threads: int = 16):
        self.emulator = emulator
        self.ca_file, cert_file, key_file = write_certificates(state_dir, host)
        self.server = wsgi.Server((host, port), app, numthreads=threads, server_name="emulator",
                                  shutdown_timeout=2)
        self.server.gateway = _DroppingGateway
        self.server.ssl_adapter = BuiltinSSLAdapter(str(cert_file), str(key_file))
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> dict:
        self.server.prepare()
        host, port = self.server.bind_addr[:2]
        shown = f"[{host}]" if ":" in host else host
        base = f"https://{shown}" if port == 443 else f"https://{shown}:{port}"
        serve = threading.Thread(target=self.server.serve, name="emulator-http", daemon=True)
        ticker = threading.Thread(target=self._tick_loop, name="emulator-ticker", daemon=True)
        self._threads = [serve, ticker]
        for thread in self._threads:
            thread.start()
        return {"base_url": base, "admin_url": f"{base}/_emulator", "ca_file": str(self.ca_file)}

    def _tick_loop(self):
        # operations advance with the clock even when nobody polls them
        while not self._stop.wait(0.2):
            try:
                self.emulator.tick(blocking=False)
            except Exception:  # keep ticking; the failure is in the log
                log.exception("tick failed")

    def stop(self) -> None:
        self._stop.set()
        self.server.stop()
        for thread in self._threads:
            thread.join(timeout=5)


def announce(info: dict, ready_file: str | None) -> None:
    line = json.dumps(info)
    if ready_file:
        tmp = Path(f"{ready_file}.tmp")
        tmp.write_text(line + "\n", encoding="utf-8")
        tmp.replace(ready_file)
    print(line, flush=True)
