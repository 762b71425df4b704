"""A private PostgreSQL server for tests, molecule, benchmarks and the demo.

Each server lives in its own temporary data directory on a free loopback port, so parallel test
runs never share state, and it is never the system cluster. PostgreSQL refuses to run as root, so
when the caller is root the server runs as the ``postgres`` OS user that Debian's package creates.

Shell entry point (molecule, the demo and the Makefile use it)::

    python -m devtools.pgserver start --state-dir DIR   # prints JSON, writes DIR/pg.json
    python -m devtools.pgserver stop --state-dir DIR
"""

from __future__ import annotations

import argparse
import atexit
import glob
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "dataalm"
ODBC_DRIVER = "PostgreSQL Unicode"
_START_ATTEMPTS = 5


def _bindir() -> Path:
    """Newest installed server binaries (Debian keeps them out of PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=_version_key)
    if not candidates:
        found = shutil.which("postgres")
        if not found:
            raise RuntimeError("PostgreSQL server binaries not found: install the 'postgresql' package (make setup)")
        return Path(found).parent
    return Path(candidates[-1]).parent


def _version_key(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting for its parent."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    """Start with :meth:`start`, stop with :meth:`stop` (also registered with atexit)."""

    def __init__(self, base_dir: str | os.PathLike | None = None):
        self.base_dir = Path(base_dir) if base_dir else Path(tempfile.mkdtemp(prefix="dataalm-pg-"))
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.base_dir / "data"
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.user = SUPERUSER
        self.password = secrets.token_urlsafe(18)
        self._run_as = self._pick_os_user()
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> PgServer:
        self._initdb()
        last_error = ""
        for _attempt in range(_START_ATTEMPTS):
            self.port = _free_port()
            result = self._pg_ctl(
                "start", "-w", "-t", "60", "-l", str(self.base_dir / "server.log"),
                "-o", f"-p {self.port} -c listen_addresses={self.host} -c unix_socket_directories=''",
                check=False,
            )
            if result.returncode == 0:
                self._started = True
                atexit.register(self.stop)
                return self
            last_error = self._log_tail()  # most often: another run took the port in the meantime
        raise RuntimeError(f"PostgreSQL did not start after {_START_ATTEMPTS} attempts:\n{last_error}")

    def stop(self) -> None:
        if not self._started:
            return
        pid = self.pid
        self._pg_ctl("stop", "-m", "fast", "-w", "-t", "60", check=False)
        self._started = False
        # pg_ctl returns when the pid file is gone; the postmaster may still be exiting.
        deadline = time.monotonic() + 30
        while pid and _running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def remove(self) -> None:
        """Stop and delete the data directory."""
        self.stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)

    @property
    def pid(self) -> int | None:
        pid_file = self.data_dir / "postmaster.pid"
        try:
            return int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    # -- connection strings ----------------------------------------------------------------
    def libpq_dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}:{quote(self.password, safe='')}@{self.host}:{self.port}/{database}"

    @property
    def admin_dsn(self) -> str:
        return self.libpq_dsn("postgres")

    def odbc_connection_string(self, database: str) -> str:
        return (
            f"DRIVER={{{ODBC_DRIVER}}};Server={self.host};Port={self.port};Database={database};"
            f"Uid={self.user};Pwd={self.password};"
            # Debian's odbcinst.ini switches psqlODBC's communication log on; it would fill /tmp.
            "CommLog=0;Debug=0;"
        )

    def psql(self, sql: str, database: str = "postgres") -> str:
        env = dict(os.environ, PGPASSWORD=self.password)
        result = subprocess.run(
            [str(_bindir() / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
             "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", database, "-c", sql],
            env=env, capture_output=True, text=True, check=False,
        )
        if result.returncode:
            raise RuntimeError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def create_database(self, name: str, template: str | None = None) -> str:
        clause = f" TEMPLATE {template}" if template else ""
        self.psql(f'CREATE DATABASE "{name}"{clause}')
        return name

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def describe(self) -> dict:
        return {
            "host": self.host, "port": self.port, "user": self.user, "password": self.password,
            "admin_dsn": self.admin_dsn, "odbc_driver": ODBC_DRIVER,
            "data_dir": str(self.data_dir), "base_dir": str(self.base_dir), "pid": self.pid,
        }

    # -- internals -------------------------------------------------------------------------
    @staticmethod
    def _pick_os_user() -> str | None:
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise RuntimeError("running as root needs the 'postgres' OS user (from the postgresql package)") from exc
        return "postgres"

    def _as_server_user(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", self._run_as, "--", *argv] if self._run_as else argv

    def _initdb(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        pwfile = self.base_dir / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self._run_as:
            entry = pwd.getpwnam(self._run_as)
            os.chown(self.base_dir, entry.pw_uid, entry.pw_gid)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        os.chmod(self.base_dir, 0o700)
        os.chmod(pwfile, 0o600)
        try:
            subprocess.run(
                self._as_server_user([
                    str(_bindir() / "initdb"), "-D", str(self.data_dir), "-U", self.user,
                    f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                    "--no-sync",
                ]),
                check=True, capture_output=True, text=True,
            )
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"initdb failed: {exc.stderr.strip()}") from exc
        finally:
            pwfile.unlink(missing_ok=True)
        # Test servers trade durability for speed; nothing here must survive a crash.
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n")

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            self._as_server_user([str(_bindir() / "pg_ctl"), "-D", str(self.data_dir), *args]),
            check=check, capture_output=True, text=True,
        )

    def _log_tail(self) -> str:
        try:
            return "\n".join((self.base_dir / "server.log").read_text().splitlines()[-10:])
        except OSError:
            return "(no server log)"


# -- command line --------------------------------------------------------------------------
def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.pgserver")
    parser.add_argument("command", choices=["start", "stop"])
    parser.add_argument("--state-dir", required=True, help="directory that holds pg.json for the stop command")
    args = parser.parse_args(argv)
    state_dir = Path(args.state_dir)
    state_file = state_dir / "pg.json"

    if args.command == "start":
        # The data directory lives in its own temp dir: the state dir may be private to root.
        server = PgServer().start()
        atexit.unregister(server.stop)  # the CLI hands the server over to the caller
        info = server.describe()
        state_dir.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps(info, indent=2))
        os.chmod(state_file, 0o600)
        print(json.dumps(info))
        return 0

    if not state_file.exists():
        print(f"no server recorded in {state_file}", file=sys.stderr)
        return 0
    info = json.loads(state_file.read_text())
    server = PgServer(info["base_dir"])
    server._started = True
    server.stop()
    state_file.unlink(missing_ok=True)
    shutil.rmtree(info["base_dir"], ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
