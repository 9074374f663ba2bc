"""The Zalo client against the fake Zalo Bot API: round trips, splitting, errors."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from bot.adapters.localchat.fake_zalo import FakeZaloAPI
from bot.adapters.zalo.client import (
    EVENT_IMAGE,
    EVENT_TEXT,
    MAX_TEXT,
    ZaloBadRequest,
    ZaloClient,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloUnauthorized,
)

CHAT = "6ede9afa66b88fe6d6a9"


async def test_get_me_reports_a_basic_bot_that_cannot_join_groups(client: ZaloClient) -> None:
    me = await client.get_me()
    assert me.account_type == "BASIC"
    assert me.can_join_groups is False
    assert me.id


async def test_send_message_round_trip(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    sent = await client.send_message(CHAT, "Chào bác!")
    assert sent.message_id and sent.date_ms > 0
    assert zalo.texts_to(CHAT) == ["Chào bác!"]
    method, params = zalo.requests[-1]
    assert method == "sendMessage" and params == {"chat_id": CHAT, "text": "Chào bác!"}


async def test_get_updates_returns_one_typed_update_then_none(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    zalo.max_poll_wait = 0.05
    zalo.push_text(CHAT, "tiếp", display_name="Bác Lan")
    update = await client.get_updates(wait=1)
    assert update is not None
    assert update.event_name == EVENT_TEXT and update.text == "tiếp"
    assert update.message is not None
    assert update.message.chat.id == CHAT and update.message.chat.is_private
    assert update.message.sender is not None and update.message.sender.display_name == "Bác Lan"
    assert update.message.date.year >= 2026  # milliseconds, read as such
    assert await client.get_updates(wait=1) is None  # 408 "Request timeout": nothing new


async def test_image_update_has_no_text(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    zalo.updates.put_nowait(zalo.make_update(CHAT, photo_url="https://example.invalid/a.jpg")["result"])
    update = await client.get_updates(wait=1)
    assert update is not None and update.event_name == EVENT_IMAGE
    assert update.text is None
    assert update.message is not None and update.message.photo_url == "https://example.invalid/a.jpg"


async def test_long_text_is_split_at_paragraphs_and_every_part_fits(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    paragraphs = [f"Đoạn {i}: " + " ".join(["chữ"] * 150) for i in range(1, 8)]  # ~ 610 characters each
    text = "\n\n".join(paragraphs)
    assert len(text) > 2 * MAX_TEXT
    sent = await client.send_text(CHAT, text)
    texts = zalo.texts_to(CHAT)
    assert len(sent) == len(texts) >= 3
    n = len(texts)
    for i, t in enumerate(texts, 1):
        assert len(t) <= MAX_TEXT
        assert t.endswith(f"({i}/{n})")
        assert t.startswith("Đoạn ")  # every part starts at a paragraph
    # nothing lost: the paragraphs come back in order
    joined = "\n\n".join(t.rsplit("\n", 1)[0] for t in texts)
    assert joined == "\n\n".join(paragraphs)


async def test_short_text_is_sent_as_is(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    await client.send_text(CHAT, "Một dòng thôi.")
    assert zalo.texts_to(CHAT) == ["Một dòng thôi."]


async def test_send_message_refuses_over_2000_characters_without_calling(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    with pytest.raises(ValueError):
        await client.send_message(CHAT, "x" * (MAX_TEXT + 1))
    assert zalo.requests == []


async def test_the_fake_server_enforces_the_limit(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    with pytest.raises(ZaloBadRequest):
        await client.call("sendMessage", {"chat_id": CHAT, "text": "x" * (MAX_TEXT + 1)})
    with pytest.raises(ZaloBadRequest):
        await client.call("sendMessage", {"chat_id": CHAT, "text": ""})
    assert zalo.sent == []


async def test_rate_limit_gives_429_as_rate_limited(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    zalo.rate_per_second = 3
    for i in range(3):
        await client.send_message(CHAT, f"tin {i}")
    with pytest.raises(ZaloRateLimited) as e:
        await client.send_message(CHAT, "tin 4")
    assert e.value.code == 429 and e.value.retry_after is None  # Zalo documents no retry-after
    assert zalo.too_many == 1 and len(zalo.sent) == 3


async def test_rate_limit_carries_retry_after_when_given(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    zalo.rate_per_second, zalo.retry_after = 1, 2
    await client.send_message(CHAT, "một")
    with pytest.raises(ZaloRateLimited) as e:
        await client.send_message(CHAT, "hai")
    assert e.value.retry_after == 2


async def test_blocked_chat_is_forbidden(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    zalo.blocked.add(CHAT)
    with pytest.raises(ZaloForbidden):
        await client.send_message(CHAT, "Chào bác")
    assert zalo.sent == []


async def test_errors_mapped_from_http_status_too(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    zalo.error_http_status = True  # the code as HTTP status as well as in the body
    zalo.blocked.add(CHAT)
    with pytest.raises(ZaloForbidden):
        await client.send_message(CHAT, "Chào bác")
    zalo.fail_next["sendmessage"].append((429, "Quota exceeded"))
    with pytest.raises(ZaloRateLimited):
        await client.send_message("another", "Chào bác")


async def test_wrong_token_is_unauthorized_and_the_token_is_not_in_the_error(zalo: FakeZaloAPI) -> None:
    async with ZaloClient("999:wrong-secret-token", api_url=zalo.base_url) as bad:
        with pytest.raises(ZaloUnauthorized) as e:
            await bad.get_me()
    assert "wrong-secret-token" not in str(e.value)


async def test_network_error_does_not_leak_the_token() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with ZaloClient("123:very-secret", api_url=f"http://127.0.0.1:{port}", request_timeout=2) as c:
        with pytest.raises(ZaloNetworkError) as e:
            await c.send_message(CHAT, "hi")
    assert "very-secret" not in str(e.value)


async def test_webhook_set_info_delete(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    with pytest.raises(ValueError):
        await client.set_webhook("https://ward.example/zalo", "short")  # secret under 8 characters
    info = await client.set_webhook("https://ward.example/zalo", "s3cret-long-enough")
    assert info.url == "https://ward.example/zalo" and info.updated_at_ms
    assert (await client.get_webhook_info()).url == "https://ward.example/zalo"
    with pytest.raises(ZaloBadRequest):  # polling and webhook exclude each other
        await client.get_updates(wait=1)
    assert (await client.delete_webhook()).url == ""
    assert (await client.get_webhook_info()).url == ""


async def test_send_photo_by_url_and_chat_action(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    await client.send_chat_action(CHAT)
    await client.send_photo(CHAT, "https://ward.example/step2.png", caption="Bước 2")
    assert zalo.actions == [(CHAT, "typing")]
    photo = zalo.last_to(CHAT)
    assert photo.method == "sendPhoto" and photo.text == "Bước 2"
    with pytest.raises(ValueError):
        await client.send_photo(CHAT, "https://ward.example/x.png", caption="x" * (MAX_TEXT + 1))


async def test_a_passed_in_session_is_not_closed(zalo: FakeZaloAPI) -> None:
    async with aiohttp.ClientSession() as session:
        async with ZaloClient(zalo.token, api_url=zalo.base_url, session=session) as c:
            await c.get_me()
        assert not session.closed
