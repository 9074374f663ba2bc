"""Home visits through the real dispatcher: a resident asks for someone to come home, the team group
covering her tổ takes it, proposes a time she confirms, logs the visit; she rates it (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_settings
from tests.harness import Harness
from tests.telegram.test_helpdesk_roundtrip import ADMIN, GROUP, staff_group

TEAM_A = -1003000000001  # covers tổ 5 of Tây Hồ
TEAM_B = -1003000000002  # covers tổ 7
MAI, HUNG, TUAN = 3001, 3002, 3003  # Mai and Tuấn in team A, Hùng in team B


@pytest.fixture
async def db_harness(db_url, fake, clock):
    """The whole bot on SQLite, then on PostgreSQL."""
    h = await Harness(make_settings(db_url), fake, clock).start()
    yield h
    await h.stop()


def pause(harness) -> None:
    """Bác Lan takes a breath: the flood window (20 updates in 10 s of real time) starts afresh."""
    harness.app.flood.hits.clear()


async def teams(harness) -> None:
    await staff_group(harness)
    out = await harness.actor(ADMIN, "Quản trị", chat_id=TEAM_A).send("/bind_team tay-ho 5")
    assert "tổ chuyển đổi số cộng đồng của" in out[-1].text and "tổ 5" in out[-1].text
    out = await harness.actor(ADMIN, "Quản trị", chat_id=TEAM_B).send("/bind_team tay-ho 7")
    assert "tổ 7" in out[-1].text


async def request_visit(harness, lan, *, from_stuck: bool = True) -> list:
    if from_stuck:
        await lan.press("VNeID – định danh")
        await lan.press("Cài VNeID và kích hoạt")
        await lan.press("Tiếp")
        out = await lan.press("Tôi bị kẹt")
        assert "🏠 Nhờ người đến nhà" in out[-1].button_labels
    else:
        out = await lan.send("/hen")
        assert "chưa có yêu cầu" in out[-1].text
    out = await lan.press("Nhờ người đến nhà")
    assert "tổ dân phố số mấy" in out[-1].text
    out = await lan.press("Tổ 5")
    assert "Bác cần giúp việc gì" in out[-1].text
    out = await lan.send("cài VNeID mức 2, số CCCD của bác 001234567890")
    assert "buổi nào" in out[-1].text
    await lan.press("Buổi sáng")
    out = await lan.press("Ngày thường")
    assert "số điện thoại" in out[-1].text
    out = await lan.send("12345")
    assert "chưa đúng" in out[-1].text
    out = await lan.send("0912 345 678")
    summary = out[-1]
    assert "Tổ dân phố: 5" in summary.text and "buổi sáng, ngày thường" in summary.text
    assert "0912345678" in summary.text and "001234567890" not in summary.text
    assert summary.button_labels == ["Không", "Có, gửi đi"]
    return await lan.press("Có, gửi đi")


async def test_resident_request_goes_to_her_teams_group_member_takes_proposes_logs_and_she_rates(db_harness):
    harness = db_harness
    await teams(harness)
    lan = await harness.onboarded()  # tổ 5
    out = await request_visit(harness, lan)
    pause(harness)
    assert "yêu cầu #1" in out[-1].text and "/hen" in out[-1].text

    # The card reaches team A only, phone masked, CCCD masked.
    card = harness.fake.last_to(TEAM_A)
    assert "Yêu cầu đến nhà #1" in card.text and "Bác Lan" in card.text and "09••••••78" in card.text
    assert card.button_labels == ["🙋 Nhận", "📅 Hẹn lịch", "✔️ Xong"]
    assert harness.fake.messages_to(TEAM_B) == [m for m in harness.fake.messages_to(TEAM_B) if "#1" not in m.text]
    for chat in (TEAM_A, TEAM_B, GROUP):
        assert not any("0912345678" in m.text or "001234567890" in m.text for m in harness.fake.messages_to(chat))

    # Mai takes it: the number is shown to her alone (an alert), Bác Lan is told.
    mai = harness.actor(MAI, "Chị Mai", chat_id=TEAM_A)
    await mai.press("Nhận")
    alert = harness.fake.callback_answers[-1]
    assert alert.get("show_alert") and "0912345678" in alert["text"]
    assert "Chị Mai" in harness.fake.last_to(1001).text and "đã nhận" in harness.fake.last_to(1001).text
    assert "Chị Mai đã nhận" in harness.fake.find_message(TEAM_A, card.message_id).text

    # Tuấn (same team) cannot propose on Mai's request.
    tuan = harness.actor(TUAN, "Anh Tuấn", chat_id=TEAM_A)
    await tuan.press_data("vt:prop:1", card)
    assert "người khác nhận" in harness.fake.callback_answers[-1]["text"]

    # Mai proposes Thursday 09:00 (Bác Lan asked for weekday mornings); Bác Lan agrees.
    await mai.press("Hẹn lịch")
    choices = harness.fake.last_to(TEAM_A)
    assert choices.button_labels[0] == "09:00 thứ Năm 26/11"
    await mai.press("09:00 thứ Năm 26/11")
    ask = harness.fake.last_to(1001)
    assert "09:00 thứ Năm 26/11" in ask.text and ask.button_labels == ["Không, giờ khác", "Có, đồng ý"]
    out = await lan.press("Có, đồng ý")
    assert "hẹn bác lúc 09:00 thứ Năm 26/11" in out[-1].text
    assert "Bác Lan đồng ý" in harness.fake.last_to(TEAM_A).text
    assert "người dân đã đồng ý" in harness.fake.find_message(TEAM_A, card.message_id).text

    # After the visit: the log by buttons, with a note.
    harness.clock.advance(days=1)
    await mai.press("Xong")
    form = harness.fake.last_to(TEAM_A)
    assert "Nhật ký" in form.text
    await mai.press("iHanoi")
    await mai.press("VNeID mức 2")
    await mai.press("Có người dùng smartphone")
    form = harness.fake.find_message(TEAM_A, form.message_id)
    assert "✅ iHanoi" in form.button_labels and "▫️ eTax" in form.button_labels
    await mai.press("Thêm ghi chú")
    await mai.send("Bác đã tự mở VNeID, CCCD 001234567890")
    form = harness.fake.find_message(TEAM_A, form.message_id)
    assert "iHanoi, VNeID mức 2" in form.text and "[số CCCD đã ẩn]" in form.text and form.buttons == []
    assert "Đã xong" in harness.fake.find_message(TEAM_A, card.message_id).text
    rate = harness.fake.last_to(1001)
    assert "chấm mấy sao" in rate.text and len(rate.buttons[0]) == 5
    out = await lan.press("5 ⭐")
    assert "cảm ơn" in out[-1].text

    # Progress counts the household once, with the flags of the log.
    p = await harness.app.extra["visits"].progress("tay-ho")
    (row,) = [r for r in p.rows if r.to == "5"]
    assert (row.visited, row.smartphone, row.epay, row.open_requests) == (1, 1, 0, 0)
    assert row.median_hours == 24.0
    # Pressing "Xong" again on the finished card does nothing.
    await mai.press_data("vt:done:1", card)
    assert "đã xong" in harness.fake.callback_answers[-1]["text"]


async def test_other_teams_member_and_forged_buttons_are_refused(harness):
    out = await harness.actor(HUNG, "Anh Hùng", chat_id=TEAM_B).send("/bind_team tay-ho 5")
    assert "tổ chuyển đổi số cộng đồng của" not in out[-1].text  # only an admin binds a team
    await teams(harness)
    lan = await harness.onboarded()
    await request_visit(harness, lan, from_stuck=False)
    card = harness.fake.last_to(TEAM_A)
    hung = harness.actor(HUNG, "Anh Hùng", chat_id=TEAM_B)
    for data in ("vt:take:1", "vt:done:1", "vta:1:29000000", "vl:s:1:3", "vt:take:999", "vt:zap:1", "vl:s:1:99999"):
        await hung.press_data(data)  # pressed in team B's group
        assert harness.fake.callback_answers[-1]["text"] == "Nút này không còn dùng được", data
    # nobody in team B took it, and team A's card still waits
    assert "Chưa ai nhận" in harness.fake.find_message(TEAM_A, card.message_id).text
    # a resident cannot answer a time nobody proposed, nor rate someone else's visit
    out = await lan.press_data("hvt:1:1:29000000")
    assert "không còn dùng được" in out[-1].text
    other = await harness.onboarded(user_id=1002)
    out = await other.press_data("hvr:xy:1:0")
    assert "không còn dùng được" in out[-1].text
    out = await lan.send("/hen")
    assert "Yêu cầu #1" in out[-1].text


async def test_resident_edits_then_cancels_her_request_with_confirmation(harness):
    await teams(harness)
    lan = await harness.onboarded()
    await request_visit(harness, lan, from_stuck=False)
    pause(harness)
    card = harness.fake.last_to(TEAM_A)
    out = await lan.send("/hen")
    assert "Yêu cầu #1" in out[-1].text and "đang chờ người trong tổ nhận" in out[-1].text
    await lan.press("Đổi thời gian")
    await lan.press("Buổi tối")
    out = await lan.press("Cuối tuần")
    assert "đã sửa yêu cầu #1" in out[-1].text
    assert "buổi tối, cuối tuần" in harness.fake.find_message(TEAM_A, card.message_id).text
    pause(harness)
    await lan.send("/hen")
    await lan.press("Đổi số điện thoại")
    out = await lan.send("+84 987 654 321")
    assert "đã sửa" in out[-1].text
    out = await lan.send("/hen")
    assert "0987654321" in out[-1].text
    # cancel: "Không" keeps it, "Có" cancels it
    out = await lan.press("Hủy yêu cầu")
    assert out[-1].button_labels == ["Không", "Có, hủy yêu cầu"]
    out = await lan.press("Không")
    assert "giữ nguyên" in out[-1].text
    await lan.send("/hen")
    await lan.press("Hủy yêu cầu")
    out = await lan.press("Có, hủy yêu cầu")
    assert "đã hủy yêu cầu #1" in out[-1].text
    assert "đã hủy" in harness.fake.find_message(TEAM_A, card.message_id).text
    assert harness.fake.find_message(TEAM_A, card.message_id).buttons == []
    out = await lan.send("/hen")
    assert "chưa có yêu cầu" in out[-1].text
    mai = harness.actor(MAI, "Chị Mai", chat_id=TEAM_A)
    await mai.press_data("vt:take:1", card)
    assert "đã hủy" in harness.fake.callback_answers[-1]["text"]


async def test_request_nobody_takes_is_reminded_once_after_48_hours_in_group_and_to_staff(harness):
    await teams(harness)
    lan = await harness.onboarded()
    await request_visit(harness, lan, from_stuck=False)
    worker = harness.app.extra["visit_reminders"]
    from bot.adapters.telegram.visits import VisitSender

    sender = VisitSender(harness.bot)
    harness.clock.advance(hours=47, minutes=59)
    assert await worker.tick(sender) == 0
    harness.clock.advance(minutes=2)
    assert await worker.tick(sender) == 2
    assert "48 giờ chưa ai nhận" in harness.fake.last_to(TEAM_A).text
    note = harness.fake.last_to(GROUP)
    assert "#1" in note.text and "0912345678" in note.text  # ward staff may call her
    assert await worker.tick(sender) == 0  # once

    # Monday 08:00 in Hà Nội: ward staff get the week's progress per tổ, once.
    harness.clock.current = dt.datetime(2026, 11, 30, 0, 59, tzinfo=dt.UTC)
    assert await worker.tick(sender) == 0
    harness.clock.advance(minutes=1)
    assert await worker.tick(sender) == 1
    digest = harness.fake.last_to(GROUP).text
    assert "tiến độ tuần này" in digest and "• Tổ 5: đã thăm 0/0 hộ" in digest and "1 yêu cầu đang mở" in digest
    assert "0912345678" not in digest
    assert await worker.tick(sender) == 0
    harness.clock.advance(days=7)
    assert await worker.tick(sender) == 1  # the next week


async def test_wizard_is_left_by_a_command_and_typed_text_reasks_the_buttons(harness):
    await teams(harness)
    lan = await harness.onboarded()
    await lan.send("/hen")
    await lan.press("Nhờ người đến nhà")
    await lan.send("5")
    await lan.send("cài iHanoi")
    out = await lan.send("sáng mai nhé")
    assert "buổi nào" in out[-1].text and "Buổi sáng" in out[-1].button_labels
    for forged in ("hvp:night", "hvk:weekday", "hvs:1", "hvo:abc"):  # unknown value, or not this question's turn
        await lan.press_data(forged)
        assert harness.fake.callback_answers[-1]["text"] == "Nút này không còn dùng được", forged
    pause(harness)
    out = await lan.send("/menu")
    assert "Bác cần giúp gì" in out[-1].text
    out = await lan.send("cài iHanoi thế nào")
    assert "📘 Cài ứng dụng iHanoi" in out[-1].text
    # a button of the menu or a guide leaves it too
    await lan.send("/hen")
    await lan.press("Nhờ người đến nhà")
    out = await lan.press("Về menu")
    assert "Bác cần giúp gì" in out[-1].text
    out = await lan.send("cài iHanoi thế nào")
    assert "📘 Cài ứng dụng iHanoi" in out[-1].text


async def test_only_the_latest_proposed_time_can_be_accepted(harness):
    await teams(harness)
    lan = await harness.onboarded()
    await request_visit(harness, lan, from_stuck=False)
    pause(harness)
    mai = harness.actor(MAI, "Chị Mai", chat_id=TEAM_A)
    await mai.press("Nhận")
    await mai.press("Hẹn lịch")
    await mai.press("09:00 thứ Năm 26/11")
    first = harness.fake.last_to(1001)
    await mai.press("Hẹn lịch")
    await mai.press("09:00 thứ Sáu 27/11")  # she changed her mind before Bác Lan answered
    second = harness.fake.last_to(1001)
    _m, yes = lan.last_with_button("Có, đồng ý")
    old_yes = next(b for row in first.buttons for b in row if "Có" in b["text"])
    out = await lan.press_data(old_yes["callback_data"], first)
    assert "không còn dùng được" in out[-1].text
    out = await lan.press_data(yes["callback_data"], second)
    assert "09:00 thứ Sáu 27/11" in out[-1].text
    out = await lan.send("/hen")
    assert "đã hẹn 09:00 thứ Sáu 27/11" in out[-1].text


def test_every_payload_the_use_cases_build_is_read_by_exactly_one_factory():
    from bot.adapters.telegram import visit_callbacks as cb
    from bot.app import visit_buttons as vb
    from bot.core import visits as core

    at = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)
    payloads = [
        vb.START,
        vb.my_to("5"),
        *(vb.day_part(p) for p in core.DayPart),
        *(vb.day_kind(k) for k in core.DayKind),
        vb.send(True),
        vb.send(False),
        *(vb.request(a, 7, 5) for a in vb.RequestAction),
        vb.time_answer(7, True, at),
        *(vb.team(a, 7) for a in vb.TeamAction),
        vb.propose_at(7, at),
        *(vb.log(a, 7, 1023) for a in vb.LogAction),
    ]
    factories = (cb.StartCb, *cb.RESIDENT_FACTORIES, *cb.TEAM_FACTORIES)
    for data in payloads:
        assert len(data.encode()) <= 64
        readers = []
        for f in factories:
            try:
                f.unpack(data)
            except (TypeError, ValueError):
                continue
            readers.append(f)
        assert len(readers) == 1, (data, readers)
    assert vb.minutes_to_time(cb.ProposeCb.unpack(vb.propose_at(7, at)).at) == at


async def test_team_group_upgraded_to_supergroup_keeps_its_requests_and_a_removed_one_gets_none(harness):
    old, new = -5000009, -1003000000099
    await staff_group(harness)
    await harness.actor(ADMIN, "Quản trị", chat_id=old).send("/bind_team tay-ho 5")
    lan = await harness.onboarded()
    await request_visit(harness, lan, from_stuck=False)
    pause(harness)
    await harness.actor(ADMIN, "Quản trị", chat_id=new).raw(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": new, "type": "supergroup", "title": "Tổ CĐS"},
                "from": {"id": ADMIN, "is_bot": False, "first_name": "Quản trị"},
                "migrate_from_chat_id": old,
            }
        }
    )
    mai = harness.actor(MAI, "Chị Mai", chat_id=new)
    await mai.press_data("vt:take:1")  # the old card, pressed in the upgraded group
    assert "0912345678" in harness.fake.callback_answers[-1]["text"]
    bot_user = {"id": harness.fake.bot_id, "is_bot": True, "first_name": "Bot"}
    await harness.actor(ADMIN, "Quản trị", chat_id=new).raw(
        {
            "my_chat_member": {
                "chat": {"id": new, "type": "supergroup", "title": "Tổ CĐS"},
                "from": {"id": ADMIN, "is_bot": False, "first_name": "Quản trị"},
                "date": 0,
                "old_chat_member": {"status": "member", "user": bot_user},
                "new_chat_member": {"status": "kicked", "user": bot_user, "until_date": 0},
            }
        }
    )
    await lan.send("/hen")
    await lan.press("Hủy yêu cầu")
    await lan.press("Có, hủy yêu cầu")
    pause(harness)
    await request_visit(harness, lan, from_stuck=False)
    assert "Yêu cầu đến nhà #2" in harness.fake.last_to(GROUP).text  # no team now: the ward's staff group


async def test_asking_in_words_for_someone_to_come_home_offers_the_visit_button(harness):
    await teams(harness)
    lan = await harness.onboarded()
    out = await lan.send("nhờ cán bộ xuống nhà chỉ cho làm")
    assert "Hỏi cán bộ phường" in out[-1].text and "🏠 Nhờ người đến nhà" in out[-1].button_labels
    out = await lan.press("Nhờ người đến nhà")
    assert "tổ dân phố số mấy" in out[-1].text
    # a resident of another ward gets no such button: there is no team to send
    other = harness.actor(1005, "Bà Tư")
    await other.send("/start")
    await other.press("Tiếng Việt")
    await other.press("Bác")
    await other.press("Phường khác")
    out = await other.send("nhờ cán bộ xuống nhà chỉ cho làm")
    assert "🏠 Nhờ người đến nhà" not in out[-1].button_labels
    out = await other.send("/hen")
    out = await other.press("Nhờ người đến nhà")
    assert "phường thí điểm" in out[-1].text


async def test_a_request_made_before_any_team_goes_to_the_first_group_bound_for_her_to(harness):
    lan = await harness.onboarded()  # no team group, no staff group yet
    out = await request_visit(harness, lan, from_stuck=False)
    assert "chưa gắn tổ chuyển đổi số" in out[-1].text and "khi có tổ nhận" in out[-1].text
    pause(harness)
    await harness.actor(ADMIN, "Quản trị", chat_id=TEAM_B).send("/bind_team tay-ho 7")
    assert not any("#1" in m.text for m in harness.fake.messages_to(TEAM_B))  # tổ 7 only: not hers
    await harness.actor(ADMIN, "Quản trị", chat_id=TEAM_A).send("/bind_team tay-ho 5")
    card = harness.fake.last_to(TEAM_A)
    assert "Yêu cầu đến nhà #1" in card.text and "Nhận" in card.button_labels[0]
    await harness.actor(MAI, "Chị Mai", chat_id=TEAM_A).press("Nhận")
    assert "0912345678" in harness.fake.callback_answers[-1]["text"]
    await harness.actor(ADMIN, "Quản trị", chat_id=TEAM_A).send("/bind_team tay-ho 5")
    assert len([m for m in harness.fake.messages_to(TEAM_A) if "Yêu cầu đến nhà #1" in m.text]) == 1  # once
