"""What the use cases need from the outside world, as Protocols: no framework, no SQL.

A use case asks for a *unit of work* (one transaction) and reaches every repository through it:

    async with self.uow() as tx:
        user = await tx.users.get(user_id)
        user.subscribed = True          # records are plain attribute bags; changes are saved on exit

`bot.adapters.db.uow.SqlUnitOfWork` implements it on SQLAlchemy (SQLite or PostgreSQL); the
composition root (`bot.bootstrap`) hands it to the use cases. One module per area holds that
area's repository and record protocols.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.app.ports.claims import DailyClaims
from bot.app.ports.console import ConsoleRepository
from bot.app.ports.drafts import GuideDraftRepository
from bot.app.ports.learning import LearnedRepository
from bot.app.ports.linking import LinkRepository
from bot.app.ports.notices import NoticeRepository
from bot.app.ports.replies import ReplyRepository
from bot.app.ports.stats import StatsRepository
from bot.app.ports.tickets import StaffGroupRepository, TicketRepository
from bot.app.ports.unanswered import UnansweredRepository
from bot.app.ports.usage import UsageRepository
from bot.app.ports.users import ProgressRepository, UserRepository
from bot.app.ports.wards import WardOverrideRepository


class UnitOfWork(Protocol):
    """One transaction: committed when the `async with` block ends cleanly, rolled back on any error."""

    # read-only: an implementation may hold more specific repository types
    @property
    def users(self) -> UserRepository: ...
    @property
    def progress(self) -> ProgressRepository: ...
    @property
    def tickets(self) -> TicketRepository: ...
    @property
    def staff_groups(self) -> StaffGroupRepository: ...
    @property
    def notices(self) -> NoticeRepository: ...
    @property
    def unanswered(self) -> UnansweredRepository: ...
    @property
    def learned(self) -> LearnedRepository: ...
    @property
    def usage(self) -> UsageRepository: ...
    @property
    def stats(self) -> StatsRepository: ...
    @property
    def console(self) -> ConsoleRepository: ...
    @property
    def replies(self) -> ReplyRepository: ...
    @property
    def claims(self) -> DailyClaims: ...
    @property
    def links(self) -> LinkRepository: ...
    @property
    def drafts(self) -> GuideDraftRepository: ...
    @property
    def ward_overrides(self) -> WardOverrideRepository: ...

    async def flush(self) -> None:
        """Send pending changes (ids of new records become known) without committing."""

    async def refresh(self, record: object) -> None:
        """Reload a record from the database (after a conditional UPDATE by another statement)."""


class Transactions(Protocol):
    """Opens units of work: `async with transactions() as tx: ...`."""

    def __call__(self) -> AbstractAsyncContextManager[UnitOfWork]: ...


__all__ = [
    "ConsoleRepository",
    "DailyClaims",
    "GuideDraftRepository",
    "LearnedRepository",
    "LinkRepository",
    "NoticeRepository",
    "ProgressRepository",
    "ReplyRepository",
    "StaffGroupRepository",
    "StatsRepository",
    "TicketRepository",
    "Transactions",
    "UnansweredRepository",
    "UnitOfWork",
    "UsageRepository",
    "UserRepository",
    "WardOverrideRepository",
]
