"""Start the emulator as a real HTTPS server process and drive its admin API (tests, benchmarks, demo).

    proc = EmulatorProcess("tests/worlds/default.yml", pg_admin_dsn=pg.admin_dsn).start()
    client = proc.client()
    client.advance(3600); client.set_faults(throttle={"route": "/environmentinfo/*", "count": 2})
    proc.stop()
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORLD = REPO / "tests" / "worlds" / "default.yml"
PP_WORLD = REPO / "tests" / "worlds" / "powerplatform.yml"  # Power Platform + Dataverse (emulator/README.md)
PP_API_SCOPE = "https://api.powerplatform.com/.default"
BAP_SCOPE = "https://service.powerapps.com//.default"
START_TIMEOUT = 600  # the first start on a fresh PostgreSQL server seeds the template databases


class EmulatorProcess:
    """One ``python -m emulator serve`` process.

    ``detached=True`` makes it outlive the Python process that started it (its own session, no
    ``--exit-with-parent``): molecule's prepare step and the demo start it and a later command stops it
    by the pid written to ``<state_dir>/emulator.pid``."""

    def __init__(self, world: str | os.PathLike = DEFAULT_WORLD, pg_admin_dsn: str | None = None,
                 speed: float | None = None, extra_args: tuple[str, ...] = (), state_dir: Path | None = None,
                 detached: bool = False):
        self.world = Path(world)
        self.pg_admin_dsn = pg_admin_dsn
        self.speed = speed
        self.extra_args = extra_args
        self.detached = detached
        self.state_dir = Path(state_dir) if state_dir else Path(tempfile.mkdtemp(prefix="emulator-test-"))
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None
        self.info: dict = {}

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "emulator", "serve", "--world", str(self.world),
               "--ready-file", str(self.state_dir / "ready.json"), "--state-dir", str(self.state_dir)]
        if not self.detached:
            cmd.append("--exit-with-parent")
        if self.pg_admin_dsn:
            cmd += ["--pg-dsn", self.pg_admin_dsn]
        if self.speed is not None:
            cmd += ["--speed", str(self.speed)]
        return cmd + list(self.extra_args)

    def start(self) -> EmulatorProcess:
        ready = self.state_dir / "ready.json"
        ready.unlink(missing_ok=True)
        log = open(self.state_dir / "emulator.log", "wb")  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen(self.command(), cwd=REPO, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=log, start_new_session=self.detached)
        if self.detached:
            (self.state_dir / "emulator.pid").write_text(str(self.process.pid))
        else:
            atexit.register(self.stop)  # also when a test run ends without its fixture teardown
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"emulator exited with {self.process.returncode}: {self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"emulator not ready after {START_TIMEOUT}s: {self.log_tail()}")
            time.sleep(0.05)
        self.info = json.loads(ready.read_text())
        return self

    def log_tail(self, chars: int = 4000) -> str:
        path = self.state_dir / "emulator.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self, timeout: float = 30) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(10)

    def client(self) -> EmulatorClient:
        return EmulatorClient(self.info["base_url"], self.info["ca_file"], self.world)


class EmulatorClient:
    """The admin side of a running emulator plus a few conveniences for tests."""

    def __init__(self, base_url: str, ca_file: str, world: str | os.PathLike = DEFAULT_WORLD):
        self.base_url = base_url
        self.admin_url = f"{base_url}/_emulator"
        self.ca_file = ca_file
        self.world_path = Path(world)
        self.world = yaml.safe_load(self.world_path.read_text())
        self.http = requests.Session()
        # REQUESTS_CA_BUNDLE in the environment would override session.verify (requests#3829)
        self.http.trust_env = False
        self.http.verify = ca_file

    # -- admin API ------------------------------------------------------------------------------------
    def _admin(self, method: str, path: str, **kwargs) -> dict:
        response = self.http.request(method, f"{self.admin_url}{path}", timeout=600, **kwargs)
        response.raise_for_status()
        return response.json()

    def state(self) -> dict:
        return self._admin("GET", "/state")

    def counters(self) -> dict:
        return self._admin("GET", "/counters")

    def events(self, environment: str | None = None, service: str | None = None, since: int = 0) -> list[dict]:
        """The event log, oldest first (see emulator/README.md, Admin API)."""
        params = {k: v for k, v in {"environment": environment, "service": service, "since": since}.items() if v}
        return self._admin("GET", "/events", params=params)["events"]

    def advance(self, seconds: float) -> dict:
        return self._admin("POST", "/clock", json={"advance_seconds": seconds})

    def set_speed(self, speed: float) -> dict:
        return self._admin("POST", "/clock", json={"speed": speed})

    def reset(self, databases: bool = True) -> dict:
        return self._admin("POST", "/reset", json={"databases": databases})

    def set_faults(self, *faults: dict, mode: str = "replace", **by_kind) -> dict:
        """``set_faults({"kind": "throttle", ...})`` or by kind: ``set_faults(throttle={...},
        token_lifetime=60, busy="contoso-uat", operation_failure={"environment": "contoso-uat"})``."""
        collected = list(faults)
        for kind, value in by_kind.items():
            for item in value if isinstance(value, list) else [value]:
                if kind == "token_lifetime" and isinstance(item, int):
                    item = {"seconds": item}
                elif isinstance(item, str):
                    item = {"environment": item}
                collected.append({"kind": kind, **item})
        return self._admin("POST", "/faults", json={"faults": collected, "mode": mode})

    def clear_faults(self) -> dict:
        return self._admin("DELETE", "/faults")

    # -- world helpers --------------------------------------------------------------------------------
    def env(self, name: str) -> dict:
        """The state entry of one environment: id, type, database, odbc_connection_string, ..."""
        for entry in self.state()["environments"]:
            if name in (entry["name"], entry["id"]):
                return entry
        raise KeyError(name)

    def lcs_module_args(self, username: str | None = None, app: str | None = None) -> dict:
        """Options for the d365fo.dataalm lcs_* modules against this emulator (first tenant/project)."""
        tenant = self.world["tenants"][0]
        user = next((u for u in tenant["users"] if u["username"] == username), tenant["users"][0])
        chosen = next((a for a in tenant["apps"] if a["name"] == app), tenant["apps"][0])
        args = {
            "client_id": chosen["client_id"],
            "username": user["username"],
            "password": user["password"],
            "tenant_id": tenant["id"],
            "authority_url": self.base_url,
            "lcs_api_url": self.base_url,
            "ca_path": self.ca_file,
            "project_id": self.world["projects"][0]["id"],
        }
        if chosen.get("secret"):
            args["client_secret"] = chosen["secret"]
        return args

    def _app(self, name: str) -> tuple[dict, dict]:
        for tenant in self.world["tenants"]:
            for app in tenant.get("apps", []):
                if app["name"] == name:
                    return tenant, app
        raise KeyError(name)

    def app_token(self, app: str = "pp-automation", scope: str = PP_API_SCOPE) -> str:
        """A client-credentials token of a world app (by name) for ``scope`` (a ``.../.default`` scope)."""
        tenant, chosen = self._app(app)
        response = self.http.post(f"{self.base_url}/{tenant['id']}/oauth2/v2.0/token", timeout=30, data={
            "grant_type": "client_credentials", "client_id": chosen["client_id"],
            "client_secret": chosen.get("secret") or "", "scope": scope})
        response.raise_for_status()
        return response.json()["access_token"]

    def dataverse_url(self, domain: str) -> str:
        """The organisation URL of a Dataverse environment (its token audience; scope = URL + "/.default")."""
        return f"{self.base_url}/dataverse/{domain}"

    def pp_module_args(self, app: str = "pp-automation") -> dict:
        """Options for the d365fo.dataalm pp_* modules against this emulator (a world app by name)."""
        tenant, chosen = self._app(app)
        args = {"client_id": chosen["client_id"], "tenant_id": tenant["id"], "authority_url": self.base_url,
                "pp_api_url": self.base_url, "bap_api_url": self.base_url, "ca_path": self.ca_file}
        if chosen.get("secret"):
            args["client_secret"] = chosen["secret"]
        return args

    def token(self, username: str | None = None, password: str | None = None, v2: bool = True) -> str:
        """An LCS access token by a plain password grant (no msal), for contract tests."""
        args = self.lcs_module_args(username)
        data = {"grant_type": "password", "client_id": args["client_id"], "username": args["username"],
                "password": password if password is not None else args["password"]}
        if v2:
            data["scope"] = f"{self.base_url}//.default"
        else:
            data["resource"] = self.base_url
        path = "oauth2/v2.0/token" if v2 else "oauth2/token"
        response = self.http.post(f"{self.base_url}/{args['tenant_id']}/{path}", data=data, timeout=30)
        response.raise_for_status()
        return response.json()["access_token"]
