"""The whole bot with its Zalo channel, as in production: the fake Telegram Bot API for staff, the fake
Zalo Bot API for residents, Zalo updates delivered to our webhook (with the secret header) by the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.adapters.localchat.fake_zalo import FakeZaloAPI, ZaloSent
from bot.adapters.telegram.desk_sender import DeskSender
from bot.adapters.zalo.channel import ZaloChannel
from bot.adapters.zalo.webhook import DEFAULT_PATH, ZaloWebhook
from bot.bootstrap import zalo_channel
from tests.conftest import make_settings
from tests.harness import Harness

SECRET = "phuong-tay-ho-2026"


class ZaloResident:
    """A resident on Zalo: what she types goes to the bot through the fake Zalo server's webhook call."""

    def __init__(self, zalo: FakeZaloAPI, chat_id: str, name: str = "Bác Hoa") -> None:
        self.zalo, self.chat_id, self.name = zalo, chat_id, name

    async def say(self, text: str) -> list[str]:
        """Her message; the texts the bot sent her in answer (the webhook call returns when it is handled)."""
        before = len(self.zalo.messages_to(self.chat_id))
        status = await self.zalo.deliver(self.zalo.make_update(self.chat_id, text, display_name=self.name))
        assert status == 200, status
        return [m.text for m in self.zalo.messages_to(self.chat_id)[before:]]

    async def photo(self, url: str) -> list[str]:
        before = len(self.zalo.messages_to(self.chat_id))
        update = self.zalo.make_update(self.chat_id, photo_url=url, display_name=self.name)
        assert await self.zalo.deliver(update) == 200
        return [m.text for m in self.zalo.messages_to(self.chat_id)[before:]]

    @property
    def last(self) -> ZaloSent:
        return self.zalo.last_to(self.chat_id)

    async def onboard(self, ward: str = "1", tdp: str = "5") -> list[str]:
        """First words → language (1 = Tiếng Việt) → form of address (1 = Bác) → ward → tổ dân phố →
        notices (1 = yes)."""
        out = await self.say("xin chào")
        assert "1. 🇻🇳 Tiếng Việt" in out[-1], out
        out = await self.say("1")
        assert "1. ✅ Bác" in out[-1], out
        out = await self.say("1")
        assert "🏘" in out[-1], out
        await self.say(ward)
        out = await self.say(tdp)
        assert "thông báo" in out[-1], out
        return await self.say("1")


@asynccontextmanager
async def zalo_bot(
    sqlite_url: str, fake: object, clock: object, zalo: FakeZaloAPI, **settings_kw: object
) -> AsyncIterator[tuple[Harness, ZaloChannel]]:
    """The harness with ZALO_BOT_TOKEN set and the Zalo webhook listening; (harness, channel)."""
    settings = make_settings(sqlite_url, zalo_bot_token=zalo.token, zalo_api_url=zalo.base_url, **settings_kw)
    h = await Harness(settings, fake, clock).start()  # type: ignore[arg-type]
    channel = zalo_channel(h.app, DeskSender(h.bot))
    hook = ZaloWebhook(SECRET, channel.on_update)
    runner = web.AppRunner(hook.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    assert h.app.zalo is not None
    await h.app.zalo.client.set_webhook(f"http://127.0.0.1:{port}{DEFAULT_PATH}", SECRET)
    try:
        yield h, channel
    finally:
        await runner.cleanup()
        await h.stop()
