"""Composition root: settings → database → content → services → dispatcher. Nothing else builds these."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage

from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.app.resident_flow import ResidentFlow
from bot.app.residents import Resident, ResidentService
from bot.app.unanswered import UnansweredLog
from bot.core.clock import Clock, SystemClock
from bot.core.content import Content, load_valid_content_cached
from bot.core.i18n import Texts
from bot.core.matching import Matcher, MatchResult
from bot.settings import CACHE_DIR, Settings

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    clock: Clock
    db: Database
    content: Content
    texts: Texts
    residents: ResidentService
    matcher: Matcher
    flow: ResidentFlow
    extra: dict[str, Any] = field(default_factory=dict)

    def deps(self) -> dict[str, Any]:
        """What handlers may ask for by name (aiogram injects by parameter name)."""
        return {
            "settings": self.settings,
            "clock": self.clock,
            "db": self.db,
            "content": self.content,
            "texts": self.texts,
            "residents": self.residents,
            "matcher": self.matcher,
            "flow": self.flow,
            **self.extra,
        }

    async def close(self) -> None:
        await self.db.close()


async def build_app(settings: Settings, clock: Clock | None = None, *, migrate: bool = True) -> App:
    """Refuses to start on invalid content (ContentError names the file and line)."""
    clock = clock or SystemClock()
    content = load_valid_content_cached(settings.content_dir, CACHE_DIR)
    db = Database(settings.database_url)
    if migrate:
        await db.migrate()
    texts = Texts()
    residents = ResidentService(SqlTransactions(db), clock, settings.admin_ids)
    matcher = Matcher.build(content.guides.values())
    unanswered = UnansweredLog(db, settings.hash_salt.get_secret_value())

    async def log_unanswered(r: Resident, result: MatchResult) -> None:
        await unanswered.record(r.ward_id, f"{r.channel}:{r.external_id}", result, clock.now())

    flow = ResidentFlow(
        db=db,
        content=content,
        matcher=matcher,
        residents=residents,
        texts=texts,
        clock=clock,
        deep_link_base=f"https://t.me/{settings.bot_username}",
        on_unanswered=log_unanswered,
    )
    app = App(
        settings=settings,
        clock=clock,
        db=db,
        content=content,
        texts=texts,
        residents=residents,
        matcher=matcher,
        flow=flow,
    )
    from bot.adapters.telegram import helpdesk  # tickets to ward staff groups: adds routers, `helpdesk`, SLA loop

    helpdesk.install(app)
    from bot.workers import notices  # ward notices: routers, `announcements`, schedule tick, delivery worker

    notices.install(app)
    return app


def make_bot(settings: Settings, token: str | None = None) -> Bot:
    session = None
    if settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url.rstrip("/")))
    return Bot(token or settings.token(), session=session, default=DefaultBotProperties(link_preview_is_disabled=True))


def make_fsm_storage(settings: Settings) -> BaseStorage:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url, state_ttl=7 * 86400, data_ttl=7 * 86400)
    return MemoryStorage()


def build_dispatcher(app: App, storage: BaseStorage | None = None, *, flood_control: bool = True) -> Dispatcher:
    """`flood_control=False` only for the local chat, whose scripts type faster than any person."""
    from bot.adapters.telegram import errors, resident
    from bot.adapters.telegram.middlewares import FloodMiddleware, IdentifyMiddleware

    dp = Dispatcher(storage=storage or MemoryStorage(), **app.deps())
    identify = IdentifyMiddleware(app.residents)
    flood = FloodMiddleware()
    for observer in (dp.message, dp.callback_query, dp.my_chat_member):
        if flood_control:
            observer.outer_middleware(flood)
        observer.outer_middleware(identify)
    # Order matters: role routers (staff, officials) come before the resident catch-alls.
    # app.extra["routers"] holds router factories added by features.
    for make_router in (errors.make_router, *app.extra.get("routers", []), resident.make_router):
        dp.include_router(make_router())
    return dp
