"""The event log: an ordered record of every mutating event, per environment.

Each event gets a sequence number that is global to the emulator (so events of different
environments can be ordered too) and the virtual time it happened at. Tests read it through
``GET /_emulator/events`` to assert *order* ("the target closed before the copy, reopened after"),
which counters cannot show.
"""

from __future__ import annotations

import datetime as dt
import threading


class EventLog:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._events: list[dict] = []
            self._sequence = 0

    def record(self, now: dt.datetime, service: str, kind: str, environment: str | None = None, **details) -> dict:
        """Append one event. ``environment`` is the environment's name (what tests and people use)."""
        with self._lock:
            self._sequence += 1
            event = {"sequence": self._sequence, "time": now.isoformat(), "service": service, "kind": kind,
                     "environment": environment, **details}
            self._events.append(event)
            return event

    def list(self, environment: str | None = None, service: str | None = None, since: int = 0) -> list[dict]:
        with self._lock:
            return [dict(e) for e in self._events
                    if e["sequence"] > since
                    and (environment is None or e["environment"] == environment)
                    and (service is None or e["service"] == service)]
