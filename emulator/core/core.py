"""What every service shares: the world, the virtual clock, one lock, faults, counters, the event log.

Every mutation of shared or service state happens under ``lock``; slow database work runs outside it
(``Emulator.tick``), so requests never wait for a database copy.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict

from .clock import VirtualClock
from .events import EventLog
from .faults import Fault, parse_fault
from .ratelimit import SlidingWindows


class Core:
    def __init__(self, world):
        self.world = world
        self.lock = threading.RLock()
        self.clock = VirtualClock(world.start, world.speed)
        self.windows = SlidingWindows()
        self.events = EventLog()
        self.base_urls: set[str] = set()  # every base URL clients used (valid token audiences)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.clock.reset()
            self.windows.reset()
            self.events.reset()
            self.faults: list[Fault] = []
            self.token_lifetime_override: int | None = None
            self.requests = defaultdict(lambda: defaultdict(int))
            self.mutating_requests = defaultdict(int)
            self.throttled = defaultdict(int)
            self.faults_fired = defaultdict(int)

    def now(self) -> dt.datetime:
        return self.clock.now()

    # -- faults -----------------------------------------------------------------------------------------
    def replace_faults(self, raw_faults: list, environment_keys: dict[str, str], replace: bool) -> list[Fault]:
        """Parse and install; returns the previous list. Raises FaultError before changing anything."""
        parsed = [parse_fault(raw, i, environment_keys) for i, raw in enumerate(raw_faults)]
        with self.lock:
            previous = list(self.faults)
            if replace:
                self.faults = []
            self.faults.extend(parsed)
            self.token_lifetime_override = None
            for fault in self.faults:
                if fault.kind == "token_lifetime":
                    self.token_lifetime_override = fault.spec["seconds"]
            return previous

    def env_fault(self, kind: str, env_id: str) -> Fault | None:
        for fault in self.faults:
            if fault.kind == kind and fault.spec.get("environment") == env_id and (
                    fault.remaining is None or fault.remaining > 0):
                return fault
        return None

    def consume_env_fault(self, fault: Fault) -> None:
        fault.remaining -= 1
        fault.fired += 1
        self.faults_fired[fault.kind] += 1

    def http_faults(self, method: str, path: str) -> list[Fault]:
        """Faults that fire for this request (consumes their counts)."""
        fired = []
        with self.lock:
            for fault in self.faults:
                if fault.matches_request(method, path) and fault.take():
                    fired.append(fault)
                    self.faults_fired[fault.kind] += 1
        return fired

    # -- counters ---------------------------------------------------------------------------------------
    def count_request(self, route: str, status: int) -> None:
        with self.lock:
            self.requests[route][str(status)] += 1
            if status == 429:
                self.throttled[route] += 1

    def count_mutating(self, environment: str) -> None:
        """A request that would change an environment (counted even when refused: tests prove "zero")."""
        with self.lock:
            self.mutating_requests[environment] += 1
