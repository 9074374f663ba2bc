"""Webhook mode: the secret header is checked before anything is processed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.adapters.localchat.fake_zalo import FakeZaloAPI
from bot.adapters.zalo.client import EVENT_TEXT, Update, ZaloClient
from bot.adapters.zalo.webhook import DEFAULT_PATH, SECRET_HEADER, ZaloWebhook

SECRET = "phuong-tay-ho-2026"
CHAT = "6ede9afa66b88fe6d6a9"


class Inbox:
    def __init__(self) -> None:
        self.updates: list[Update] = []
        self.fail = False

    async def __call__(self, update: Update) -> None:
        if self.fail:
            raise RuntimeError("boom")
        self.updates.append(update)


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
async def hook(inbox: Inbox) -> AsyncIterator[tuple[ZaloWebhook, str]]:
    wh = ZaloWebhook(SECRET, inbox)
    runner = web.AppRunner(wh.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield wh, f"http://127.0.0.1:{port}{DEFAULT_PATH}"
    await runner.cleanup()


async def _post(url: str, body: object, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as s, s.post(url, json=body, headers=headers) as r:
        await r.read()
        return r.status


async def test_wrong_secret_gets_401_and_nothing_is_processed(
    zalo: FakeZaloAPI, hook: tuple[ZaloWebhook, str], inbox: Inbox
) -> None:
    wh, url = hook
    update = zalo.make_update(CHAT, "1")
    assert await _post(url, update, {SECRET_HEADER: "not-the-secret"}) == 401
    assert await _post(url, update, {SECRET_HEADER: SECRET[:-1]}) == 401  # a prefix is not enough
    assert await _post(url, update, {}) == 401  # no header at all
    assert inbox.updates == []
    assert wh.rejected == 3
    # the same update with the right secret is then processed: nothing was "used up" by the 401s
    assert await _post(url, update, {SECRET_HEADER: SECRET}) == 200
    assert len(inbox.updates) == 1


async def test_right_secret_hands_a_typed_update_to_the_callback(
    zalo: FakeZaloAPI, client: ZaloClient, hook: tuple[ZaloWebhook, str], inbox: Inbox
) -> None:
    _, url = hook
    await client.set_webhook(url, SECRET)  # the fake now posts to us with that secret
    assert await zalo.deliver(zalo.make_update(CHAT, "tiếp", display_name="Bác Lan")) == 200
    [update] = inbox.updates
    assert update.event_name == EVENT_TEXT and update.text == "tiếp"
    assert update.message is not None and update.message.sender is not None
    assert update.message.sender.display_name == "Bác Lan"
    # a forged delivery with another secret is refused
    assert await zalo.deliver(zalo.make_update(CHAT, "0"), secret="guessed-secret") == 401
    assert len(inbox.updates) == 1


async def test_flat_payloads_are_accepted_and_redeliveries_dropped(
    zalo: FakeZaloAPI, hook: tuple[ZaloWebhook, str], inbox: Inbox
) -> None:
    _, url = hook
    wrapped = zalo.make_update(CHAT, "1")
    flat = wrapped["result"]
    assert await _post(url, flat, {SECRET_HEADER: SECRET}) == 200
    assert await _post(url, wrapped, {SECRET_HEADER: SECRET}) == 200  # same message again
    assert len(inbox.updates) == 1


async def test_bad_bodies_are_400(hook: tuple[ZaloWebhook, str], inbox: Inbox) -> None:
    _, url = hook
    async with aiohttp.ClientSession() as s:
        async with s.post(url, data=b"not json", headers={SECRET_HEADER: SECRET}) as r:
            assert r.status == 400
        async with s.post(url, json={"ok": True, "result": {}}, headers={SECRET_HEADER: SECRET}) as r:
            assert r.status == 400
    assert inbox.updates == []


async def test_a_failing_callback_answers_500_and_a_redelivery_is_retried(
    zalo: FakeZaloAPI, hook: tuple[ZaloWebhook, str], inbox: Inbox
) -> None:
    _, url = hook
    update = zalo.make_update(CHAT, "2")
    inbox.fail = True
    assert await _post(url, update, {SECRET_HEADER: SECRET}) == 500
    inbox.fail = False
    assert await _post(url, update, {SECRET_HEADER: SECRET}) == 200
    assert len(inbox.updates) == 1


def test_secret_length_is_checked() -> None:
    with pytest.raises(ValueError):
        ZaloWebhook("short", Inbox())
    with pytest.raises(ValueError):
        ZaloWebhook("x" * 257, Inbox())
