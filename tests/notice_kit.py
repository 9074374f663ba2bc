"""A small world for notice tests: a migrated database, residents and groups of a ward, the service and a worker."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from aiogram import Bot

from bot.adapters.db.announcements import NoticeRepo
from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.adapters.localchat.fake_api import FakeBotAPI
from bot.adapters.telegram.render import send_screens
from bot.adapters.telegram.sender import TelegramSender
from bot.app.announcements import AnnouncementService, Audience, Draft
from bot.app.delivery import DeliveryWorker, RateLimiter
from bot.app.residents import Resident, ResidentService, Role
from bot.core.clock import FixedClock
from bot.core.content import Content, load_valid_content
from bot.core.i18n import Texts
from bot.core.screens import Screen
from bot.settings import PROJECT_ROOT

WARD = "tay-ho"
_content: Content | None = None


def content() -> Content:
    global _content
    if _content is None:
        _content = load_valid_content(PROJECT_ROOT / "content")
    return _content


def fast_limiter() -> RateLimiter:
    """Limits loose enough that tests never wait in real time (used where the fake does not enforce limits)."""
    return RateLimiter(per_second=100000, per_chat_interval=0.0, per_group=100000)


@dataclass
class World:
    db: Database
    clock: FixedClock
    fake: FakeBotAPI
    bot: Bot
    residents: ResidentService
    service: AnnouncementService
    official: Resident
    notes: list[tuple[int, str]] = field(default_factory=list)

    def worker(self, limiter: RateLimiter | None = None, sender: object | None = None, **kw: object) -> DeliveryWorker:
        return DeliveryWorker(
            SqlTransactions(self.db),
            sender or TelegramSender(self.bot),
            self.service.render,
            self.clock,
            limiter=limiter or fast_limiter(),
            **kw,
        )  # type: ignore[arg-type]

    async def resident(self, uid: int, tdp: str = "5", subscribed: bool = True, ward: str = WARD) -> Resident:
        r = await self.residents.identify("telegram", uid, f"User{uid}")
        return await self.residents.update(
            r.id, ward_id=ward, neighbourhood=tdp, onboarded=True, subscribed=subscribed, lang="vi"
        )

    async def group(self, chat_id: int, tdp: str | None, ward: str = WARD) -> None:
        async with self.db.session() as s:
            await NoticeRepo(s).bind_group(chat_id, ward, tdp, f"Tổ {tdp}", None, self.clock.now())

    async def notice(self, audience: Audience = Audience.WARD, tdps: tuple[str, ...] = (), **kw: object):
        d = Draft(
            ward_id=WARD,
            text=kw.pop("text", "Thứ Bảy tiêm chủng tại trạm y tế phường."),  # type: ignore[arg-type]
            audience=audience,
            neighbourhoods=tdps,
            **kw,
        )  # type: ignore[arg-type]
        return await self.service.create(d, self.official)

    def texts_to(self, chat_id: int) -> list[str]:
        return [m.text for m in self.fake.messages_to(chat_id)]


async def make_world(db_url: str, fake: FakeBotAPI, clock: FixedClock) -> World:
    db = Database(db_url)
    await db.migrate()
    residents = ResidentService(SqlTransactions(db), clock)
    service = AnnouncementService(SqlTransactions(db), clock, Texts(), content())
    bot = Bot("42:TEST", session=_session(fake))
    official = await residents.identify("telegram", 3001, "Chủ tịch phường")
    await residents.grant(official.id, Role.OFFICIAL, WARD, None)
    official = await residents.identify("telegram", 3001, "Chủ tịch phường")
    w = World(db, clock, fake, bot, residents, service, official)

    async def notify(chat_id: int, screen: Screen) -> None:
        w.notes.append((chat_id, screen.text))
        await send_screens(bot, chat_id, [screen])

    service.notify = notify
    return w


def _session(fake: FakeBotAPI):
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    return AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))


async def close_world(w: World) -> None:
    await w.bot.session.close()
    await w.db.close()


def at(clock: FixedClock, **kw: float) -> dt.datetime:
    return clock.now() + dt.timedelta(**kw)
