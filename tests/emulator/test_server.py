"""The server process: ready line, HTTPS, SIGTERM, invalid world files, the seed command."""

from __future__ import annotations

import json
import subprocess
import sys

import psycopg
import requests

from devtools.emulator import REPO, EmulatorProcess


def _databases(admin_dsn) -> set[str]:
    with psycopg.connect(admin_dsn) as conn:
        return {r[0] for r in conn.execute("SELECT datname FROM pg_database")}


def test_sigterm_stops_cleanly_and_drops_its_databases(pg_server, tmp_path):
    before = _databases(pg_server.admin_dsn)
    process = EmulatorProcess(REPO / "tests" / "worlds" / "default.yml", pg_admin_dsn=pg_server.admin_dsn).start()
    info = process.info
    assert set(info) == {"base_url", "admin_url", "ca_file"} and info["base_url"].startswith("https://")
    assert info["admin_url"] == info["base_url"] + "/_emulator"
    assert json.loads((process.state_dir / "ready.json").read_text()) == info
    client = process.client()
    created = {e["database"] for e in client.state()["environments"]}
    assert created <= _databases(pg_server.admin_dsn) and not created & before
    assert process.stop() == 0
    assert not created & _databases(pg_server.admin_dsn)
    session = requests.Session()
    session.trust_env = False
    try:
        session.get(f"{info['admin_url']}/health", verify=info["ca_file"], timeout=5)
        raise AssertionError("the server still answers after SIGTERM")
    except requests.exceptions.ConnectionError:
        pass


def test_explicit_port_zero_and_no_databases(tmp_path):
    process = EmulatorProcess(REPO / "emulator" / "worlds" / "demo.yml",
                              extra_args=("--host", "127.0.0.1", "--port", "0"), speed=2).start()
    try:
        assert process.info["base_url"].startswith("https://127.0.0.1:")
        state = process.client().state()
        assert state["databases"] is False and state["clock"]["speed"] == 2
        assert state["environments"][0]["odbc_connection_string"] is None
    finally:
        assert process.stop() == 0


def test_invalid_world_fails_with_the_key_path(tmp_path):
    world = tmp_path / "bad.yml"
    world.write_text((REPO / "tests" / "worlds" / "default.yml").read_text().replace("type: Sandbox", "type: Tier2", 1))
    result = subprocess.run([sys.executable, "-m", "emulator", "serve", "--world", str(world)], cwd=REPO,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "projects[0].environments[1].type: must be one of Production, Sandbox, DevTestDev" in result.stderr


def test_seed_command(pg_server):
    result = subprocess.run([sys.executable, "-m", "emulator", "seed", "--pg-dsn", pg_server.admin_dsn,
                             "--database", "emu_seed_cli", "--scale", "1"], cwd=REPO, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["database"] == "emu_seed_cli" and summary["rows"]["USERINFO"] > 0
    assert pg_server.password not in result.stdout
    pg_server.drop_database("emu_seed_cli")


def test_seed_command_from_a_world_environment(pg_server):
    result = subprocess.run([sys.executable, "-m", "emulator", "seed", "--pg-dsn", pg_server.admin_dsn,
                             "--world", str(REPO / "tests" / "worlds" / "default.yml"), "--env", "contoso-uat"],
                            cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["database"] == "contoso_uat"
    pg_server.drop_database("contoso_uat")
    missing = subprocess.run([sys.executable, "-m", "emulator", "seed", "--pg-dsn", pg_server.admin_dsn],
                             cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert missing.returncode == 2 and "--database" in missing.stderr


def test_operations_advance_with_speed_without_polling(start_emulator):
    """The ticker moves operations on real time x speed, even when nobody asks for their status."""
    import time

    from ._lcs import PROD, UAT, Lcs

    emu = start_emulator(REPO / "tests" / "worlds" / "default.yml", databases=False, speed=7200)
    activity = Lcs(emu).refresh(PROD, UAT)["OperationActivityId"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        operation = emu.state()["operations"][0]
        if operation["status"] == "Completed":
            break
        time.sleep(0.2)
    assert operation["id"] == activity and operation["status"] == "Completed"
    assert operation["completion_date"] == operation["copy_at"]


def test_exit_with_parent(tmp_path):
    """An emulator started by a test run that dies (SIGKILL: no teardown) does not linger."""
    import signal as signals
    import time

    import psutil

    ready = tmp_path / "ready.json"
    launcher = ("import subprocess, sys, time\n"
                f"child = subprocess.Popen([sys.executable, '-m', 'emulator', 'serve', '--world', "
                f"{str(REPO / 'tests' / 'worlds' / 'default.yml')!r}, '--exit-with-parent', "
                f"'--ready-file', {str(ready)!r}], stdout=subprocess.DEVNULL)\n"
                "print(child.pid, flush=True)\n"
                "time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", launcher], cwd=REPO, stdout=subprocess.PIPE, text=True)
    child = psutil.Process(int(parent.stdout.readline()))
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ready.exists() and child.is_running()
    parent.send_signal(signals.SIGKILL)
    parent.wait(10)
    try:
        child.wait(20)
    except psutil.TimeoutExpired:
        child.kill()
        raise AssertionError("the emulator outlived its parent") from None


def test_access_log_keeps_secrets_out():
    from ._lcs import Lcs

    process = EmulatorProcess(REPO / "tests" / "worlds" / "default.yml", extra_args=("--log-level", "INFO")).start()
    try:
        client = process.client()
        lcs = Lcs(client)
        url = lcs.databases()["DatabaseAssets"][0]["FileLocation"]
        assert client.http.get(url, timeout=30).status_code == 200
    finally:
        process.stop()
    log = process.log_tail(100_000)
    assert "GET /databasemovement/v1/databases/project/1234567 200" in log
    assert "/_downloads/" in log
    for secret in ("sig=", lcs.token, "Emu-Passw0rd!"):
        assert secret not in log
