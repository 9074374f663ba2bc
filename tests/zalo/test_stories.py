"""Stories on Zalo through the fake Zalo Bot API: the same guides and help desk as Telegram, with
numbers and words instead of buttons; staff answer from the Telegram staff group."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.adapters.db.tickets import TicketRow
from bot.adapters.db.users import ProgressRow, UserRow
from bot.adapters.localchat.fake_zalo import FakeZaloAPI
from bot.adapters.zalo.channel import ZaloChannel
from tests.harness import Harness
from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group, ticket_in_topic, topic_message
from tests.zalo.kit import ZaloResident, zalo_bot

CHAT = "6ede9afa66b88fe6d6a9"
STEP_RE = re.compile(r"Bước (\d+)/(\d+)")


@pytest.fixture
async def bot(sqlite_url, fake, clock, zalo: FakeZaloAPI) -> AsyncIterator[tuple[Harness, ZaloChannel]]:
    async with zalo_bot(sqlite_url, fake, clock, zalo) as pair:
        yield pair


def step_of(texts: list[str]) -> tuple[int, int]:
    m = STEP_RE.search("\n".join(texts))
    assert m, texts
    return int(m.group(1)), int(m.group(2))


async def test_a_resident_finishes_a_guide_with_numbers_and_words_only(bot, zalo: FakeZaloAPI) -> None:
    h, _ = bot
    hoa = ZaloResident(zalo, CHAT)
    out = await hoa.onboard()
    assert "📋 Bác cần giúp gì?" in out[-1] and "1. 📱 Ứng dụng iHanoi" in out[-1]
    out = await hoa.say("1")  # the iHanoi category
    assert "1. 📘 " in out[-1]
    out = await hoa.say("cài iHanoi thế nào")  # a question in her own words opens the guide
    assert step_of(out) == (1, step_of(out)[1])
    total = step_of(out)[1]
    assert total >= 3
    out = await hoa.say("tiếp")
    assert step_of(out)[0] == 2
    out = await hoa.say("quay lại")
    assert step_of(out)[0] == 1
    out = await hoa.say("1")  # "Tiếp" is 1 on every step
    assert step_of(out)[0] == 2
    n = 2
    while n < total:
        out = await hoa.say("1" if n % 2 else "tiếp ạ")
        n += 1
        assert step_of(out)[0] == n, out
    assert "1. ✅" in out[-1]  # the last step asks whether it worked: 1 is yes
    out = await hoa.say("1")
    assert "🎉" in out[0] or "Tuyệt" in out[0], out
    async with h.app.db.session() as s:
        (progress,) = (await s.scalars(select(ProgressRow))).all()
    assert progress.guide_id == "ihanoi-install" and progress.finished_at is not None and progress.worked is True
    out = await hoa.say("0")  # the menu, from any screen that shows 0
    assert out[-1].startswith("📋 Bác cần giúp gì?")
    assert all(len(t) <= 2000 for t in zalo.texts_to(CHAT))
    assert len(zalo.actions) >= 10  # "typing…" before answers


async def test_a_number_that_is_no_choice_is_explained_and_the_choices_shown_again(bot, zalo: FakeZaloAPI) -> None:
    hoa = ZaloResident(zalo, CHAT)
    await hoa.onboard()
    out = await hoa.say("42")
    assert out[0].startswith("Dạ, số 42 không có trong danh sách")
    assert out[-1].startswith("📋 Bác cần giúp gì?")
    out = await hoa.say("1")  # and the menu's numbers still work
    assert "1. 📘 " in out[-1]


async def test_stuck_resident_asks_staff_on_zalo_and_reads_the_telegram_staff_answer(bot, zalo: FakeZaloAPI) -> None:
    h, _ = bot
    await staff_group(h)
    ha = h.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    hoa = ZaloResident(zalo, CHAT, name="Bác Hoa")
    await hoa.onboard()
    await hoa.say("cài VNeID thế nào")
    out = await hoa.say("tiếp")
    assert step_of(out)[0] == 2
    out = await hoa.say("kẹt")
    assert "Không sao ạ" in out[-1] and "1. 🙋 Hỏi cán bộ phường" in out[-1]
    out = await hoa.say("1")
    assert "gõ câu hỏi" in out[-1] and "Bước 2/" in out[-1]
    out = await hoa.say("bác không nhận được mã kích hoạt")
    assert "bác không nhận được mã kích hoạt" in out[-1] and "1. ✅ Gửi cho cán bộ" in out[-1]
    out = await hoa.say("1")
    assert "Số phiếu của bác: #1" in "\n".join(out)

    # the card in the Telegram staff group says where she writes from
    ((thread, _),) = h.fake.topics[GROUP]
    staff_side = "\n".join(m.text for m in h.fake.messages_to(GROUP))
    assert "Bác Hoa" in staff_side and "bác không nhận được mã kích hoạt" in staff_side
    assert "📱 Người dân viết qua Zalo" in staff_side

    # Hà answers in the topic; Bác Hoa reads it on Zalo, with numbered choices
    await ha.send("Bác chờ 5 phút rồi bấm Gửi lại mã nhé", thread_id=thread, reply_to=topic_message(thread))
    answer = hoa.last.text
    assert "💬 Cán bộ phường trả lời: Bác chờ 5 phút rồi bấm Gửi lại mã nhé" in answer
    assert "Cán bộ Hà" not in answer  # never the staff member's name
    assert "1. ✅ Xong rồi, đóng câu hỏi" in answer and "0. 🏠 Về menu" in answer

    # her reply goes to the topic
    await hoa.say("được rồi cháu ơi, cảm ơn")
    assert "được rồi cháu ơi, cảm ơn" in h.fake.messages_to(GROUP)[-1].text

    # she closes it with numbers and rates it
    out = await hoa.say("1")
    assert "2. " in out[-1]  # "Không, để mở" first, "Có, đóng" below it
    out = await hoa.say("2")
    assert "⭐" in out[-1]
    out = await hoa.say("5")
    async with h.app.db.session() as s:
        ticket = await s.scalar(select(TicketRow))
    assert ticket is not None and ticket.status == "closed" and ticket.rating == 5


async def test_a_webhook_call_with_a_wrong_secret_gets_401_and_changes_nothing(bot, zalo: FakeZaloAPI) -> None:
    h, _ = bot
    update = zalo.make_update(CHAT, "xin chào")
    assert await zalo.deliver(update, secret="not-the-secret") == 401
    assert zalo.texts_to(CHAT) == []
    async with h.app.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(UserRow)) == 0
    assert await zalo.deliver(update) == 200  # the same update, signed, is then handled
    assert "1. 🇻🇳 Tiếng Việt" in zalo.last_to(CHAT).text


async def test_dung_turns_notices_off_at_any_point_and_subscribe_turns_them_back_on(bot, zalo: FakeZaloAPI) -> None:
    h, _ = bot
    hoa = ZaloResident(zalo, CHAT)
    await hoa.onboard()  # she said yes to notices
    await hoa.say("cài iHanoi thế nào")
    out = await hoa.say("DỪNG")
    assert out == [h.app.texts("vi", "announcements.unsubscribed")]
    async with h.app.db.session() as s:
        assert (await s.scalar(select(UserRow.subscribed))) is False
    out = await hoa.say("/subscribe")
    assert out == [h.app.texts("vi", "announcements.subscribed")]
    async with h.app.db.session() as s:
        assert (await s.scalar(select(UserRow.subscribed))) is True
    out = await hoa.say("tiếp")  # the guide goes on where she left it
    assert step_of(out)[0] == 2


async def test_with_zalo_running_the_staff_card_of_a_telegram_resident_says_telegram(bot) -> None:
    h, _ = bot
    await ticket_in_topic(h)
    staff_side = "\n".join(m.text for m in h.fake.messages_to(GROUP))
    assert "📱 Người dân viết qua Telegram: câu trả lời sẽ được gửi về Telegram" in staff_side
