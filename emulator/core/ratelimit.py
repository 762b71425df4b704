"""Sliding-window rate limits in virtual time (lcs-api.md §4.1)."""

from __future__ import annotations

import math
from collections import defaultdict, deque


class SlidingWindows:
    def __init__(self):
        self._calls: dict[tuple, deque] = defaultdict(deque)

    def reset(self) -> None:
        self._calls.clear()

    def check(self, limits: list[tuple[tuple, int, float]], now: float) -> int | None:
        """``limits`` = [(key, max calls, window seconds)]. Records the call and returns None when every
        limit allows it; otherwise records nothing and returns the Retry-After seconds."""
        wait = 0.0
        for key, limit, window in limits:
            calls = self._calls[key]
            while calls and calls[0] <= now - window:
                calls.popleft()
            if len(calls) >= limit:
                wait = max(wait, calls[0] + window - now)
        if wait > 0:
            return max(1, math.ceil(wait))
        for key, _limit, _window in limits:
            self._calls[key].append(now)
        return None
