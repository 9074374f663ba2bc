"""Residents' use of the guides, one row per event, kept under a pseudonymous key (no user id)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class UsageRepository(Protocol):
    async def add(
        self,
        *,
        kind: str,
        funnel: str | None,
        user_key: int,
        ward_id: str | None,
        neighbourhood: str | None,
        guide_id: str | None,
        step: int | None,
        at: dt.datetime,
        day: dt.date,
    ) -> None:
        """One event, written in the caller's transaction (one statement, no read)."""
        ...
