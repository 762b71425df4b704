"""Plain-HTTP LCS caller for the contract tests (no collection code)."""

from __future__ import annotations

import requests

PROJECT = 1234567
PROD = "11111111-1111-4111-8111-111111111111"
UAT = "22222222-2222-4222-8222-222222222222"
TEST = "33333333-3333-4333-8333-333333333333"
DEV = "44444444-4444-4444-8444-444444444444"
VERSION_EOL = "9999-12-31T23:59:59.9999999"


class Lcs:
    def __init__(self, emulator, username: str | None = None):
        self.emulator = emulator
        self.base = emulator.base_url
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = emulator.ca_file
        self.username = username
        self.renew()

    def renew(self):
        self.token = self.emulator.token(self.username)

    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        headers.setdefault("Authorization", f"Bearer {token or self.token}")
        return self.http.request(method, f"{self.base}{path}", headers=headers, timeout=60, **kwargs)

    def ok(self, method: str, path: str, **kwargs) -> dict:
        response = self.call(method, path, **kwargs)
        assert response.status_code == 200, (response.status_code, response.text)
        body = response.json()
        assert body["VersionEOL"] == VERSION_EOL
        return body

    # -- routes -------------------------------------------------------------------------------------
    def refresh(self, source: str, target: str, project: int = PROJECT) -> dict:
        return self.ok("POST", f"/databasemovement/v1/refresh/project/{project}/source/{source}/target/{target}")

    def export(self, env: str, name: str, project: int = PROJECT) -> dict:
        return self.ok("POST", f"/databasemovement/v1/export/project/{project}/environment/{env}/backupName/{name}")

    def status(self, env: str, activity: str, project: int = PROJECT) -> dict:
        return self.ok("GET", f"/databasemovement/v1/fetchstatus/project/{project}/environment/{env}"
                              f"/operationactivity/{activity}")

    def databases(self, project: int = PROJECT) -> dict:
        return self.ok("GET", f"/databasemovement/v1/databases/project/{project}")

    def detail(self, query: str = "", project: int = PROJECT) -> requests.Response:
        return self.call("GET", f"/environmentinfo/v1/detail/project/{project}/{query}")

    def history(self, env: str, query: str = "", project: int = PROJECT) -> requests.Response:
        return self.call("GET", f"/environmentinfo/v1/history/project/{project}/environment/{env}/{query}")
