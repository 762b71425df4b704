"""The emulator: the shared core plus one backend per service package (emulator/services/*).

One ``Emulator`` per server. Routes reach it through ``current_emulator()`` and a service's backend
through ``current_emulator().backend(name)``.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .core import Core


class Emulator:
    def __init__(self, world, state_dir: Path, databases=None):
        from ..services import discover

        self.world = world
        self.state_dir = Path(state_dir)
        self.database_manager = databases  # a DatabaseManager, or None: environments without databases
        self.core = Core(world)
        self.lock = self.core.lock
        self.clock = self.core.clock
        self._db_work_lock = threading.Lock()
        self.backends = {}
        self.blueprints = []
        for name, backend_class, blueprint in discover():
            self.backends[name] = backend_class(self, self.core)
            if blueprint is not None:
                self.blueprints.append(blueprint)
        self.reset(databases=False)

    def backend(self, name: str):
        return self.backends[name]

    def now(self):
        return self.core.now()

    # -- reset and time -----------------------------------------------------------------------------------
    def reset(self, databases: bool = True) -> None:
        with self.lock:
            self.core.reset()
            for backend in self.backends.values():
                backend.reset(databases)
        with self._db_work_lock:
            for backend in self.backends.values():
                backend.after_reset(databases)

    def tick(self, blocking: bool = True) -> None:
        """Carry out database work and end-of-operation effects that virtual time has made due.

        Non-blocking callers (request handlers) skip it while another thread does database work."""
        if not self._db_work_lock.acquire(blocking=blocking):
            return
        try:
            for backend in self.backends.values():
                backend.tick()
        finally:
            self._db_work_lock.release()

    def clock_changed(self) -> None:
        for backend in self.backends.values():
            backend.clock_changed()

    # -- faults -------------------------------------------------------------------------------------------
    def environment_keys(self) -> dict[str, str]:
        keys = {}
        for backend in self.backends.values():
            for key, env_id in backend.environment_keys().items():
                keys.setdefault(key, env_id)  # a name two services use stays the first one's (LCS)
        return keys

    def set_faults(self, raw_faults: list, replace: bool = True) -> None:
        previous = self.core.replace_faults(raw_faults, self.environment_keys(), replace)
        for backend in self.backends.values():
            backend.faults_changed(previous, list(self.core.faults))

    def holds_database(self, environment_id: str) -> bool:
        return any(backend.holds_database(environment_id) for backend in self.backends.values())

    # -- admin views --------------------------------------------------------------------------------------
    def counters_snapshot(self) -> dict:
        core = self.core
        with self.lock:
            counters = {"requests": {route: dict(statuses) for route, statuses in core.requests.items()}}
            for backend in self.backends.values():
                counters.update(backend.counters())
            counters.update({
                "mutating_requests": dict(core.mutating_requests),
                "throttled": {"total": sum(core.throttled.values()), **core.throttled},
                "faults_fired": dict(core.faults_fired),
            })
            return counters

    def snapshot(self) -> dict:
        with self.lock:
            state = {"world": self.world.source,
                     "clock": {"now": self.now().isoformat(), "speed": self.clock.speed}}
            for backend in self.backends.values():
                state.update(backend.snapshot())
            state["faults"] = [f.describe() for f in self.core.faults]
            return state
