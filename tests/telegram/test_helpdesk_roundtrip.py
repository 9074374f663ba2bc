"""The help desk, end to end: a resident asks, ward staff answer in their Telegram group, the resident rates.

Real Dispatcher and handlers, the fake Bot API over HTTP, a hand-moved clock.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.adapters.db.tickets import TicketRow
from bot.app.tickets import Status

GROUP = -1002000000001  # the Tây Hồ staff group (a forum: one topic per ticket)
PLAIN_GROUP = -1002000000002  # a group without topics
ADMIN = 9001  # in settings.admin_ids (tests/conftest.py)


def topic_message(thread_id: int) -> dict:
    """Telegram makes every message in a topic a reply to the topic's service message."""
    return {
        "message_id": thread_id,
        "date": 0,
        "chat": {"id": GROUP, "type": "supergroup", "title": "Cán bộ"},
        "forum_topic_created": {"name": "topic", "icon_color": 0},
        "message_thread_id": thread_id,
    }


async def staff_group(harness, *, forum: bool = True, chat_id: int = GROUP, ward: str = "tay-ho", staff_ids=(2001,)):
    """An admin binds the group to the ward and makes the members staff."""
    if forum:
        harness.fake.forum_chats.add(chat_id)
    admin = harness.actor(ADMIN, "Quản trị", chat_id=chat_id)
    out = await admin.send(f"/bind_ward {ward}")
    assert "nhận câu hỏi của người dân" in out[-1].text
    for sid in staff_ids:
        out = await admin.send(f"/grant_staff {sid}")
        assert "Đã cấp quyền cán bộ" in out[-1].text
    return admin


async def ticket_in_topic(harness, question: str = "không đăng nhập được VNeID"):
    """A staff group is bound and an onboarded resident's question waits in its topic: (resident, thread)."""
    await staff_group(harness)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send(question)
    await lan.press("Gửi cho cán bộ")
    ((thread, _),) = harness.fake.topics[GROUP]
    return lan, thread


async def ask_from_stuck_step(harness, resident, question: str):
    await resident.press("VNeID – định danh")
    await resident.press("Cài VNeID và kích hoạt")
    await resident.press("Tiếp")
    await resident.press("Tôi bị kẹt")
    out = await resident.press("Hỏi cán bộ phường")
    assert "gõ câu hỏi" in out[-1].text and "Bước 2/" in out[-1].text and "OTP" in out[-1].text
    out = await resident.send(question)
    assert "Bác gửi câu hỏi này cho cán bộ phường nhé?" in out[-1].text
    return await resident.press("Gửi cho cán bộ")


