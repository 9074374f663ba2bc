"""Guide drafts: a group of unanswered questions an editor turns into a new guide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Protocol


class GuideDraftRecord(Protocol):
    id: int
    ward_id: str | None  # None: started by an admin looking at every ward
    title: str
    created_by: int | None
    created_at: dt.datetime
    status: str  # draft | exported | discarded

    @property
    def question_list(self) -> list[str]:
        """The residents' questions, most asked first."""
        ...


class GuideDraftRepository(Protocol):
    async def add(
        self, *, ward_id: str | None, title: str, questions: Sequence[str], created_by: int | None, now: dt.datetime
    ) -> GuideDraftRecord: ...

    async def get(self, draft_id: int) -> GuideDraftRecord | None: ...

    async def listed(
        self, wards: Collection[str] | None, statuses: Collection[str], limit: int
    ) -> Sequence[GuideDraftRecord]:
        """Drafts of `wards` (None: every draft) in these statuses, newest first."""
        ...
