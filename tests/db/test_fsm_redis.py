"""At scale the conversation state lives in Redis: the same settings switch it on."""

from __future__ import annotations

import uuid

from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage

from bot.bootstrap import make_fsm_storage
from tests.conftest import make_settings


async def test_fsm_state_survives_in_redis_between_storage_instances(tmp_path, redis_url):
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", redis_url=redis_url)
    key = StorageKey(bot_id=42, chat_id=int(uuid.uuid4().int % 10**9), user_id=1001)
    first = make_fsm_storage(settings)
    assert isinstance(first, RedisStorage)
    await first.set_state(key, "AskStaff:waiting_question")
    await first.set_data(key, {"guide": "ihanoi-install", "step": 2})
    await first.close()
    second = make_fsm_storage(settings)  # a restarted process
    assert await second.get_state(key) == "AskStaff:waiting_question"
    assert await second.get_data(key) == {"guide": "ihanoi-install", "step": 2}
    await second.set_state(key, None)
    await second.set_data(key, {})
    await second.close()