async def test_resident_asks_from_a_stuck_step_staff_answer_in_topic_resident_rates(harness):
    # The ward has a staff group with topics; Hà is staff of Tây Hồ.
    await staff_group(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)

    # Bác Lan is stuck on step 2 of activating VNeID and asks the ward, typing her CCCD number.
    lan = await harness.onboarded()
    out = await ask_from_stuck_step(harness, lan, "Bác nhập số CCCD 001234567890 mà nó báo sai, bác làm sao ạ?")
    assert "Số phiếu của bác: #1" in out[-1].text
    assert "T2–T6 08:00–12:00, 13:30–17:00" in out[-1].text and "muộn nhất 14:30 hôm nay" in out[-1].text

    # The ward's staff group gets a topic for the ticket, with its context and the CCCD masked.
    ((thread, name),) = harness.fake.topics[GROUP]
    assert name.startswith("#1 Bác Lan")
    card = harness.fake.last_to(GROUP)
    assert card.thread_id == thread
    for expected in (
        "Phiếu #1",
        "Phường Tây Hồ",
        "Tổ dân phố 5",
        "Cài VNeID và kích hoạt",
        "Bước 2/",
        "[số CCCD đã ẩn]",
    ):
        assert expected in card.text
    assert "001234567890" not in card.text
    assert card.button_labels == ["✋ Nhận", "↪️ Chuyển phường", "✅ Đóng"]

    # Hà takes the ticket and answers in the topic.
    await ha.press_data("tk:claim:1", card)
    assert "Cán bộ Hà đã nhận phiếu #1" in harness.fake.last_to(GROUP).text
    before = len(harness.fake.sent)
    await ha.send("Bác nhập đủ 12 số, không có dấu cách nhé.", thread_id=thread, reply_to=topic_message(thread))

    # Bác Lan sees the answer in her chat, without the staff member's name.
    answer = harness.fake.messages_to(1001, before)[-1]
    assert answer.text.startswith("💬 Cán bộ phường trả lời: Bác nhập đủ 12 số")
    assert "Hà" not in answer.text

    # An internal note stays in the group.
    before = len(harness.fake.sent)
    out = await ha.send("/note đã gọi điện cho bác", thread_id=thread, reply_to=topic_message(thread))
    assert "ghi chú nội bộ" in out[-1].text
    assert harness.fake.messages_to(1001, before) == []

    # She writes again: it is added to the same ticket, not sent to the matcher.
    await lan.send("Được rồi cháu ơi, cảm ơn cán bộ")
    assert "Bác Lan (#1): Được rồi cháu ơi" in harness.fake.last_to(GROUP).text

    # Hà closes it; Bác Lan confirms it is solved and gives 5 stars.
    await ha.press_data("tk:close:1", card)
    await ha.press("Có, đóng")  # the confirmation, in the ticket's topic
    assert "đã đóng câu hỏi #1" in harness.fake.last_to(1001).text
    out = await lan.press("Đã xong")
    assert "chấm điểm" in out[-1].text
    out = await lan.press("5⭐")
    assert "Cảm ơn bác" in out[-1].text
    assert "chấm 5/5 cho phiếu #1" in harness.fake.last_to(GROUP).text

    async with harness.app.db.session() as s:
        row = (await s.execute(select(TicketRow))).scalar_one()
    assert (row.status, row.solved, row.rating, row.closed_by) == (Status.CLOSED, True, 5, "staff")
    trail = [a for _, a, _, _ in await harness.app.helpdesk.tickets.audit_trail(1)]
    assert trail == ["open", "assign", "reply", "note", "close", "solved", "rate"]


async def test_group_without_topics_staff_reply_to_the_ticket_message(harness):
    await staff_group(harness, forum=False, chat_id=PLAIN_GROUP)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=PLAIN_GROUP)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send_media("photo", "màn hình báo lỗi này là sao")
    await lan.press("Gửi cho cán bộ")
    card, photo = harness.fake.messages_to(PLAIN_GROUP)[-2:]
    assert "Phiếu #1" in card.text and card.thread_id is None and "không (hỏi từ menu)" in card.text
    assert (
        photo.method == "copymessage" and photo.params.get("reply_parameters", {}).get("message_id") == card.message_id
    )
    await ha.send("Bác chụp lại giúp cháu màn hình trước đó nhé", reply_to=photo)
    assert harness.fake.last_to(1001).text.startswith("💬 Cán bộ phường trả lời: Bác chụp lại")
    # a reply to any bot message about the ticket counts, e.g. to "Bác Lan xác nhận…"
    await lan.send("màn hình trước là trang đăng nhập")
    forwarded = harness.fake.last_to(PLAIN_GROUP)
    assert forwarded.params.get("reply_parameters", {}).get("message_id") == card.message_id
    await ha.send("Cháu đang xem giúp bác", reply_to=forwarded)
    assert harness.fake.last_to(1001).text.startswith("💬 Cán bộ phường trả lời: Cháu đang xem")
    await lan.press("Xong rồi, đóng câu hỏi")
    await lan.press("Có, đóng câu hỏi")
    closed_note = harness.fake.last_to(PLAIN_GROUP)
    assert "tự đóng phiếu #1" in closed_note.text
    out = await ha.send("Bác cần gì cứ nhắn nhé", reply_to=closed_note)
    assert "Phiếu #1 đã đóng" in out[-1].text
    # /mytickets lists hers
    out = await lan.send("/mytickets")
    assert "#1" in out[-1].text and "đã đóng" in out[-1].text


