"""The unit of work on SQLAlchemy: one session, one transaction, every repository bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.db.announcements import NoticeRepo
from bot.adapters.db.claims import DailyClaimRepo
from bot.adapters.db.db import Database
from bot.adapters.db.drafts import GuideDraftRepo
from bot.adapters.db.learning import LearnedRepo
from bot.adapters.db.linking import LinkRepo
from bot.adapters.db.replies import ReplyRepo
from bot.adapters.db.stats import StatsRepo
from bot.adapters.db.tickets import StaffGroupRepo, TicketRepo
from bot.adapters.db.unanswered import UnansweredRepo
from bot.adapters.db.usage import UsageRepo
from bot.adapters.db.users import ProgressRepo, UserRepo
from bot.adapters.db.wards import WardOverrideRepo
from bot.adapters.db.web import ConsoleRepo


class SqlUnitOfWork:
    """Implements `bot.app.ports.UnitOfWork`. Repositories are thin wrappers over the one session."""

    def __init__(self, session: AsyncSession):
        self.session = session
        self.users = UserRepo(session)
        self.progress = ProgressRepo(session)
        self.tickets = TicketRepo(session)
        self.staff_groups = StaffGroupRepo(session)
        self.notices = NoticeRepo(session)
        self.unanswered = UnansweredRepo(session)
        self.learned = LearnedRepo(session)
        self.usage = UsageRepo(session)
        self.stats = StatsRepo(session)
        self.console = ConsoleRepo(session)
        self.replies = ReplyRepo(session)
        self.claims = DailyClaimRepo(session)
        self.links = LinkRepo(session)
        self.drafts = GuideDraftRepo(session)
        self.ward_overrides = WardOverrideRepo(session)

    async def flush(self) -> None:
        await self.session.flush()

    async def refresh(self, record: object) -> None:
        await self.session.refresh(record)


class SqlTransactions:
    """Implements `bot.app.ports.Transactions` on a `Database`."""

    def __init__(self, db: Database):
        self.db = db

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.session() as s:
            yield SqlUnitOfWork(s)
