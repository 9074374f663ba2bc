"""Help-desk buttons: typed callback data, forged or stale payloads, closing only after "Có"."""

from __future__ import annotations

import pytest

from bot.adapters.telegram.helpdesk_callbacks import (
    RESIDENT_FACTORIES,
    STAFF_FACTORIES,
    AnswerCb,
    AskCb,
    DraftCb,
    MoveToCb,
    StaffCb,
    TicketCb,
)
from bot.app import helpdesk_buttons as B
from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group

GONE = "Nút này không còn dùng được"


@pytest.mark.parametrize(
    ("payload", "factory"),
    [
        *[(B.draft(a), DraftCb) for a in B.DraftAction],
        *[(B.ticket(a, 12), TicketCb) for a in B.TicketAction],
        *[(B.answer(a, 12, 1), AnswerCb) for a in B.TicketAnswer],
        *[(B.staff(a, 12), StaffCb) for a in B.StaffAction],
        (B.move_to(12, "phu-thuong"), MoveToCb),
        ("ask:vneid-activate:2", AskCb),  # built by the resident flow under a guide step
    ],
)
def test_every_payload_the_app_builds_is_read_back_by_exactly_one_factory(payload, factory):
    readers = []
    for f in (*RESIDENT_FACTORIES, *STAFF_FACTORIES):
        try:
            parsed = f.unpack(payload)
        except (TypeError, ValueError):
            continue
        readers.append(f)
        assert parsed.pack() == payload
    assert readers == [factory]


async def open_ticket(harness):
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("không đăng nhập được VNeID")
    await lan.press("Gửi cho cán bộ")
    return lan


@pytest.mark.parametrize(
    "payload",
    [
        "hd:close:abc",
        "hd:close:99999999999999999999999",  # would overflow the database's integer
        "hd:close:-3",
        "hd:rate:1:9",
        "hd:ok:1",
        "hd:explode",
        "hd:close:1:2:3",
        "ask:vneid-activate:x",
    ],
)
async def test_forged_resident_payload_is_answered_politely(harness, payload):
    lan = await open_ticket(harness)
    before = len(harness.fake.sent)
    await lan.press_data(payload)
    assert harness.fake.callback_answers[-1].get("text") == GONE
    assert harness.fake.messages_to(1001, before) == []  # no apology, no screen
    assert (await harness.app.tickets.get(1)).is_open


async def test_someone_elses_ticket_button_is_refused(harness):
    await open_ticket(harness)
    other = await harness.onboarded(user_id=1002)
    out = await other.press_data("hd:closey:1")
    assert "Không tìm thấy câu hỏi này" in out[-1].text
    assert (await harness.app.tickets.get(1)).is_open


@pytest.mark.parametrize("payload", ["tk:claim:x", "tk:steal:1", "tk:mv:1", "tk:zz:1:tay-ho", "tk:claim:0"])
async def test_forged_staff_payload_is_answered_politely(harness, payload):
    await staff_group(harness)
    await open_ticket(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    before = len(harness.fake.sent)
    await ha.press_data(payload)
    assert harness.fake.callback_answers[-1].get("text") == GONE
    assert harness.fake.messages_to(GROUP, before) == []
    assert (await harness.app.tickets.get(1)).assignee_id is None


async def test_closing_asks_first_and_no_keeps_the_question_open(harness):
    await staff_group(harness)
    lan = await open_ticket(harness)
    screen = harness.fake.last_to(1001)
    close_row = next(row for row in screen.buttons if any("đóng câu hỏi" in b["text"] for b in row))
    assert len(close_row) == 1  # the close button has a row of its own, never beside "Tiếp"
    out = await lan.press("Xong rồi, đóng câu hỏi")
    assert "Bác chắc chắn muốn đóng câu hỏi #1?" in out[-1].text
    assert (await harness.app.tickets.get(1)).is_open
    out = await lan.press("Không, để mở")
    assert "vẫn mở" in out[-1].text
    assert (await harness.app.tickets.get(1)).is_open
    await lan.press("Xong rồi, đóng câu hỏi")
    out = await lan.press("Có, đóng câu hỏi")
    assert "đã đóng câu hỏi #1" in out[0].text
    assert not (await harness.app.tickets.get(1)).is_open
    assert "tự đóng phiếu #1" in harness.fake.last_to(GROUP).text
