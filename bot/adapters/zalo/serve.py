"""Running the Zalo channel: long polling, or a webhook when a public URL and a secret are set.

`ZaloSide` is what the composition root builds once (client, chat keys, last screens, the help desk's
Zalo sender); `serve` receives updates until `stop` is set.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from bot.adapters.db.chat_keys import ChatKeys
from bot.adapters.db.db import Database
from bot.adapters.zalo.channel import ZaloChannel
from bot.adapters.zalo.client import ZaloClient
from bot.adapters.zalo.identity import CHANNEL
from bot.adapters.zalo.notices import ZaloNoticeSender
from bot.adapters.zalo.out import LastScreens, ZaloDeskSender, ZaloOut
from bot.adapters.zalo.polling import ZaloPoller
from bot.adapters.zalo.webhook import DEFAULT_PATH, ZaloWebhook
from bot.app.announcements import AnnouncementService
from bot.app.consultations import ConsultationService
from bot.app.helpdesk import HelpDesk, Sender
from bot.app.linking import Linking
from bot.app.ports import Transactions
from bot.app.resident_flow import ResidentFlow
from bot.app.residents import ResidentService
from bot.core.flood import FloodCounter
from bot.core.i18n import Texts

log = logging.getLogger(__name__)


@dataclass
class ZaloSide:
    client: ZaloClient
    chat_keys: ChatKeys
    out: ZaloOut
    desk: ZaloDeskSender  # how the help desk reaches a Zalo resident (staff answers, closing, guides)

    @classmethod
    def build(cls, token: str, api_url: str, db: Database, uow: Transactions, texts: Texts) -> ZaloSide:
        client = ZaloClient(token, api_url=api_url)
        chat_keys = ChatKeys(db, CHANNEL)
        out = ZaloOut(client, LastScreens())
        return cls(client, chat_keys, out, ZaloDeskSender(out, chat_keys, uow, texts))

    def channel(
        self,
        *,
        residents: ResidentService,
        flow: ResidentFlow,
        helpdesk: HelpDesk,
        texts: Texts,
        staff: Sender,
        flood: FloodCounter | None = None,
        announcements: AnnouncementService | None = None,
        linking: Linking | None = None,
        consultations: ConsultationService | None = None,
    ) -> ZaloChannel:
        """The update handler; `staff` reaches the Telegram staff group (tickets, admins)."""
        return ZaloChannel(
            self.out,
            residents=residents,
            flow=flow,
            helpdesk=helpdesk,
            texts=texts,
            chat_keys=self.chat_keys,
            staff=staff,
            flood=flood,
            announcements=announcements,
            linking=linking,
            consultations=consultations,
        )

    def notice_sender(self) -> ZaloNoticeSender:
        """The outbox's sender for Zalo subscribers (rows with channel "zalo")."""
        return ZaloNoticeSender(self.client, self.chat_keys, self.out.screens)


async def serve(
    channel: ZaloChannel,
    client: ZaloClient,
    stop: asyncio.Event,
    *,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    port: int = 8081,
    host: str = "0.0.0.0",  # the webhook must be reachable from Zalo's servers
) -> None:
    if webhook_url and webhook_secret:
        hook = ZaloWebhook(webhook_secret, channel.on_update)
        runner = web.AppRunner(hook.app(urlsplit(webhook_url).path or DEFAULT_PATH), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            await client.set_webhook(webhook_url, webhook_secret)
            log.info("zalo: webhook %s, listening on :%s", webhook_url, port)
            await stop.wait()
        finally:
            await runner.cleanup()
        return
    poller = ZaloPoller(client, channel.on_update)
    task = asyncio.create_task(poller.run())
    log.info("zalo: long polling")
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        poller.stop()
        stopped.cancel()
        await task  # a refused token (ZaloUnauthorized) ends polling: it is raised here
