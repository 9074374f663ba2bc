"""Questions the bot could not answer, kept (hashed) for staff to review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
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

    async def recent(
        self, limit: int, since: dt.datetime | None = None, wards: Collection[str] | None = None
    ) -> Sequence[UnansweredRecord]:
        """The newest `limit` questions (newest first), optionally only those at or after `since`,
        only from `wards` (None: every ward, and questions from residents without one)."""
        ...

    async def decided(self, wards: Collection[str] | None) -> set[tuple[str | None, str]]:
        """(ward, text) of the console's decisions that apply to `wards`: theirs and those taken for
        every ward (ward None); all of them when `wards` is None."""
        ...

    async def decide(
        self,
        ward_id: str | None,
        texts: Collection[str],
        decision: str,
        guide_id: str | None,
        actor_id: int | None,
        now: dt.datetime,
    ) -> None:
        """Take these phrasings off the list of `ward_id` (None: of every ward)."""
        ...

    async def undecide(self, decision: str, guide_id: str) -> int:
        """Put the phrasings of this decision back on the list (a discarded guide draft's); how many rows."""
        ...

    async def fingerprint(self) -> tuple[int, ...]:
        """A value that changes whenever a question or a decision is added, a question removed, or a
        guide draft discarded (its decisions removed)."""
        ...
