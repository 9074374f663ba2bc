"""Inbound flood control: how many updates one person sent in the last window.

The middleware asks a `FloodCounter` to count each update; past the limit it drops the update (and
answers the first dropped one). `MemoryFloodCounter` is the embedded default; with several instances
`bot.adapters.redis.flood.RedisFloodCounter` counts across all of them.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

FLOOD_LIMIT = 20  # updates per person ...
FLOOD_WINDOW = 10.0  # ... per this many seconds


class FloodCounter(Protocol):
    limit: int

    async def hit(self, user_id: int) -> int:
        """Counts one update of `user_id` and returns how many they sent within the window, this one included."""
        ...

    def clear(self) -> None:
        """Forgets everyone (a new phase of a benchmark, a test)."""
        ...


class MemoryFloodCounter:
    """A sliding window per person, in this process. Memory stays bounded: people idle for a whole
    window are forgotten (swept at most once per window)."""

    def __init__(
        self, limit: int = FLOOD_LIMIT, window: float = FLOOD_WINDOW, clock: Callable[[], float] = time.monotonic
    ):
        self.limit, self.window, self.clock = limit, window, clock
        self.hits: dict[int, deque[float]] = {}
        self._swept = clock()

    def _sweep(self, now: float) -> None:
        self._swept = now
        idle = [uid for uid, q in self.hits.items() if not q or now - q[-1] > self.window]
        for uid in idle:
            del self.hits[uid]

    async def hit(self, user_id: int) -> int:
        now = self.clock()
        if now - self._swept > self.window:
            self._sweep(now)
        q = self.hits.get(user_id)
        if q is None:
            q = self.hits[user_id] = deque()
        while q and now - q[0] > self.window:
            q.popleft()
        q.append(now)
        return len(q)

    def clear(self) -> None:
        self.hits.clear()
