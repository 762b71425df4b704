"""Start and stop PostgreSQL + the emulator in the background, for molecule, the demo and benchmarks.

    python -m devtools.services start --state-dir DIR [--world FILE] [--speed N] [--no-databases]
    python -m devtools.services stop --state-dir DIR

``start`` returns once both are ready and writes ``DIR/services.json``: base_url, ca_file, the LCS
module options for the world's first tenant/app/user/project, and per environment name its id and
ODBC connection string. ``stop`` ends exactly the processes ``start`` recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from devtools.emulator import DEFAULT_WORLD, EmulatorClient, EmulatorProcess

REPO = Path(__file__).resolve().parents[1]


def _run_pg(command: str, state_dir: Path) -> None:
    subprocess.run([sys.executable, "-m", "devtools.pgserver", command, "--state-dir", str(state_dir / "pg")],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def start(state_dir: Path, world: Path, speed: float | None, databases: bool = True) -> dict:
    state_dir.mkdir(parents=True, exist_ok=True)
    stop(state_dir)  # a left-over from an interrupted run would hold the ports and databases
    admin_dsn = None
    if databases:
        _run_pg("start", state_dir)
        admin_dsn = json.loads((state_dir / "pg" / "pg.json").read_text())["admin_dsn"]
    emulator = EmulatorProcess(world, pg_admin_dsn=admin_dsn, speed=speed, state_dir=state_dir / "emulator",
                               detached=True)
    try:
        emulator.start()
    except RuntimeError as exc:
        stop(state_dir)
        raise SystemExit(f"emulator did not start: {exc}") from exc
    info = emulator.info
    return write_services(EmulatorClient(info["base_url"], info["ca_file"], world), state_dir / "services.json")


def write_services(client: EmulatorClient, path: Path) -> dict:
    """The services file the runbook inventories read (extensions/molecule/shared/inventory.yml)."""
    services = {
        "base_url": client.base_url,
        "admin_url": client.admin_url,
        "ca_file": client.ca_file,
        "world": str(client.world_path),
        "lcs": client.lcs_module_args(),
        "environments": {
            entry["name"]: {"id": entry["id"], "type": entry.get("type"),
                            "odbc_connection_string": entry.get("odbc_connection_string")}
            for entry in client.state()["environments"]
        },
    }
    path.write_text(json.dumps(services, indent=2))
    os.chmod(path, 0o600)  # it holds the emulator's (test) passwords
    return services


def stop(state_dir: Path) -> None:
    pid_file = state_dir / "emulator" / "emulator.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text())
        try:
            os.kill(pid, signal.SIGTERM)
            for _attempt in range(300):
                os.kill(pid, 0)
                time.sleep(0.1)
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        pid_file.unlink(missing_ok=True)
    if (state_dir / "pg" / "pg.json").exists():
        _run_pg("stop", state_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.services")
    parser.add_argument("command", choices=["start", "stop"])
    parser.add_argument("--state-dir", required=True, type=Path)
    parser.add_argument("--world", type=Path, default=DEFAULT_WORLD)
    parser.add_argument("--speed", type=float, default=None)
    parser.add_argument("--no-databases", action="store_true", help="LCS only: no PostgreSQL, no F&O databases")
    args = parser.parse_args(argv)
    state_dir = args.state_dir.resolve()
    if args.command == "start":
        services = start(state_dir, args.world.resolve(), args.speed, databases=not args.no_databases)
        print(json.dumps({"base_url": services["base_url"], "services": str(state_dir / "services.json")}))
    else:
        stop(state_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
