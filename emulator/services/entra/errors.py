"""The AADSTS error of the Entra backend, rendered as Entra ID's error JSON."""

from __future__ import annotations

import datetime as dt
import uuid


class EntraError(Exception):
    """An AADSTS error; rendered as the standard AAD error JSON."""

    def __init__(self, status: int, error: str, code: int, description: str):
        super().__init__(f"AADSTS{code}: {description}")
        self.status = status
        self.error = error
        self.code = code
        self.description = description

    def body(self, now: dt.datetime) -> dict:
        trace = str(uuid.uuid4())
        return {
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.description} Trace ID: {trace} "
                                 f"Correlation ID: {uuid.uuid4()} Timestamp: {now:%Y-%m-%d %H:%M:%SZ}",
            "error_codes": [self.code],
            "timestamp": f"{now:%Y-%m-%d %H:%M:%SZ}",
            "trace_id": trace,
            "correlation_id": str(uuid.uuid4()),
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}",
        }
