"""Downloads backend: blob storage for exported backups, behind SAS-like URLs (``se`` expiry + HMAC
``sig``). The asset library itself (which backups exist) is the LCS backend's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from ...core import Backend
from ..databases.backend import write_bacpac


class DownloadsBackend(Backend):
    name = "downloads"

    def __init__(self, emulator, core):
        super().__init__(emulator, core)
        self.directory = emulator.state_dir / "downloads"
        self.directory.mkdir(parents=True, exist_ok=True)
        self._sas_key = secrets.token_bytes(32)

    def blob_path(self, blob_id: str) -> Path:
        return self.directory / f"{blob_id}.bacpac"

    def sas_signature(self, blob_id: str, expiry: str) -> str:
        message = f"{blob_id}\n{expiry}\nr".encode()
        return base64.b64encode(hmac.new(self._sas_key, message, hashlib.sha256).digest()).decode("ascii")

    def asset(self, asset_id: str):
        return self.emulator.backend("lcs").asset(asset_id)

    def asset_file(self, asset) -> Path:
        """The file of an asset; a backup declared by the world file gets a small bacpac on first use."""
        if asset.path is None or not asset.path.exists():
            path = self.blob_path(asset.id)
            if not path.exists():
                env = next(iter(self.world.environments()))[1]
                filler = (f"-- backup {asset.name} declared by the world file\n" * 64).encode()
                write_bacpac(path, asset.name, env, filler)
            asset.path = path
            asset.size_bytes = path.stat().st_size
        return asset.path


BACKEND = DownloadsBackend
