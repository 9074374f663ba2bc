"""Nothing irreversible on the first tap: closing a question, cancelling or withdrawing a notice, discarding
a draft, unbinding a group, removing a role. Each asks a specific question, "Không" first and the
destructive button alone on the row below; a stale or forged confirmation is answered "Nút này không còn dùng được".
"""

from __future__ import annotations

from bot.app.tickets import Status
from tests.telegram.test_announcements import OFFICIAL, compose, notices_to, runner_of, ward_with_groups
from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group
from tests.telegram.test_helpdesk_staff import open_ticket

GONE = "Nút này không còn dùng được"


def assert_no_first(screen, no: str, yes: str) -> None:
    """ "Không" on the first row, the destructive button alone on the row below."""
    labels = [[b["text"] for b in row] for row in screen.buttons]
    assert labels == [[no], [yes]], labels


async def test_staff_close_asks_in_the_topic_and_no_keeps_the_ticket_open(harness):
    await staff_group(harness)
    await open_ticket(harness)
    card = next(m for m in harness.fake.messages_to(GROUP) if m.text.startswith("🆕 Phiếu #1"))
    close_row = next(row for row in card.buttons if any("Đóng" in b["text"] for b in row))
    assert len(close_row) == 1  # never beside "Nhận" or "Chuyển phường"
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)

    await ha.press_data("tk:close:1", card)
    ask = harness.fake.last_to(GROUP)
    assert ask.text == "Đóng câu hỏi #1 của cư dân? Việc này không hoàn tác được."
    assert ask.thread_id == card.thread_id  # in the ticket's own topic
    assert_no_first(ask, "↩️ Không", "✅ Có, đóng")
    assert (await harness.app.tickets.get(1)).is_open

    before = len(harness.fake.sent)
    await ha.press("Không")
    assert harness.fake.callback_answers[-1]["text"] == "Phiếu #1 vẫn mở."
    assert harness.fake.messages_to(1001, before) == []  # the resident hears nothing
    assert (await harness.app.tickets.get(1)).status == Status.OPEN

    await ha.press_data("tk:close:1", card)
    confirm = harness.fake.last_to(GROUP)
    await ha.press("Có, đóng")
    assert not (await harness.app.tickets.get(1)).is_open
    assert "đã đóng câu hỏi #1" in harness.fake.last_to(1001).text
    assert "Phiếu #1 đã đóng (Cán bộ Hà)" in harness.fake.last_to(GROUP).text

    # the same confirmation pressed again (a double tap, or an old message): nothing happens twice
    before = len(harness.fake.sent)
    await ha.press_data("tk:closey:1", confirm)
    assert harness.fake.callback_answers[-1]["text"] == GONE
    assert harness.fake.sent[before:] == []


