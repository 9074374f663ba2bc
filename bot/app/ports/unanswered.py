"""Questions the bot could not answer, kept (hashed) for staff to review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol


class UnansweredRecord(Protocol):
    id: int
    ward_id: str | None
    user_hash: str
    text: str
    outcome: str
    topic: str | None
    score: float
    created_at: dt.datetime


class UnansweredRepository(Protocol):
    async def add(
        self,
        *,
        ward_id: str | None,
        user_hash: str,
        text: str,
        outcome: str,
        topic: str | None,
        score: float,
        created_at: dt.datetime,
    ) -> None: ...

    async def recent(self, limit: int, since: dt.datetime | None = None) -> Sequence[UnansweredRecord]:
        """The newest `limit` questions (newest first), optionally only those at or after `since`."""
        ...
