"""Consultations (lấy ý kiến): the question put to residents, and their votes.

`bot.adapters.db.consultations` satisfies these structurally. The store opens its own transaction
(`async with store() as repo:`), so this feature needs nothing added to the shared unit of work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol


class ConsultationRecord(Protocol):
    id: int
    ward_id: str
    author_id: int
    author_chat_id: int
    question: str
    options: str  # one option per line, in order; option ids are 1-based positions
    audience: str  # ward | tdp
    neighbourhoods: str  # "5,7" for a tổ audience
    closes_at: dt.datetime
    allow_change: bool
    show_results: bool
    status: str  # open | closed
    notice_id: int | None
    created_at: dt.datetime
    closed_at: dt.datetime | None


class VoteRecord(Protocol):
    consultation_id: int
    user_id: int
    option: int
    neighbourhood: str  # the voter's tổ when they voted ("" when unknown)
    voted_at: dt.datetime
    changes: int


@dataclass(frozen=True)
class NewConsultation:
    ward_id: str
    author_id: int
    author_chat_id: int
    question: str
    options: str
    audience: str
    neighbourhoods: str
    closes_at: dt.datetime
    allow_change: bool
    show_results: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class VoteCount:
    neighbourhood: str
    option: int
    votes: int


class ConsultationRepository(Protocol):
    async def add(self, new: NewConsultation) -> ConsultationRecord: ...
    async def get(self, consultation_id: int, lock: bool = False) -> ConsultationRecord | None: ...
    async def list_for_wards(self, ward_ids: Iterable[str] | None, limit: int = 20) -> Sequence[ConsultationRecord]: ...
    async def due_to_close(self, now: dt.datetime) -> Sequence[int]: ...
    async def close(self, consultation_id: int, now: dt.datetime) -> bool:
        """Mark it closed if it is still open; False when another worker closed it first."""
        ...

    async def vote_of(self, consultation_id: int, user_id: int) -> VoteRecord | None: ...
    async def person(self, user_id: int) -> tuple[int, ...]:
        """The user ids of one person: hers, and her linked user's on the other channel (bot.app.linking)."""
        ...

    async def vote_among(self, consultation_id: int, user_ids: Sequence[int]) -> VoteRecord | None:
        """The person's vote, whichever of her users cast it (the latest, if both did before linking)."""
        ...

    async def add_vote(
        self, consultation_id: int, user_id: int, option: int, neighbourhood: str, now: dt.datetime
    ) -> bool:
        """False when this person has voted already (one row per person and consultation)."""
        ...

    async def change_vote(self, consultation_id: int, user_id: int, option: int, now: dt.datetime) -> None: ...
    async def counts(self, consultation_id: int) -> Sequence[VoteCount]:
        """Per tổ and option; a linked person who voted from both channels counts once (her latest vote)."""
        ...

    async def votes(self, consultation_id: int) -> Sequence[VoteRecord]: ...


class ConsultationStore(Protocol):
    """One transaction over the consultations' tables: committed when the block ends cleanly."""

    def __call__(self) -> AbstractAsyncContextManager[ConsultationRepository]: ...


class AdultCounts(Protocol):
    """Adults per tổ of a ward, where the ward has entered them (the community teams' data); {} when unknown."""

    async def __call__(self, ward_id: str) -> dict[str, int]: ...
