"""Updates people do not think of (issue 14 #3): anonymous group admins, channel posts, service messages,
media a bot cannot read. Each is handled or ignored on purpose; the apology never lands in a group."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from bot.adapters.localchat.actors import STICKER
from tests.telegram.test_announcements import ward_with_groups
from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group, ticket_in_topic, topic_message

G5 = -1003000000005  # the neighbourhood group of tổ dân phố 5
ANON = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
APOLOGY = "cháu vừa gặp lỗi"


def _msg(harness, chat_id: int, sender: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "message_id": next(harness.fake._msg_ids[chat_id]),
        "date": int(time.time()),
        "chat": harness.fake._chat(chat_id),
        **extra,
    }
    if sender is not None:
        msg["from"] = sender
    return msg


def _person(user_id: int, name: str = "Ông Minh") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


def _service_messages(harness, chat_id: int, thread: int | None = None) -> list[dict[str, Any]]:
    """What Telegram posts in a group besides people's words."""
    person, group = _person(1002), harness.fake._chat(chat_id)
    in_topic: dict[str, Any] = {"message_thread_id": thread, "is_topic_message": True} if thread else {}
    return [
        {"message": _msg(harness, chat_id, ANON, sender_chat=group, text="Mọi người chú ý họp tổ tối nay", **in_topic)},
        {"message": _msg(harness, chat_id, ANON, sender_chat=group, text="/note anh em xem nhé", **in_topic)},
        {"message": _msg(harness, chat_id, ANON, sender_chat=group, text="/bind_ward tay-ho")},
        {
            "message": _msg(
                harness,
                chat_id,
                {"id": 777000, "is_bot": False, "first_name": "Telegram"},
                sender_chat={"id": -1009999, "type": "channel", "title": "Phường Tây Hồ"},
                is_automatic_forward=True,
                text="Bài đăng của kênh phường",
            )
        },
        {"message": _msg(harness, chat_id, person, new_chat_members=[_person(1003, "Bà Tư")])},
        {"message": _msg(harness, chat_id, person, left_chat_member=_person(1003, "Bà Tư"))},
        {"message": _msg(harness, chat_id, person, new_chat_title="Tổ 5 mới")},
        {
            "message": _msg(
                harness,
                chat_id,
                person,
                pinned_message=_msg(harness, chat_id, person, text="Lịch họp"),
                **in_topic,
            )
        },
        {"message": _msg(harness, chat_id, ANON, sender_chat=group, pinned_message=_msg(harness, chat_id, ANON))},
        {"message": _msg(harness, chat_id, person, group_chat_created=True)},
        {"message": _msg(harness, chat_id, person, migrate_to_chat_id=-1004000000001)},
        {"message": _msg(harness, chat_id, person, sticker=dict(STICKER), **in_topic)},
        {
            "channel_post": _msg(
                harness, -1009999, None, sender_chat={"id": -1009999, "type": "channel", "title": "Kênh"}, text="Tin"
            )
        },
        {
            "edited_channel_post": _msg(
                harness, -1009999, None, sender_chat={"id": -1009999, "type": "channel", "title": "Kênh"}, text="Tin"
            )
        },
    ]


async def test_anonymous_admins_and_service_messages_in_a_staff_group_are_ignored_quietly(harness, caplog):
    _, thread = await ticket_in_topic(harness)
    before = len(harness.fake.sent)
    caplog.set_level(logging.ERROR)
    for update in _service_messages(harness, GROUP, thread):
        await harness.actor(1002, chat_id=GROUP).raw(update)
    sent = harness.fake.sent[before:]
    assert [m.text for m in sent if APOLOGY in m.text] == []
    assert [m.text for m in sent if m.chat_id == 1001] == []  # nothing relayed to the resident
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
    # the anonymous admin did not bind anything, and the ticket is as it was
    assert (await harness.app.tickets.get(1)).is_open
    # people still get their answers
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    await ha.send("Bác vào Cài đặt rồi chọn Quên mật khẩu ạ.", thread_id=thread, reply_to=topic_message(thread))
    assert "Quên mật khẩu" in harness.fake.last_to(1001).text


async def test_anonymous_admins_and_service_messages_in_a_neighbourhood_group_are_ignored_quietly(harness, caplog):
    await ward_with_groups(harness, (G5, "5"))
    before = len(harness.fake.sent)
    caplog.set_level(logging.ERROR)
    for update in _service_messages(harness, G5):
        await harness.actor(1002, chat_id=G5).raw(update)
    sent = harness.fake.sent[before:]
    assert [m.text for m in sent if APOLOGY in m.text] == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]


async def test_a_failure_in_a_group_is_logged_never_apologised_for_in_the_group(harness, caplog, monkeypatch):
    await staff_group(harness)

    async def broken(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(harness.app.helpdesk, "configure", broken)
    admin = harness.actor(9001, "Quản trị", chat_id=GROUP)
    before = len(harness.fake.sent)
    with caplog.at_level(logging.ERROR):
        out = await admin.send("/sla 30 4")
    assert out == [] and harness.fake.sent[before:] == []
    assert any("database went away" in str(r.exc_info) for r in caplog.records if r.exc_info)
    # in a private chat the person is still told something went wrong
    lan = await harness.onboarded()
    monkeypatch.setattr(harness.app.flow, "menu", broken)
    out = await lan.send("/menu")
    assert APOLOGY in out[-1].text


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("sticker", {"sticker": dict(STICKER)}),
        ("voice", {"voice": {"file_id": "vc", "file_unique_id": "vc", "duration": 3}}),
        ("location", {"location": {"latitude": 21.07, "longitude": 105.82}}),
        ("contact", {"contact": {"phone_number": "0912345678", "first_name": "Lan"}}),
        ("photo", {"photo": [{"file_id": "ph", "file_unique_id": "ph", "width": 90, "height": 90}]}),
    ],
)
async def test_media_the_bot_cannot_read_gets_a_short_clear_answer_in_private(harness, kind, payload):
    lan = await harness.onboarded()
    out = await lan.raw({"message": lan._message(**payload)})
    assert out, kind
    text = out[0].text
    assert "chỉ đọc được chữ" in text, (kind, text)
    assert "gõ câu hỏi" in text and "bấm" in text, (kind, text)
    assert APOLOGY not in text
