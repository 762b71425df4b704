"""Plain-HTTP caller of the emulated Power Platform API, BAP and Dataverse, for the contract tests."""

from __future__ import annotations

import requests

from devtools.emulator import BAP_SCOPE

API_VERSION = "2024-10-01"
# environments of tests/worlds/powerplatform.yml
CONTOSO_PROD = "a1000000-0000-4000-8000-000000000001"
CONTOSO_UAT = "a1000000-0000-4000-8000-000000000002"
CONTOSO_TEST_INITIAL = "a1000000-0000-4000-8000-000000000003"
FABRIKAM_PROD = "b2000000-0000-4000-8000-000000000001"
FABRIKAM_UAT = "b2000000-0000-4000-8000-000000000002"
FABRIKAM_DEV = "b2000000-0000-4000-8000-000000000003"
POWERAPPS_PROD = "b2000000-0000-4000-8000-000000000004"
TRIAL = "b2000000-0000-4000-8000-000000000005"
BAP = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments"


class Pp:
    def __init__(self, emulator, app: str = "pp-automation", token: str | None = None):
        self.emulator = emulator
        self.base = emulator.base_url
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = emulator.ca_file
        self.app = app
        self.token = token or emulator.app_token(app)

    def call(self, method: str, path: str, api_version: str | None = API_VERSION, token: str | None = None,
             params: dict | None = None, **kwargs) -> requests.Response:
        params = dict(params or {})
        if api_version is not None:
            params.setdefault("api-version", api_version)
        headers = kwargs.pop("headers", {})
        headers.setdefault("Authorization", f"Bearer {token or self.token}")
        return self.http.request(method, f"{self.base}{path}", params=params, headers=headers, timeout=60, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, (response.status_code, response.text)
        return response.json() if response.content else None

    def env(self, env_id: str) -> dict:
        return self.ok("GET", f"/environmentmanagement/environments/{env_id}")

    def backups(self, env_id: str, token: str | None = None) -> list[dict]:
        """Every page of an environment's backups."""
        found, params = [], {}
        while True:
            page = self.ok("GET", f"/environmentmanagement/environments/{env_id}/backups", params=params)
            found += page["collection"]
            if not page["continuationToken"]:
                return found
            params = {"continuationToken": page["continuationToken"]}

    def bap(self, method: str, env_id: str, **kwargs) -> requests.Response:
        return self.call(method, f"{BAP}/{env_id}", api_version="2021-04-01",
                         token=self.emulator.app_token(self.app, scope=BAP_SCOPE), **kwargs)
