"""The base class of a service backend (the moto layout: backend = state and rules, routes = HTTP).

A backend owns one service's state and rules and knows nothing about HTTP; its blueprint parses a
request, calls the backend and serialises the answer. Everything shared (clock, lock, faults,
counters, event log) is on ``self.core``; another service's backend is reached by name through
``self.emulator.backend(name)`` (looked up when needed, so backends need no start-up order).
"""

from __future__ import annotations

import datetime as dt

from .core import Core


class Backend:
    #: the key of this backend in ``Emulator.backends`` (the service package's name)
    name = ""

    def __init__(self, emulator, core: Core):
        self.emulator = emulator
        self.core = core
        self.world = core.world

    def now(self) -> dt.datetime:
        return self.core.now()

    def record(self, kind: str, environment: str | None = None, **details) -> dict:
        """Append a mutating event of this service to the event log."""
        return self.core.events.record(self.now(), self.name, kind, environment, **details)

    # -- hooks the emulator calls; override what the service needs --------------------------------------
    def reset(self, databases: bool) -> None:
        """Back to the world's initial state (called under ``core.lock``, after the core's own reset)."""

    def after_reset(self, databases: bool) -> None:
        """Slow work of a reset (databases), outside ``core.lock`` but under the database-work lock."""

    def tick(self) -> None:
        """Carry out work that virtual time has made due (under the database-work lock, not core.lock)."""

    def clock_changed(self) -> None:
        """The virtual clock jumped or changed speed (admin API); called outside ``core.lock``."""

    def environment_keys(self) -> dict[str, str]:
        """Names and ids (lower case) by which faults may name this service's environments -> their id."""
        return {}

    def faults_changed(self, previous: list, current: list) -> None:
        """React to a new fault list (outside ``core.lock``)."""

    def holds_database(self, environment_id: str) -> bool:
        """True while an operation of this service keeps the environment's database closed."""
        return False

    def http_fault_body(self, status: int) -> dict | None:
        """The body of an injected ``throttle`` (429) or ``http_error`` fault on this service's routes, in
        its own error format; None keeps the default (LCS-style) body."""
        return None

    def counters(self) -> dict:
        """This service's entries in ``GET /_emulator/counters``."""
        return {}

    def snapshot(self) -> dict:
        """This service's entries in ``GET /_emulator/state`` (called under ``core.lock``)."""
        return {}
