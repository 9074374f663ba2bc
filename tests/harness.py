"""The whole bot, wired as in production, against the fake Bot API over HTTP, with a hand-moved clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram import Bot, Dispatcher

from bot.adapters.localchat.actors import Actor
from bot.adapters.localchat.fake_api import FakeBotAPI
from bot.bootstrap import App, build_app, build_dispatcher, make_bot
from bot.core.clock import FixedClock
from bot.run import start_services, stop_services
from bot.settings import Settings

TOKEN = "42:TEST"
START = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # Wednesday 09:00 in Hà Nội


class Harness:
    def __init__(self, settings: Settings, fake: FakeBotAPI, clock: FixedClock):
        self.settings, self.fake, self.clock = settings, fake, clock
        self.app: App
        self.bot: Bot
        self.dp: Dispatcher

    async def start(self, services: bool = False) -> Harness:
        self.settings.telegram_api_url = self.fake.base_url
        self.app = await build_app(self.settings, self.clock)
        self.bot = make_bot(self.settings, TOKEN, self.app)
        self.dp = build_dispatcher(self.app)
        self.services = services
        if services:
            await start_services(self.app, self.bot)
        return self

    async def stop(self) -> None:
        if self.services:
            await stop_services(self.app)
        await self.bot.session.close()
        await self.app.close()

    async def restart(self) -> None:
        """A new process on the same database: nothing kept in memory survives."""
        await self.stop()
        await self.start(self.services)

    def actor(self, user_id: int = 1001, name: str = "Bác Lan", chat_id: int | None = None, **kw: Any) -> Actor:
        return Actor(self.fake, self.dp, self.bot, user_id, name, chat_id, **kw)

    async def onboarded(
        self,
        user_id: int = 1001,
        ward: str = "Tây Hồ",
        tdp: str = "5",
        subscribe: bool = True,
        lang: str = "Tiếng Việt",
        voice: str = "Bác",
    ) -> Actor:
        """A resident who went through /start → language → form of address (Vietnamese only) → ward →
        tổ dân phố → notices."""
        a = self.actor(user_id)
        await a.send("/start")
        await a.press(lang)
        if lang == "Tiếng Việt":
            await a.press(voice)
        await a.press(ward)
        await a.send(tdp)
        await a.press(
            "Có, nhận"
            if lang == "Tiếng Việt" and subscribe
            else ("Yes" if subscribe else ("Không" if lang == "Tiếng Việt" else "No"))
        )
        return a
