from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.localchat.fake_zalo import FakeZaloAPI
from bot.adapters.zalo.client import ZaloClient


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloAPI]:
    api = FakeZaloAPI()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def client(zalo: FakeZaloAPI) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(zalo.token, api_url=zalo.base_url, request_timeout=5) as c:
        yield c
