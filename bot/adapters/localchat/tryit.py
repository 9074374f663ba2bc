"""The "Try it" page's three chats (bot.adapters.web.tryit) on the local chat's fake Bot API and real
dispatcher: what a person typed is kept here, what the bot sent is read back from the fake server."""

from __future__ import annotations

import time

from aiogram import Bot, Dispatcher

from bot.adapters.localchat.actors import Actor
from bot.adapters.localchat.fake_api import FakeBotAPI
from bot.adapters.web.tryit import Line, Pane

SHOWN = 30  # messages per pane

# key → (user id, name, chat id, who it is); the same people as the local chat's :demo personas
PEOPLE = {
    "resident": (1001, "Bác Lan", 1001, "Bác Lan, phường Tây Hồ"),
    "staff": (2001, "Cán bộ Hà", -1002000000001, "Cán bộ Hà trong nhóm cán bộ phường Tây Hồ"),
    "official": (3001, "Chủ tịch phường", 3001, "Chủ tịch phường, chat riêng với bot"),
}


class LocalTryIt:
    def __init__(self, fake: FakeBotAPI, dp: Dispatcher, bot: Bot) -> None:
        self.fake, self.dp, self.bot = fake, dp, bot
        self.typed: dict[str, list[tuple[float, str, int | None]]] = {k: [] for k in PEOPLE}

    def _actor(self, pane: str) -> Actor:
        user_id, name, chat_id, _ = PEOPLE[pane]
        return Actor(self.fake, self.dp, self.bot, user_id, name, chat_id)

    def panes(self) -> list[Pane]:
        out = []
        for key, (_, _, chat_id, title) in PEOPLE.items():
            lines: list[tuple[float, Line]] = [
                (at, Line(True, text, thread_id=thread)) for at, text, thread in self.typed[key]
            ]
            threads: list[int] = []
            for m in self.fake.sent:
                if m.chat_id != chat_id or m.deleted:
                    continue
                if m.thread_id and m.thread_id not in threads:
                    threads.append(m.thread_id)
                buttons = tuple(
                    (b["text"], b["callback_data"]) for row in m.buttons for b in row if "callback_data" in b
                )
                lines.append((m.at, Line(False, m.text or "…", m.message_id, m.thread_id, buttons)))
            lines.sort(key=lambda x: x[0])
            out.append(Pane(key, title, tuple(line for _, line in lines[-SHOWN:]), tuple(reversed(threads))))
        return out

    async def send(self, pane: str, text: str, thread_id: int | None = None) -> None:
        self.typed[pane].append((time.monotonic(), text, thread_id))
        await self._actor(pane).send(text, thread_id=thread_id)

    async def press(self, pane: str, data: str, message_id: int) -> None:
        chat_id = PEOPLE[pane][2]
        message = self.fake.find_message(chat_id, message_id)
        if message is None:
            return  # a button of a message that is gone: nothing to press
        await self._actor(pane).press_data(data, message)
