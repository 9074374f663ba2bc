"""Admins' work (issue 14 #7, #8): one digest a day of wards whose questions wait with no staff group, sent
once however many instances run; unbinding a staff or neighbourhood group and removing a role, each
asked first ("Không" first, the destructive button alone below); forged or stale presses answered."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from sqlalchemy import select

from bot.adapters.db.tickets import TicketAuditRow
from bot.adapters.telegram.admin_callbacks import RevokeCb, UnbindCb
from bot.adapters.telegram.desk_sender import DeskSender
from bot.app import admin_buttons as B
from bot.app.admin_digest import waiting_age
from bot.app.residents import Role
from tests.conftest import make_settings
from tests.harness import Harness
from tests.telegram.test_announcements import ADMIN, OFFICIAL, ward_with_groups
from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group
from tests.telegram.test_helpdesk_staff import open_ticket

GONE = "Nút này không còn dùng được"
STAFF = 2001
G5 = -1003000000005  # the neighbourhood group of tổ dân phố 5


def labels(message) -> list[list[str]]:
    return [[b["text"] for b in row] for row in message.buttons]


def digests(harness: Harness, since: int = 0) -> list[str]:
    return [m.text for m in harness.fake.messages_to(ADMIN, since) if m.text.startswith("📋")]


async def audit_actions(harness: Harness) -> list[str]:
    async with harness.app.db.session() as s:
        return list((await s.execute(select(TicketAuditRow.action).order_by(TicketAuditRow.id))).scalars())


def _no_errors(caplog) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]


# --- the daily digest ---------------------------------------------------------------------------


async def test_two_instances_send_the_admins_digest_once_a_day(db_url, fake, clock):
    one = await Harness(make_settings(db_url), fake, clock).start()
    two = await Harness(make_settings(db_url), fake, clock).start()
    try:
        await open_ticket(one)  # Tây Hồ has no staff group: the question waits
        await open_ticket(one, "câu hỏi thứ hai", user_id=1002)
        clock.advance(hours=3)  # 12:00 in Hà Nội

        async def both() -> int:
            counts = await asyncio.gather(
                one.app.extra["admin_digest"].tick(DeskSender(one.bot)),
                two.app.extra["admin_digest"].tick(DeskSender(two.bot)),
            )
            return sum(counts)

        before = len(fake.sent)
        assert await both() == 1
        [text] = digests(one, before)
        assert "Phường Tây Hồ: 2 câu hỏi đang chờ, lâu nhất 3 giờ (mã phường: tay-ho)" in text
        assert "/bind_ward" in text and "Bác" not in text  # admins are addressed plainly
        assert "Phú Thượng" not in text  # nothing waits there

        clock.advance(hours=5)  # later the same day: nothing more
        assert await both() == 0
        clock.advance(hours=16)  # 09:00 the next morning, still waiting
        before = len(fake.sent)
        assert await both() == 1
        assert "lâu nhất 1 ngày" in digests(one, before)[0]
    finally:
        await two.stop()
        await one.stop()


async def test_no_digest_when_nothing_waits_without_staff(harness):
    digest = harness.app.extra["admin_digest"]
    sender = DeskSender(harness.bot)
    assert await digest.tick(sender) == 0  # nothing at all
    await staff_group(harness)
    await open_ticket(harness)  # waiting, but staff have it
    harness.clock.advance(hours=2)
    before = len(harness.fake.sent)
    assert await digest.tick(sender) == 0
    assert harness.fake.sent[before:] == []


async def test_the_digest_waits_for_the_morning_and_skips_answered_questions(harness):
    harness.clock.current = dt.datetime(2026, 11, 25, 0, 30, tzinfo=dt.UTC)  # 07:30 in Hà Nội
    await open_ticket(harness)
    digest = harness.app.extra["admin_digest"]
    assert await digest.tick(DeskSender(harness.bot)) == 0  # before 08:00
    harness.clock.advance(minutes=40)
    assert await digest.tick(DeskSender(harness.bot)) == 1
    assert "lâu nhất 40 phút" in digests(harness)[-1]


def test_waiting_age_shows_the_two_largest_units(harness):
    t = harness.app.texts
    assert waiting_age(t, "vi", dt.timedelta(days=2, hours=3, minutes=5)) == "2 ngày 3 giờ"
    assert waiting_age(t, "vi", dt.timedelta(seconds=20)) == "1 phút"
    assert waiting_age(t, "en", dt.timedelta(hours=5)) == "5 h"


# --- unbinding a staff group --------------------------------------------------------------------


async def test_unbind_ward_asks_first_no_keeps_it_yes_unbinds(harness):
    admin = await staff_group(harness)
    await open_ticket(harness)
    out = await admin.send("/unbind_ward")
    ask = out[-1]
    assert ask.text.startswith("Bỏ gắn nhóm này khỏi Phường Tây Hồ?")
    assert "câu hỏi mới của người dân Phường Tây Hồ không vào nhóm này nữa" in ask.text
    assert "1 phiếu đang mở trong nhóm được giữ lại chờ nhóm mới" in ask.text
    assert "nhắc hạn và bản tin hằng ngày của nhóm dừng" in ask.text
    assert labels(ask) == [["↩️ Không"], ["✅ Có, bỏ gắn"]]

    await admin.press("Không")
    assert harness.fake.callback_answers[-1]["text"] == "Giữ nguyên, không có gì thay đổi."
    assert (await harness.app.tickets.group(GROUP)).active
    assert harness.fake.last_to(GROUP).buttons == []  # the question cannot be answered twice

    await admin.send("/unbind_ward")
    await admin.press("Có, bỏ gắn")
    assert not (await harness.app.tickets.group(GROUP)).active
    assert "Đã bỏ gắn nhóm cán bộ khỏi Phường Tây Hồ. 1 phiếu đang mở chờ nhóm mới" in harness.fake.last_to(GROUP).text
    assert "unbind_ward" in await audit_actions(harness)
    # the resident is now told plainly that nobody is connected, no deadline promised
    lan = harness.actor(1001)
    out = await lan.send("bác gửi thêm ảnh")
    assert "chưa kết nối cán bộ" in out[-1].text


async def test_unbind_ward_in_private_with_the_ward_id(harness, caplog):
    await staff_group(harness)
    admin = harness.actor(ADMIN, "Quản trị")
    out = await admin.send("/unbind_ward phu-thuong")
    assert out[-1].text == "Phường Phú Thượng hiện không có nhóm cán bộ nào đang gắn."
    out = await admin.send("/unbind_ward")
    assert "Cách dùng" in out[-1].text
    out = await admin.send("/unbind_ward tay-ho")
    assert out[-1].text.startswith(f"Bỏ gắn nhóm (chat {GROUP}) khỏi Phường Tây Hồ?")
    assert "nhóm không có phiếu nào đang mở" in out[-1].text and "0 phiếu" not in out[-1].text
    confirm = out[-1]
    await admin.press("Có, bỏ gắn")
    assert not (await harness.app.tickets.group(GROUP)).active
    # the same confirmation pressed again: nothing left to do
    before = len(harness.fake.sent)
    await admin.press_data(B.unbind(B.Answer.YES, B.Unbind.WARD, GROUP), confirm)
    assert harness.fake.callback_answers[-1]["text"] == GONE
    assert harness.fake.sent[before:] == []
    _no_errors(caplog)


async def test_a_non_admin_cannot_unbind_or_confirm(harness):
    admin = await staff_group(harness)
    ha = harness.actor(STAFF, "Cán bộ Hà", chat_id=GROUP)
    out = await ha.send("/unbind_ward")
    assert out[-1].text == "Lệnh này chỉ quản trị viên dùng được." and out[-1].buttons == []
    out = await admin.send("/unbind_ward")
    ask = out[-1]
    await ha.press_data(B.unbind(B.Answer.YES, B.Unbind.WARD, GROUP), ask)  # a staff member taps the admin's "Có"
    assert harness.fake.callback_answers[-1]["text"] == "Lệnh này chỉ quản trị viên dùng được."
    assert (await harness.app.tickets.group(GROUP)).active
    out = await harness.actor(1001).send("/unbind_group tay-ho 5")
    assert out[-1].text == "Lệnh này chỉ quản trị viên dùng được."


# --- unbinding a neighbourhood group ------------------------------------------------------------


async def test_unbind_group_in_the_group_and_in_private(harness):
    await ward_with_groups(harness, (G5, "5"))
    admin = harness.actor(ADMIN, "Quản trị")
    out = await admin.in_chat(G5).send("/unbind_group")
    ask = out[-1]
    assert ask.text.startswith(f"Bỏ gắn nhóm “Group {G5}” khỏi Phường Tây Hồ, tổ dân phố 5?")
    assert "thông báo mới của phường không gửi vào nhóm này nữa" in ask.text
    assert labels(ask) == [["↩️ Không"], ["✅ Có, bỏ gắn"]]
    await admin.in_chat(G5).press("Không")

    async def bound() -> list[int]:
        async with harness.app.db.session() as s:
            from bot.adapters.db.announcements import NoticeRepo

            return [g.chat_id for g in await NoticeRepo(s).groups("tay-ho")]

    assert await bound() == [G5]
    out = await admin.send("/unbind_group tay-ho 05")  # in private: ward and tổ dân phố
    assert out[-1].text.startswith(f"Bỏ gắn nhóm “Group {G5}”")
    await admin.press("Có, bỏ gắn")
    assert await bound() == []
    assert "Đã bỏ gắn nhóm" in harness.fake.last_to(ADMIN).text
    assert "unbind_group" in await audit_actions(harness)
    out = await admin.in_chat(G5).send("/unbind_group")
    assert out[-1].text == "Nhóm này không gắn với tổ dân phố nào, không có gì để bỏ gắn."


# --- removing a role ----------------------------------------------------------------------------


async def test_revoke_staff_asks_first(harness, caplog):
    admin = await staff_group(harness)
    out = await admin.send(f"/revoke_staff {STAFF}")
    ask = out[-1]
    assert ask.text.startswith("Thu hồi quyền cán bộ Phường Tây Hồ của")
    assert "không nhận, trả lời, chuyển hay đóng câu hỏi" in ask.text
    assert labels(ask) == [["↩️ Không"], ["✅ Có, thu hồi"]]
    staff = await harness.app.residents.identify("telegram", STAFF)
    assert staff.has_role(Role.STAFF, "tay-ho")  # nothing on the first tap

    await admin.press("Không")
    assert (await harness.app.residents.identify("telegram", STAFF)).has_role(Role.STAFF, "tay-ho")

    await admin.send(f"/revoke_staff {STAFF}")
    confirm = harness.fake.last_to(GROUP)
    await admin.press("Có, thu hồi")
    assert not (await harness.app.residents.identify("telegram", STAFF)).has_role(Role.STAFF, "tay-ho")
    assert "Đã thu hồi quyền cán bộ Phường Tây Hồ" in harness.fake.last_to(GROUP).text
    assert "revoke_staff" in await audit_actions(harness)

    old = B.revoke(B.Answer.YES, staff.id, B.Revocable.STAFF, "tay-ho")
    assert confirm.buttons == []  # the answered question lost its buttons; an old copy pressed again:
    await admin.press_data(old, confirm)
    assert harness.fake.callback_answers[-1]["text"] == GONE
    out = await admin.send(f"/revoke_staff {STAFF}")
    assert out[-1].buttons == [] and "không phải cán bộ" in out[-1].text
    _no_errors(caplog)


async def test_revoke_official_in_private(harness):
    await ward_with_groups(harness)
    admin = harness.actor(ADMIN, "Quản trị")
    out = await admin.send(f"/revoke_official {OFFICIAL} tay-ho")
    assert "Thu hồi quyền soạn thông báo Phường Tây Hồ" in out[-1].text
    assert labels(out[-1]) == [["↩️ Không"], ["✅ Có, thu hồi"]]
    await admin.press("Có, thu hồi")
    official = await harness.app.residents.identify("telegram", OFFICIAL)
    assert not official.has_role(Role.OFFICIAL, "tay-ho")
    out = await admin.send("/revoke_official abc")
    assert "Cách dùng" in out[-1].text


# --- typed, validated payloads --------------------------------------------------------------------


def test_every_payload_the_use_cases_build_parses():
    data = B.unbind(B.Answer.YES, B.Unbind.WARD, GROUP)
    assert UnbindCb.unpack(data) == UnbindCb(answer=B.Answer.YES, what=B.Unbind.WARD, chat=GROUP)
    data = B.revoke(B.Answer.NO, 7, B.Revocable.OFFICIAL, "phu-thuong")
    assert RevokeCb.unpack(data).pack() == data
    assert len(B.revoke(B.Answer.YES, 2**31 - 1, B.Revocable.OFFICIAL, "phu-thuong")) <= 64


@pytest.mark.parametrize(
    "data",
    [
        "ub:yes:ward:abc",
        "ub:maybe:ward:1",
        f"ub:yes:tổ:{GROUP}",
        f"ub:yes:ward:{GROUP}:x",
        "ub:yes:ward:99999999999999999999",
        "rv:yes:0:staff:tay-ho",
        "rv:yes:1:admin:tay-ho",
        "rv:yes:1:staff:Tây Hồ",
        "rv:yes",
    ],
)
async def test_a_forged_admin_button_is_answered_and_changes_nothing(harness, caplog, data):
    admin = await staff_group(harness)
    before = len(harness.fake.sent)
    await admin.press_data(data)
    assert harness.fake.callback_answers[-1]["text"] == GONE
    assert harness.fake.sent[before:] == []
    assert (await harness.app.tickets.group(GROUP)).active
    assert (await harness.app.residents.identify("telegram", STAFF)).has_role(Role.STAFF, "tay-ho")
    _no_errors(caplog)
