"""Learned phrasings: residents' own words for a guide, suggested by staff and accepted by a reviewer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol


class LearnedRecord(Protocol):
    id: int
    guide_id: str
    text: str
    status: str  # "pending" | "accepted" | "rejected"
    source: str  # who suggested it: "staff:<user id>", "cli"
    created_at: dt.datetime
    decided_at: dt.datetime | None


class LearnedRepository(Protocol):
    async def suggest(self, guide_id: str, text: str, source: str, now: dt.datetime) -> bool:
        """Add a pending phrasing; False if this guide already has this text (in any status)."""
        ...

    async def pending(self, limit: int = 50) -> Sequence[LearnedRecord]: ...

    async def decide(self, phrasing_id: int, status: str, now: dt.datetime) -> LearnedRecord | None:
        """Accept or reject a pending phrasing; None if there is no such pending one."""
        ...

    async def accepted(self) -> Sequence[LearnedRecord]: ...

    async def version(self) -> tuple[int, dt.datetime | None]:
        """How many phrasings are accepted and when the last decision was made: changes when the index must."""
        ...
