"""Showing screens on Zalo: numbered text, the last screen with choices kept per chat (so "2" means what
was printed), and the help desk's `Sender` for residents who write on Zalo (a staff answer from the
Telegram staff group reaches them here)."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence

from bot.adapters.db.chat_keys import ChatKeys
from bot.adapters.zalo.client import ZaloClient, ZaloError, ZaloForbidden, ZaloRateLimited
from bot.adapters.zalo.identity import CHANNEL, external_id
from bot.adapters.zalo.render import choices, render
from bot.app.helpdesk import Delivered, Delivery
from bot.app.ports import Transactions
from bot.core.i18n import Texts
from bot.core.screens import Button, Screen

log = logging.getLogger(__name__)
MAX_RETRY_WAIT = 5.0  # one short wait on "429 Quota exceeded", then the caller retries later


class LastScreens:
    """The last screen with choices shown in each chat (bounded; the oldest chat goes first).

    Kept in this process: after a restart a number falls back to the menu with a word of explanation,
    and the words ("tiếp", "quay lại", "menu", "kẹt") still work from the saved guide progress."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._screens: OrderedDict[str, Screen] = OrderedDict()

    def get(self, chat_id: str) -> Screen | None:
        return self._screens.get(chat_id)

    def put(self, chat_id: str, screen: Screen) -> None:
        if not choices(screen):  # "Đã lưu ✅" between two menus keeps the menu's numbers valid
            return
        self._screens.pop(chat_id, None)
        self._screens[chat_id] = screen
        while len(self._screens) > self.size:
            self._screens.popitem(last=False)


class ZaloOut:
    """Sends screens to one Zalo chat; reports the outcome instead of raising."""

    def __init__(self, client: ZaloClient, screens: LastScreens) -> None:
        self.client = client
        self.screens = screens

    async def typing(self, chat_id: str) -> None:
        try:
            await self.client.send_chat_action(chat_id)
        except ZaloError as e:  # only a nicety
            log.debug("zalo: typing to %s failed: %s", chat_id, e)

    async def show(self, chat_id: str, screens: Sequence[Screen], lang: str = "vi") -> Delivered:
        delivered = Delivered(Delivery.OK)
        for screen in screens:
            text = render(screen, lang)
            if not text.strip():
                continue
            delivered = await self._send(chat_id, text)
            if not delivered.ok:
                return delivered
            self.screens.put(chat_id, screen)
        return delivered

    async def _send(self, chat_id: str, text: str) -> Delivered:
        for _ in range(2):
            try:
                sent = await self.client.send_text(chat_id, text)  # split at 2,000 characters
                return Delivered(Delivery.OK, None if not sent else message_number(sent[-1].message_id))
            except ZaloRateLimited as e:
                wait = e.retry_after or 1.0
                if wait > MAX_RETRY_WAIT:
                    return Delivered(Delivery.FAILED)
                await asyncio.sleep(wait)
            except ZaloForbidden:
                return Delivered(Delivery.BLOCKED)
            except ZaloError as e:
                log.info("zalo: send to %s failed: %s", chat_id, e)
                return Delivered(Delivery.FAILED)
        return Delivered(Delivery.FAILED)


def message_number(message_id: str) -> int:
    """A Zalo message id (a string, e.g. 20 hex digits) as the positive 63-bit number our tables keep."""
    return external_id(message_id)


class ZaloDeskSender:
    """The help desk's `Sender` for Zalo residents, addressed by their `external_id`."""

    def __init__(self, out: ZaloOut, chat_keys: ChatKeys, uow: Transactions, texts: Texts) -> None:
        self.out, self.chat_keys, self.uow, self.t = out, chat_keys, uow, texts

    async def _chat(self, external_id: int) -> tuple[str | None, str]:
        key = await self.chat_keys.key_for(external_id)
        async with self.uow() as tx:
            row = await tx.users.by_external(CHANNEL, external_id)
        return key, (row.lang if row is not None and row.lang else "vi")

    async def send(
        self, chat_id: int, screen: Screen, *, thread_id: int | None = None, reply_to: int | None = None
    ) -> Delivered:
        key, lang = await self._chat(chat_id)
        if key is None:  # never wrote to the bot on Zalo: there is no chat to write to
            return Delivered(Delivery.BLOCKED)
        return await self.out.show(key, [screen], lang)

    async def copy(
        self,
        chat_id: int,
        from_chat_id: int,
        message_id: int,
        *,
        caption: str | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
        buttons: tuple[tuple[Button, ...], ...] = (),
    ) -> Delivered:
        """A file staff sent on Telegram cannot be copied to Zalo: its caption goes, with a note."""
        key, lang = await self._chat(chat_id)
        if key is None:
            return Delivered(Delivery.BLOCKED)
        text = "\n\n".join(p for p in (caption, self.t(lang, "zalo.file_not_shown")) if p)
        return await self.out.show(key, [Screen(text, buttons)], lang)

    async def create_topic(self, chat_id: int, name: str) -> Delivered:
        return Delivered(Delivery.FAILED)  # staff groups are on Telegram
