"""Time is injected so schedules and expiries are testable without sleeping."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, start: dt.datetime):
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.current = start

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, **kw: float) -> dt.datetime:
        self.current += dt.timedelta(**kw)
        return self.current