async def test_forged_staff_confirmation_is_answered_politely(harness):
    await staff_group(harness)
    await open_ticket(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    for payload in ("tk:closey:999", "tk:closen:999", "tk:closey:0", "tk:closey:x"):
        before = len(harness.fake.sent)
        await ha.press_data(payload)
        assert harness.fake.callback_answers[-1]["text"] == GONE, payload
        assert harness.fake.sent[before:] == []
    assert (await harness.app.tickets.get(1)).is_open


async def test_staff_of_another_ward_cannot_confirm_a_close(harness):
    await staff_group(harness)
    await staff_group(harness, chat_id=-1002000000009, ward="phu-thuong", staff_ids=(2003,))
    await open_ticket(harness)
    outsider = harness.actor(2003, "Cán bộ Phú Thượng", chat_id=GROUP)
    await outsider.press_data("tk:closey:1")
    assert "không có quyền" in harness.fake.callback_answers[-1]["text"]
    assert (await harness.app.tickets.get(1)).is_open


async def test_resident_close_asks_no_first_and_a_stale_yes_is_gone(harness):
    await staff_group(harness)
    lan = await open_ticket(harness)
    out = await lan.press("Xong rồi, đóng câu hỏi")
    assert "Bác chắc chắn muốn đóng câu hỏi #1?" in out[-1].text
    assert_no_first(out[-1], "↩️ Không, để mở", "✅ Có, đóng câu hỏi")
    confirm = out[-1]
    await lan.press("Có, đóng câu hỏi")
    assert not (await harness.app.tickets.get(1)).is_open
    before = len(harness.fake.sent)
    await lan.press_data("hd:closey:1", confirm)
    assert harness.fake.callback_answers[-1]["text"] == GONE
    assert harness.fake.messages_to(1001, before) == []


async def test_cancelling_a_notice_asks_first(harness):
    fake = harness.fake
    await ward_with_groups(harness, (-1003000000005, "5"))
    o, _, _ = await compose(harness, "Cắt điện chiều thứ Năm.", "Cả phường", when="Chọn ngày giờ", at="25/11 15:00")
    await o.send("/announcements")
    listed = fake.last_to(OFFICIAL)
    assert [[b["text"] for b in row] for row in listed.buttons] == [["✏️ Sửa #1"], ["🗑 Huỷ #1"]]
    out = await o.press("Huỷ #1")
    assert out[-1].text.startswith("Huỷ thông báo #1 «Cắt điện chiều thứ Năm.»? Những tin chưa gửi")
    assert_no_first(out[-1], "↩️ Không, giữ lại", "🗑 Có, huỷ")
    out = await o.press("Không, giữ lại")
    assert "Thông báo #1 giữ nguyên." in out[-1].text
    assert (await harness.app.announcements.get(1)).status.value == "scheduled"
    await o.press("Huỷ #1")
    confirm = fake.last_to(OFFICIAL)
    out = await o.press("Có, huỷ")
    assert "Đã huỷ thông báo #1" in out[-1].text
    assert (await harness.app.announcements.get(1)).status.value == "cancelled"
    before = len(fake.sent)
    await o.press_data("an:cy:1", confirm)  # the confirmation again: stale
    assert fake.callback_answers[-1]["text"] == GONE
    assert fake.sent[before:] == []


async def test_withdrawing_says_how_many_got_it_and_asks_first(harness):
    fake = harness.fake
    g5 = -1003000000005
    await ward_with_groups(harness, (g5, "5"))
    await harness.onboarded(1001)
    await harness.onboarded(1002)
    o, _, _ = await compose(harness, "Nhầm ngày, xin thu hồi.", "Cả phường")
    await runner_of(harness).pump()
    assert len(notices_to(fake, g5)) == 1
    await o.send("/announcements")
    out = await o.press("Thu hồi #1")
    assert out[-1].text.startswith("Thu hồi thông báo #1 «Nhầm ngày, xin thu hồi.» đã gửi tới 3 người và nhóm?")
    assert_no_first(out[-1], "↩️ Không, giữ lại", "↩️ Có, thu hồi")
    assert (await harness.app.announcements.get(1)).status.value != "withdrawn"
    out = await o.press("Có, thu hồi")
    assert "Đã thu hồi thông báo #1" in out[-1].text
    assert (await harness.app.announcements.get(1)).status.value == "withdrawn"


async def test_forged_notice_confirmations_are_answered_politely(harness):
    await ward_with_groups(harness, (-1003000000005, "5"))
    o, _, _ = await compose(harness, "Họp tổ.", "Cả phường", when="Chọn ngày giờ", at="26/11 19:00")
    for payload in ("an:cy:999", "an:wdy:0", "an:keep:abc", "an:cy:1:2", "an:wdy:1"):
        before = len(harness.fake.sent)
        await o.press_data(payload)
        assert harness.fake.callback_answers[-1]["text"] == GONE, payload
        assert harness.fake.sent[before:] == []
    assert (await harness.app.announcements.get(1)).status.value == "scheduled"


async def test_discarding_a_draft_asks_first_and_no_goes_back_to_the_preview(harness):
    await ward_with_groups(harness)
    o = harness.actor(OFFICIAL, "Chủ tịch phường")
    await o.send("/thongbao")
    await o.send("Tiêm phòng cho trẻ sáng thứ Bảy.")
    await o.press("Cả phường")
    out = await o.press("Gửi ngay")
    out = await o.press("Huỷ soạn")
    assert out[-1].text == "Bỏ bản soạn này? Nội dung vừa gõ sẽ mất."
    assert_no_first(out[-1], "↩️ Không, quay lại", "❌ Có, bỏ")
    out = await o.press("Không, quay lại")
    assert out[-1].button_labels[0] == "✅ Xác nhận"  # the draft is still there
    await o.press("Huỷ soạn")
    out = await o.press("Có, bỏ")
    assert "Đã bỏ bản soạn." in out[-1].text
    out = await o.send("/announcements")
    assert "Chưa có thông báo nào" in out[-1].text
