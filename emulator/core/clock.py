"""The virtual clock: every time the emulator reasons about (token expiry, operation phases, quotas,
rate-limit windows, SAS expiry) is virtual time, so a 24-hour refresh can pass in seconds.

virtual_now = start + (real elapsed since start) * speed + everything added by ``advance``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time


class VirtualClock:
    def __init__(self, start: dt.datetime | None = None, speed: float = 1.0):
        self._lock = threading.Lock()
        self._configure(start, speed)

    def _configure(self, start: dt.datetime | None, speed: float) -> None:
        self.initial_start = start
        self.initial_speed = speed
        self._anchor_virtual = start or dt.datetime.now(dt.UTC)
        self._anchor_real = time.monotonic()
        self._speed = speed

    def now(self) -> dt.datetime:
        with self._lock:
            elapsed = (time.monotonic() - self._anchor_real) * self._speed
            return self._anchor_virtual + dt.timedelta(seconds=elapsed)

    def timestamp(self) -> float:
        return self.now().timestamp()

    @property
    def speed(self) -> float:
        return self._speed

    def advance(self, seconds: float) -> dt.datetime:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._anchor_virtual += dt.timedelta(seconds=seconds)
        return self.now()

    def set_speed(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        current = self.now()
        with self._lock:
            self._anchor_virtual = current
            self._anchor_real = time.monotonic()
            self._speed = speed

    def reset(self) -> None:
        with self._lock:
            self._configure(self.initial_start, self.initial_speed)
