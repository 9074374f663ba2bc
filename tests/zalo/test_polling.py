"""Long polling through the fake server: updates arrive once, errors back off, 401 stops."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.localchat.fake_zalo import FakeZaloAPI
from bot.adapters.zalo.client import Update, ZaloClient, ZaloUnauthorized
from bot.adapters.zalo.polling import ZaloPoller

CHAT = "6ede9afa66b88fe6d6a9"


async def _until(cond: object, limit: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while not cond():  # type: ignore[operator]
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def test_poller_hands_each_update_once_and_clears_a_webhook(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    zalo.max_poll_wait = 0.05
    zalo.webhook_url = "https://old.example/hook"  # left over from webhook mode
    got: list[Update] = []

    async def on_update(u: Update) -> None:
        got.append(u)

    poller = ZaloPoller(client, on_update, timeout=1)
    task = asyncio.create_task(poller.run())
    first = zalo.push_text(CHAT, "tiếp")
    zalo.updates.put_nowait(first["result"])  # the same message delivered twice
    zalo.push_text(CHAT, "0")
    await _until(lambda: len(got) == 2)
    poller.stop()
    await asyncio.wait_for(task, 5)
    assert [u.text for u in got] == ["tiếp", "0"]
    assert zalo.webhook_url == ""
    assert poller.waits == []  # 408s (nothing new) are not errors


async def test_poller_backs_off_on_errors_then_recovers(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    zalo.max_poll_wait = 0.05
    for _ in range(3):
        zalo.fail_next["getupdates"].append((500, "Internal error"))
    zalo.fail_next["getupdates"].append((429, "Quota exceeded"))
    got: list[Update] = []

    async def on_update(u: Update) -> None:
        got.append(u)

    poller = ZaloPoller(client, on_update, timeout=1, backoff_start=0.01, backoff_max=0.04)
    task = asyncio.create_task(poller.run())
    zalo.push_text(CHAT, "1")
    await _until(lambda: got)
    poller.stop()
    await asyncio.wait_for(task, 5)
    assert poller.waits == [0.01, 0.02, 0.04, 0.04]  # doubled, capped
    assert got[0].text == "1"


async def test_a_failing_handler_does_not_stop_polling(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    zalo.max_poll_wait = 0.05
    got: list[str] = []

    async def on_update(u: Update) -> None:
        if u.text == "boom":
            raise RuntimeError("handler bug")
        got.append(u.text or "")

    poller = ZaloPoller(client, on_update, timeout=1)
    task = asyncio.create_task(poller.run())
    zalo.push_text(CHAT, "boom")
    zalo.push_text(CHAT, "2")
    await _until(lambda: got == ["2"])
    poller.stop()
    await asyncio.wait_for(task, 5)


async def test_a_refused_token_stops_the_loop(zalo: FakeZaloAPI) -> None:
    async def on_update(u: Update) -> None:
        raise AssertionError("no update expected")

    async with ZaloClient("1:bad", api_url=zalo.base_url) as bad:
        with pytest.raises(ZaloUnauthorized):
            await asyncio.wait_for(ZaloPoller(bad, on_update, timeout=1).run(), 5)