async def test_reply_to_a_closed_ticket_tells_the_staff(harness):
    await staff_group(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("cho bác hỏi lịch tiêm")
    await lan.press("Gửi cho cán bộ")
    ((thread, _),) = harness.fake.topics[GROUP]
    await lan.press("Xong rồi, đóng câu hỏi")  # the resident closes it herself
    await lan.press("Có, đóng câu hỏi")
    assert "tự đóng phiếu #1" in harness.fake.last_to(GROUP).text
    before = len(harness.fake.sent)
    out = await ha.send("Lịch tiêm là thứ Bảy", thread_id=thread, reply_to=topic_message(thread))
    assert "Phiếu #1 đã đóng" in out[-1].text
    assert harness.fake.messages_to(1001, before) == []


async def test_writing_again_within_a_day_reopens_the_ticket(harness):
    await staff_group(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bác chưa nộp được tiền điện")
    await lan.press("Gửi cho cán bộ")
    await ha.press_data("tk:close:1")
    await ha.press("Có, đóng")
    harness.clock.advance(hours=20)
    out = await lan.send("vẫn chưa nộp được cháu ạ")
    assert "mở lại câu hỏi #1" in out[-1].text
    assert "phiếu #1 được mở lại" in harness.fake.messages_to(GROUP)[-2].text
    assert "vẫn chưa nộp được" in harness.fake.last_to(GROUP).text
    ticket = await harness.app.helpdesk.tickets.get(1)
    assert ticket.status == Status.OPEN
    # after 24 hours a new message goes to the matcher again
    await ha.press_data("tk:close:1")
    await ha.press("Có, đóng")
    harness.clock.advance(hours=25)
    out = await lan.send("cài iHanoi thế nào")
    assert "iHanoi" in out[-1].text and "phiếu" not in out[-1].text


async def test_resident_who_blocked_the_bot_is_marked_and_staff_are_told(harness):
    await staff_group(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("hỏi về VNeID")
    await lan.press("Gửi cho cán bộ")
    ((thread, _),) = harness.fake.topics[GROUP]
    harness.fake.blocked.add(1001)
    out = await ha.send("Bác ra công an phường nhé", thread_id=thread, reply_to=topic_message(thread))
    assert "đã chặn bot" in out[-1].text
    assert (await harness.app.helpdesk.tickets.get(1)).resident_blocked


async def test_bot_removed_from_staff_group_tickets_queue_and_admin_is_told(harness):
    await staff_group(harness)
    harness.fake.kicked.add(GROUP)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("hỏi về điện")
    out = await lan.press("Gửi cho cán bộ")
    assert "số phiếu #1" in out[-1].text and "chưa kết nối cán bộ" in out[-1].text  # kept, nothing promised
    assert "bị xóa khỏi nhóm cán bộ" in harness.fake.last_to(ADMIN).text
    assert (await harness.app.helpdesk.tickets.queued()) != []
    # the bot is added back and the group bound again: the queued ticket arrives
    harness.fake.kicked.discard(GROUP)
    admin = harness.actor(ADMIN, "Quản trị", chat_id=GROUP)
    await admin.send("/bind_ward tay-ho")
    assert any("Phiếu #1" in m.text and "hỏi về điện" in m.text for m in harness.fake.messages_to(GROUP))
    assert await harness.app.helpdesk.tickets.queued() == []


async def test_tickets_and_topics_survive_a_restart(harness):
    await staff_group(harness)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("hỏi trước khi khởi động lại")
    await lan.press("Gửi cho cán bộ")
    ((thread, _),) = harness.fake.topics[GROUP]
    await harness.restart()
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    await ha.send("Cháu trả lời sau khi khởi động lại", thread_id=thread, reply_to=topic_message(thread))
    assert "Cán bộ phường trả lời: Cháu trả lời sau" in harness.fake.last_to(1001).text
    lan = harness.actor(1001)
    await lan.send("cảm ơn cháu")
    assert "Bác Lan (#1): cảm ơn cháu" in harness.fake.last_to(GROUP).text


async def test_otp_typed_by_a_resident_is_hidden_and_she_is_warned(harness):
    await staff_group(harness)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    out = await lan.send("ngân hàng nhắn mã OTP 483920 bác có đọc cho ai không")
    assert any("đừng bao giờ gửi mã OTP" in m.text for m in out)
    await lan.press("Gửi cho cán bộ")
    assert "483920" not in harness.fake.last_to(GROUP).text
    assert "[mã OTP đã ẩn]" in harness.fake.last_to(GROUP).text


async def test_stop_word_with_an_open_ticket_is_not_sent_to_staff(harness):
    await staff_group(harness)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("hỏi về VNeID")
    await lan.press("Gửi cho cán bộ")
    before = len(harness.fake.sent)
    await lan.send("DỪNG")
    assert harness.fake.messages_to(GROUP, before) == []


async def test_an_english_speaking_resident_gets_the_answer_in_english(harness):
    await staff_group(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    tom = await harness.onboarded(1003, ward="Tay Ho", lang="English")
    out = await tom.press("Ask ward staff")
    assert "Type your question" in out[-1].text
    await tom.send("How do I pay my water bill?")
    out = await tom.press("Send to staff")
    assert "Your ticket number: #1" in out[-1].text and "Mon–Fri 08:00–12:00, 13:30–17:00" in out[-1].text
    ((thread, _),) = harness.fake.topics[GROUP]
    assert "💬 How do I pay my water bill?" in harness.fake.last_to(GROUP).text  # staff read it as typed
    await ha.send("Bác dùng ứng dụng ngân hàng nhé", thread_id=thread, reply_to=topic_message(thread))
    assert harness.fake.last_to(1003).text.startswith("💬 Ward staff reply: Bác dùng ứng dụng")


async def test_a_new_question_while_a_ticket_is_open_gets_its_guide_and_can_go_to_staff_too(harness):
    lan, _thread = await ticket_in_topic(harness, "bác chưa nộp được tiền điện")
    before = len(harness.fake.sent)

    # A question a guide answers: the guide opens, and nothing reaches the staff group yet.
    out = await lan.send("cài iHanoi thế nào")
    assert any("iHanoi" in m.text for m in out)
    assert "vẫn đang chờ cán bộ" in out[-1].text
    assert out[-1].button_labels == ["📨 Gửi thêm cho cán bộ"]
    assert harness.fake.messages_to(GROUP, before) == []

    # She wants staff to read it as well: one tap sends it to her ticket's topic.
    out = await lan.press("📨 Gửi thêm cho cán bộ")
    assert "chuyển cho cán bộ (phiếu #1)" in out[-1].text
    assert "cài iHanoi thế nào" in harness.fake.last_to(GROUP).text
    # the same button again is spent
    await lan.press_data("hd:more:1")
    assert "không còn dùng được" in harness.fake.callback_answers[-1].get("text")

    # A message no guide answers still goes to the ticket.
    await lan.send("cháu ơi bác vẫn đang chờ")
    assert "bác vẫn đang chờ" in harness.fake.last_to(GROUP).text


async def test_after_staff_close_a_guide_question_gets_the_guide_and_other_words_reopen(harness):
    lan, thread = await ticket_in_topic(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    await ha.send("Bác ra công an phường nhé", thread_id=thread, reply_to=topic_message(thread))
    await ha.press_data("tk:close:1")
    await ha.press("Có, đóng")
    harness.clock.advance(hours=2)
    out = await lan.send("cài iHanoi thế nào")
    assert "hỏi thêm cán bộ về câu hỏi #1" in out[-1].text
    assert (await harness.app.helpdesk.tickets.get(1)).status == Status.CLOSED
    out = await lan.send("bác ra rồi mà vẫn chưa được")
    assert "mở lại câu hỏi #1" in out[-1].text
