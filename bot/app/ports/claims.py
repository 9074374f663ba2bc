"""Things done once per day across every instance (the admins' daily digest)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class DailyClaims(Protocol):
    async def claim(self, kind: str, day: dt.date, now: dt.datetime) -> bool:
        """Records that `kind` was done on `day`; True for exactly one caller per (kind, day)."""
        ...
