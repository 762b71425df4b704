"""Fault injection, set through ``POST /_emulator/faults``.

A fault is a mapping with a ``kind`` and kind-specific keys. HTTP faults match requests by
``route`` (an fnmatch pattern on the path, default ``*``; admin routes are never faulted) and optional
``method``, and fire for the next ``count`` matching requests (default: every one) or a ``ratio`` of
them (deterministic: every 1/ratio-th request).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

HTTP_KINDS = {"throttle", "http_error", "drop_connection", "latency"}
ENV_KINDS = {"operation_failure", "busy", "quota_exhausted", "database_offline"}
# applied by the downloads service while a blob's body streams (services/downloads/backend.py)
BODY_KINDS = {"download_cut", "download_rate"}
KINDS = HTTP_KINDS | ENV_KINDS | BODY_KINDS | {"token_lifetime"}
_ALLOWED = {
    "throttle": {"route", "method", "count", "ratio", "retry_after"},
    "http_error": {"route", "method", "count", "ratio", "status"},
    "drop_connection": {"route", "method", "count", "ratio"},
    "latency": {"route", "method", "count", "ratio", "seconds"},
    "operation_failure": {"environment", "operation", "rollback", "count"},
    "busy": {"environment"},
    "quota_exhausted": {"environment"},
    "database_offline": {"environment"},
    "token_lifetime": {"seconds"},
    "download_cut": {"route", "count", "after_bytes", "expire_link"},
    "download_rate": {"route", "count", "bytes_per_second"},
}


class FaultError(ValueError):
    pass


@dataclass
class Fault:
    kind: str
    spec: dict
    remaining: int | None = None
    seen: int = 0
    fired: int = 0
    extra: dict = field(default_factory=dict)

    def describe(self) -> dict:
        return {"kind": self.kind, **self.spec, "remaining": self.remaining, "fired": self.fired}

    def matches_request(self, method: str, path: str) -> bool:
        if self.kind not in HTTP_KINDS or path.startswith("/_emulator"):
            return False
        if self.spec.get("method") and self.spec["method"].upper() != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.spec.get("route", "*"))

    def take(self) -> bool:
        """Decide whether this matching request is hit, consuming a count."""
        if self.remaining is not None and self.remaining <= 0:
            return False
        self.seen += 1
        ratio = self.spec.get("ratio")
        if ratio is not None and (self.seen * ratio) // 1 == ((self.seen - 1) * ratio) // 1:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        self.fired += 1
        return True


def parse_fault(raw: dict, index: int, environment_ids: dict[str, str]) -> Fault:
    path = f"faults[{index}]"
    if not isinstance(raw, dict) or raw.get("kind") not in KINDS:
        raise FaultError(f"{path}.kind: must be one of {', '.join(sorted(KINDS))}")
    kind = raw["kind"]
    spec = {k: v for k, v in raw.items() if k != "kind"}
    unknown = set(spec) - _ALLOWED[kind]
    if unknown:
        raise FaultError(f"{path}.{sorted(unknown)[0]}: unknown key for kind {kind}")
    if kind in ENV_KINDS:
        key = str(spec.get("environment", "")).lower()
        if key not in environment_ids:
            raise FaultError(f"{path}.environment: names no environment (use its name or id)")
        spec["environment"] = environment_ids[key]
    if "ratio" in spec and not (isinstance(spec["ratio"], (int, float)) and 0 < spec["ratio"] <= 1):
        raise FaultError(f"{path}.ratio: must be a number in (0, 1]")
    if kind == "http_error":
        spec.setdefault("status", 503)
        if not isinstance(spec["status"], int) or not 400 <= spec["status"] <= 599:
            raise FaultError(f"{path}.status: must be an HTTP error status")
    if kind == "throttle":
        spec.setdefault("retry_after", 10)
    if kind == "latency" and not isinstance(spec.get("seconds"), (int, float)):
        raise FaultError(f"{path}.seconds: is required (real seconds of added latency)")
    if kind == "token_lifetime" and not (isinstance(spec.get("seconds"), int) and spec["seconds"] > 0):
        raise FaultError(f"{path}.seconds: must be a positive integer (virtual seconds)")
    if kind == "download_cut" and not (isinstance(spec.get("after_bytes"), int) and spec["after_bytes"] >= 0):
        raise FaultError(f"{path}.after_bytes: is required (bytes of the body sent before the cut)")
    if kind == "download_rate" and not (isinstance(spec.get("bytes_per_second"), (int, float))
                                        and spec["bytes_per_second"] > 0):
        raise FaultError(f"{path}.bytes_per_second: must be a positive number")
    if kind == "operation_failure":
        spec.setdefault("operation", "any")
        spec.setdefault("rollback", "completed")
        if spec["operation"] not in ("any", "refresh", "export"):
            raise FaultError(f"{path}.operation: must be one of any, refresh, export")
        if spec["rollback"] not in ("completed", "failed", "none", "aborted"):
            raise FaultError(f"{path}.rollback: must be one of completed, failed, none, aborted")
    count = spec.pop("count", 1 if kind == "operation_failure" else None)
    if count is not None and (not isinstance(count, int) or count < 1):
        raise FaultError(f"{path}.count: must be a positive integer")
    return Fault(kind=kind, spec=spec, remaining=count)
