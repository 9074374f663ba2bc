"""People in a conversation with the bot: they type, press buttons and send stickers.

An Actor builds the update Telegram would deliver and feeds it to the real Dispatcher;
whatever the bot answers goes over HTTP to the FakeBotAPI, where the Actor reads it back.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from aiogram import Bot, Dispatcher

from bot.adapters.localchat.fake_api import FakeBotAPI, Sent

_update_ids = itertools.count(1)
_callback_ids = itertools.count(1)


STICKER: dict[str, Any] = {  # a sticker as Telegram sends it
    "file_id": "stk",
    "file_unique_id": "stk",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}


class Actor:
    def __init__(
        self,
        fake: FakeBotAPI,
        dp: Dispatcher,
        bot: Bot,
        user_id: int,
        name: str = "Bác Lan",
        chat_id: int | None = None,
        language_code: str = "vi",
    ):
        self.fake, self.dp, self.bot = fake, dp, bot
        self.user_id = user_id
        self.name = name
        self.chat_id = chat_id if chat_id is not None else user_id
        self.language_code = language_code

    def in_chat(self, chat_id: int) -> Actor:
        """The same person, writing in another chat (a group)."""
        return Actor(self.fake, self.dp, self.bot, self.user_id, self.name, chat_id, self.language_code)

    @property
    def user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": self.name, "language_code": self.language_code}

    def _message(self, **extra: Any) -> dict[str, Any]:
        msg = {
            "message_id": next(self.fake._msg_ids[self.chat_id]),
            "date": int(time.time()),
            "chat": self.fake._chat(self.chat_id),
            "from": self.user,
        }
        if self.chat_id > 0:
            msg["chat"] = {"id": self.chat_id, "type": "private", "first_name": self.name}
        msg.update(extra)
        return msg

    async def _feed(self, update: dict[str, Any]) -> list[Sent]:
        before = len(self.fake.sent)
        await self.dp.feed_raw_update(self.bot, {"update_id": next(_update_ids), **update})
        return [m for m in self.fake.sent[before:] if m.chat_id == self.chat_id]

    async def send(
        self, text: str, *, thread_id: int | None = None, reply_to: Sent | dict[str, Any] | None = None
    ) -> list[Sent]:
        extra: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            extra["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if thread_id is not None:
            extra["message_thread_id"] = thread_id
            extra["is_topic_message"] = True
        if reply_to is not None:
            extra["reply_to_message"] = self._as_message(reply_to)
        return await self._feed({"message": self._message(**extra)})

    async def send_media(
        self, kind: str, caption: str | None = None, *, thread_id: int | None = None, reply_to: Sent | None = None
    ) -> list[Sent]:
        media: dict[str, Any] = {
            "sticker": {"sticker": dict(STICKER)},
            "photo": {"photo": [{"file_id": "ph", "file_unique_id": "ph", "width": 90, "height": 90}]},
            "voice": {"voice": {"file_id": "vc", "file_unique_id": "vc", "duration": 3}},
            "document": {"document": {"file_id": "doc", "file_unique_id": "doc", "file_name": "giay-to.pdf"}},
            "video": {"video": {"file_id": "vd", "file_unique_id": "vd", "width": 640, "height": 360, "duration": 5}},
            "video_note": {"video_note": {"file_id": "vn", "file_unique_id": "vn", "length": 240, "duration": 5}},
            "audio": {"audio": {"file_id": "au", "file_unique_id": "au", "duration": 60}},
        }[kind]
        if caption:
            media["caption"] = caption
        if thread_id is not None:
            media["message_thread_id"] = thread_id
            media["is_topic_message"] = True
        if reply_to is not None:
            media["reply_to_message"] = self._as_message(reply_to)
        return await self._feed({"message": self._message(**media)})

    def _as_message(self, m: Sent | dict[str, Any]) -> dict[str, Any]:
        if isinstance(m, dict):
            return m
        msg: dict[str, Any] = {
            "message_id": m.message_id,
            "date": int(time.time()),
            "chat": self.fake._chat(m.chat_id),
            "from": {"id": self.fake.bot_id, "is_bot": True, "first_name": "Bot"},
            "text": m.text or "…",
        }
        if m.thread_id:
            msg["message_thread_id"] = m.thread_id
        return msg

    def last_with_button(self, label: str) -> tuple[Sent, dict[str, Any]]:
        for m in reversed(self.fake.sent):
            if m.chat_id != self.chat_id or m.deleted:
                continue
            for row in m.buttons:
                for b in row:
                    if label.lower() in b["text"].lower() and "callback_data" in b:
                        return m, b
        raise AssertionError(f"no button {label!r} in chat {self.chat_id}")

    async def press(self, label: str) -> list[Sent]:
        """Press the newest button whose label contains `label`."""
        m, b = self.last_with_button(label)
        return await self.press_data(b["callback_data"], m)

    async def press_data(self, data: str, message: Sent | None = None) -> list[Sent]:
        """Send callback data as Telegram would (also used to forge stale or fake presses)."""
        msg = self._as_message(message) if message else self._message(text="…")
        if message is not None and message.reply_markup:
            msg["reply_markup"] = message.reply_markup
        return await self._feed(
            {
                "callback_query": {
                    "id": str(next(_callback_ids)),
                    "from": self.user,
                    "chat_instance": "ci",
                    "message": msg,
                    "data": data,
                }
            }
        )

    async def raw(self, update: dict[str, Any]) -> list[Sent]:
        return await self._feed(update)
