"""Home visits' storage: team groups, visit requests, visit logs, targets per tổ (see bot.app.visits)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.app.ports.tickets import StaffGroupRepository
from bot.app.ports.users import UserRepository


class TeamGroupRecord(Protocol):
    chat_id: int
    ward_id: str
    tos: str  # comma-separated tổ dân phố it covers; "" = every tổ of the ward
    active: bool
    bound_at: dt.datetime


class VisitRecord(Protocol):
    id: int
    resident_id: int
    ward_id: str
    to: str
    description: str
    day_part: str
    day_kind: str
    phone: str
    status: str
    team_chat_id: int | None
    card_message_id: int | None
    taker_id: int | None
    visit_at: dt.datetime | None
    created_at: dt.datetime
    taken_at: dt.datetime | None
    done_at: dt.datetime | None
    reminded_at: dt.datetime | None
    rating: int | None


class VisitLogRecord(Protocol):
    id: int
    request_id: int
    ward_id: str
    to: str
    household_id: int
    member_id: int | None
    apps: str
    skills: str
    smartphone: bool
    epay: bool
    note: str
    created_at: dt.datetime


class ToTargetRecord(Protocol):
    ward_id: str
    to: str
    households: int
    adults: int


class VisitRepository(Protocol):
    async def bind_team(self, chat_id: int, ward_id: str, tos: str, now: dt.datetime) -> TeamGroupRecord: ...
    async def team(self, chat_id: int) -> TeamGroupRecord | None: ...
    async def move_team(self, old_chat_id: int, new_chat_id: int) -> bool:
        """The group's new id after it became a supergroup: its binding and its requests follow."""
        ...

    async def deactivate_team(self, chat_id: int) -> None:
        """The bot left or was removed: no new cards go there."""
        ...

    async def teams(self, ward_id: str) -> Sequence[TeamGroupRecord]:
        """The ward's active team groups, the most recently bound first."""
        ...

    async def create(self, **values: object) -> VisitRecord: ...
    async def get(self, request_id: int, *, lock: bool = False) -> VisitRecord | None: ...
    async def of_resident(self, resident_id: int) -> Sequence[VisitRecord]:
        """Her requests that are still going on, oldest first."""
        ...

    async def move(self, request_id: int, from_status: Sequence[str], **values: object) -> bool:
        """A conditional UPDATE: True only for the one caller that changed the row from one of `from_status`."""
        ...

    async def unrouted(self, ward_id: str) -> Sequence[VisitRecord]:
        """Open requests of the ward that found no group to go to, oldest first."""
        ...

    async def route(self, request_id: int, chat_id: int) -> bool:
        """Gives an unrouted request to a group; True for the one caller that did."""
        ...

    async def due_reminders(self, before: dt.datetime) -> Sequence[VisitRecord]:
        """Open requests created before `before` that were never reminded."""
        ...

    async def claim_reminder(self, request_id: int, now: dt.datetime) -> bool: ...
    async def add_log(self, **values: object) -> VisitLogRecord: ...
    async def logs(self, ward_id: str) -> Sequence[VisitLogRecord]: ...
    async def requests(self, ward_id: str) -> Sequence[VisitRecord]: ...
    async def targets(self, ward_id: str) -> Sequence[ToTargetRecord]: ...
    async def replace_targets(self, ward_id: str, rows: Sequence[tuple[str, int, int]]) -> None: ...
    async def ward_targets(self, ward_id: str) -> tuple[int, int] | None:
        """(smartphone %, e-payment %) set for the ward, or None for the defaults."""
        ...

    async def set_ward_targets(self, ward_id: str, smartphone: int, epay: int) -> None: ...
    async def claim_digest(self, ward_id: str, week: str) -> bool:
        """Marks the ward's weekly progress message for `week` (e.g. 2026-W48) as sent; True for one caller."""
        ...

    async def self_reports(self, ward_id: str) -> Sequence[tuple[int, str | None, str, dt.datetime]]:
        """(user id, her tổ, guide id, when) for every guide a resident of the ward said worked."""
        ...


class VisitUnitOfWork(Protocol):
    @property
    def visits(self) -> VisitRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def staff_groups(self) -> StaffGroupRepository: ...


class VisitTransactions(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[VisitUnitOfWork]: ...
