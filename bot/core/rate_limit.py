"""Telegram's outgoing flood limits, on an injectable monotonic clock (tests move it by hand)."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    """The answer of a limiter: go now (`wait == 0`, the slot is taken), or wait `wait` seconds;
    `chat_only` means only this chat must wait (send to another one meanwhile)."""

    wait: float = 0.0
    chat_only: bool = False

    @property
    def go(self) -> bool:
        return self.wait <= 0


class RateLimiter:
    """Telegram's flood limits on an injectable monotonic clock (real time in production and the benchmark).

    A send is `reserve`d when the worker picks its row (pacing, per-chat and per-group spacing) and
    `stamp`ed into the overall one-second window just before the HTTP request, after the row is claimed
    in the database: the window then holds the moments Telegram sees, not the moments the worker chose,
    so a slow claim cannot squeeze more than the limit into one second. Reserved but unstamped sends
    count against the window too.
    """

    def __init__(
        self,
        per_second: int = 29,
        window: float = 1.0,
        pace: float = 29.0,
        per_chat_interval: float = 1.05,
        per_group: int = 20,
        group_window: float = 61.0,
        now: Callable[[], float] = time.monotonic,
        reserve: int = 5,
        reserve_hold: float = 10.0,
    ):
        self.per_second, self.window, self.spacing = per_second, window, 1.0 / pace
        # Interactive replies (issue 14): while people are chatting (an interactive send in the last
        # `reserve_hold` seconds) broadcasts keep `reserve` of the per-second budget free for them.
        self.interactive_reserve, self.reserve_hold = reserve, reserve_hold
        self._interactive_last = float("-inf")
        self.per_chat_interval, self.per_group, self.group_window = per_chat_interval, per_group, group_window
        self.now = now
        self._global: deque[float] = deque()
        self._reserved = 0
        self._next_slot = 0.0
        self._chat_last: dict[int, float] = {}
        self._chat_blocked_until: dict[int, float] = {}
        self._groups: dict[int, deque[float]] = defaultdict(deque)
        self._global_blocked_until = 0.0

    def global_delay(self, interactive: bool = False) -> float:
        now = self.now()
        g = self._global
        while g and now - g[0] >= self.window:
            g.popleft()
        limit = self.per_second
        if interactive:
            d = self._global_blocked_until - now
        else:
            d = max(self._global_blocked_until, self._next_slot) - now
            if now - self._interactive_last < self.reserve_hold:
                limit = max(1, self.per_second - self.interactive_reserve)
        busy = len(g) + self._reserved
        if busy >= limit:
            d = max(d, g[busy - limit] + self.window - now if busy - limit < len(g) else 0.001)
        return max(0.0, d)

    def chat_delay(self, chat_id: int, is_group: bool) -> float:
        now = self.now()
        d = self._chat_blocked_until.get(chat_id, 0.0) - now
        last = self._chat_last.get(chat_id)
        if last is not None:
            d = max(d, last + self.per_chat_interval - now)
        if is_group:
            w = self._groups[chat_id]
            while w and now - w[0] >= self.group_window:
                w.popleft()
            if len(w) >= self.per_group:
                d = max(d, w[0] + self.group_window - now)
        return max(0.0, d)

    def delay(self, chat_id: int, is_group: bool) -> float:
        return max(self.global_delay(), self.chat_delay(chat_id, is_group))

    def reserve(self, chat_id: int, is_group: bool) -> None:
        now = self.now()
        # Even pacing on ideal slots, so each wake-up's small lateness does not add up (at most one slot
        # of catch-up); the one-second window is the hard limit.
        self._next_slot = max(self._next_slot, now - self.spacing) + self.spacing
        self._reserved += 1
        self._chat_last[chat_id] = now
        if is_group:
            self._groups[chat_id].append(now)

    def stamp(self) -> None:
        """The reserved send is going out now."""
        self._reserved = max(0, self._reserved - 1)
        self._global.append(self.now())

    def release(self) -> None:
        """The reserved send did not happen (another worker had the row)."""
        self._reserved = max(0, self._reserved - 1)

    def take(self, chat_id: int, is_group: bool) -> None:
        self.reserve(chat_id, is_group)
        self.stamp()

    async def acquire(self, chat_id: int, is_group: bool, *, interactive: bool = False) -> Slot:
        """`SendLimiter.acquire`: reserve and stamp in one step."""
        if interactive and not is_group:
            # a reply in a private chat: Telegram lets a short burst through (a step, then its buttons);
            # only a 429 the chat got (`penalise`) holds it back
            c = max(0.0, self._chat_blocked_until.get(chat_id, 0.0) - self.now())
        else:
            c = self.chat_delay(chat_id, is_group)
        if c > 0:
            return Slot(c, chat_only=True)
        g = self.global_delay(interactive)
        if g > 0:
            return Slot(g)
        if interactive:
            self._interactive_last = self.now()
            self._reserved += 1
            self._chat_last[chat_id] = self._interactive_last
            if is_group:
                self._groups[chat_id].append(self._interactive_last)
        else:
            self.reserve(chat_id, is_group)
        self.stamp()
        return Slot()

    async def retry_after(self, chat_id: int, seconds: float, *, everyone: bool) -> None:
        self.penalise(chat_id, seconds, everyone)

    def penalise(self, chat_id: int, seconds: float, everyone: bool = False) -> None:
        until = self.now() + seconds
        self._chat_blocked_until[chat_id] = max(self._chat_blocked_until.get(chat_id, 0.0), until)
        if everyone:
            self._global_blocked_until = max(self._global_blocked_until, until)
