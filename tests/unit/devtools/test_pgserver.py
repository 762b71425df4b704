"""The private PostgreSQL server: isolated, parallel-safe, and gone after stop."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import psutil
import pyodbc

from devtools.collection import REPO_ROOT
from devtools.pgserver import PgServer, _running


def _postmasters_for(data_dir: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if any(data_dir in part for part in cmdline):
            found.append(proc)
    return found


def test_parallel_servers_get_their_own_port_and_directory():
    with ThreadPoolExecutor(max_workers=3) as pool:
        servers = list(pool.map(lambda _: PgServer().start(), range(3)))
    try:
        assert len({s.port for s in servers}) == 3
        assert len({s.data_dir for s in servers}) == 3
        for index, server in enumerate(servers):
            server.create_database(f"only_here_{index}")
        for index, server in enumerate(servers):
            names = server.psql("SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'only_here_%'")
            assert names == f"only_here_{index}"
    finally:
        for server in servers:
            server.remove()
    for server in servers:
        assert _postmasters_for(str(server.data_dir)) == []
        assert not server.base_dir.exists()


def test_psqlodbc_driver_reaches_the_server_with_the_password_only():
    server = PgServer().start()
    try:
        with pyodbc.connect(server.odbc_connection_string("postgres"), timeout=10) as conn:
            assert conn.cursor().execute("SELECT 40 + 2").fetchone()[0] == 42
        wrong = server.odbc_connection_string("postgres").replace(server.password, "not-the-password")
        try:
            pyodbc.connect(wrong, timeout=10)
        except pyodbc.Error as exc:
            assert "password authentication failed" in str(exc)
        else:
            raise AssertionError("a wrong password was accepted")
    finally:
        server.remove()


def test_cli_start_and_stop_leave_nothing_behind(tmp_path):
    state_dir = tmp_path / "state"
    cli = [sys.executable, "-m", "devtools.pgserver"]
    started = subprocess.run([*cli, "start", "--state-dir", str(state_dir)], cwd=REPO_ROOT,
                             capture_output=True, text=True, check=True)
    info = json.loads(started.stdout)
    assert (state_dir / "pg.json").exists()
    assert psutil.pid_exists(info["pid"])
    subprocess.run([*cli, "stop", "--state-dir", str(state_dir)], cwd=REPO_ROOT, check=True)
    assert not _running(info["pid"])
    assert _postmasters_for(info["data_dir"]) == []
    assert not (state_dir / "pg.json").exists()
