"""Chat addresses that are not numbers: a Zalo chat id is a string, while a user's `external_id` (and every
use case) is an integer. A channel maps its string to a stable 63-bit integer (`bot.adapters.zalo.identity`)
and records the pair here, so a staff answer or a notice found by `external_id` can reach the chat."""

from __future__ import annotations

from sqlalchemy import BigInteger, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base
from bot.adapters.db.db import Database, dialect_insert


class ChatKeyRow(Base):
    __tablename__ = "chat_keys"
    __table_args__ = (UniqueConstraint("channel", "chat_key"),)

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    external_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_key: Mapped[str] = mapped_column(String(128))


class ChatKeys:
    """`(channel, external_id) ↔ chat_key`; every pair is written once and never changes, so it is cached."""

    def __init__(self, db: Database, channel: str):
        self.db, self.channel = db, channel
        self._keys: dict[int, str] = {}

    async def remember(self, external_id: int, chat_key: str) -> None:
        if self._keys.get(external_id) == chat_key:
            return
        async with self.db.session() as s:
            stmt = dialect_insert(s, ChatKeyRow).values(
                channel=self.channel, external_id=external_id, chat_key=chat_key
            )
            await s.execute(stmt.on_conflict_do_nothing())
        self._keys[external_id] = chat_key

    async def key_for(self, external_id: int) -> str | None:
        if (key := self._keys.get(external_id)) is not None:
            return key
        async with self.db.session() as s:
            key = await s.scalar(
                select(ChatKeyRow.chat_key).where(
                    ChatKeyRow.channel == self.channel, ChatKeyRow.external_id == external_id
                )
            )
        if key is not None:
            self._keys[external_id] = key
        return key
