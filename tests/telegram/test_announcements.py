"""Ward notices end to end: officials compose in private, residents and groups get each notice once,
the author gets a report; DỪNG works anywhere; approvals, cancel, withdraw, quiet hours, recurring."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.adapters.db.users import UserRow
from bot.adapters.localchat.fake_api import FakeBotAPI
from bot.adapters.telegram import official
from bot.adapters.telegram.sender import TelegramSender
from bot.core.schedule import TZ
from bot.workers.notices import NoticeRunner
from tests.conftest import make_settings
from tests.harness import Harness
from tests.notice_kit import fast_limiter

G5, G7, G9 = -1003000000005, -1003000000007, -1003000000009
ADMIN, OFFICIAL, OFFICIAL2 = 9001, 3001, 3002


def runner_of(h: Harness) -> NoticeRunner:
    runner: NoticeRunner = h.app.notices
    if runner.worker is None:
        runner.attach(TelegramSender(h.bot), official.notifier(h.bot))
        assert runner.worker is not None
        runner.worker.limiter = fast_limiter()
    return runner


async def ward_with_groups(h: Harness, *groups: tuple[int, str]) -> None:
    runner_of(h)  # what startup does: the service can reach officials, a worker is ready (not running)
    admin = h.actor(ADMIN, "Quản trị")
    out = await admin.send(f"/grant_official {OFFICIAL} tay-ho")
    assert "Đã cấp quyền" in out[-1].text
    for chat_id, tdp in groups:
        out = await admin.in_chat(chat_id).send(f"/bind_group tay-ho {tdp}")
        assert f"tổ dân phố {tdp}" in out[-1].text


async def compose(
    h: Harness,
    text: str,
    audience: str,
    *,
    tdps: str | None = None,
    when: str = "Gửi ngay",
    at: str | None = None,
    until: str | None = None,
    urgent: bool = False,
    user: int = OFFICIAL,
):
    o = h.actor(user, "Chủ tịch phường")
    out = await o.send("/thongbao")
    assert "Soạn thông báo mới" in out[-1].text
    await o.send(text)
    out = await o.press(audience)
    if tdps is not None:
        out = await o.send(tdps)
    assert "Khi nào gửi" in out[-1].text
    out = await o.press(when)
    if at is not None:
        out = await o.send(at)
    if until is not None:
        out = await o.send(until)
    if urgent:
        out = await o.press("Đánh dấu khẩn")
    assert out[-1].button_labels[0] == "✅ Xác nhận"
    preview = out[-2]
    out = await o.press("Xác nhận")
    return o, preview, out[-1]


def notices_to(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return [m.text for m in fake.messages_to(chat_id) if "THÔNG BÁO" in m.text]


@pytest.fixture
async def h(db_url, fake, clock) -> AsyncIterator[Harness]:
    harness = await Harness(make_settings(db_url), fake, clock).start()
    yield harness
    await harness.stop()


async def test_official_schedules_a_notice_for_two_neighbourhoods_and_gets_the_report(h):
    fake = h.fake
    await ward_with_groups(h, (G5, "5"), (G7, "7"), (G9, "9"))
    lan = await h.onboarded(1001, tdp="5")
    await h.onboarded(1002, tdp="7")
    await h.onboarded(1003, tdp="9")
    await h.onboarded(1004, tdp="5", subscribe=False)
    await h.onboarded(1005, tdp="7")
    fake.blocked.add(1005)
    fake.migrated[G7] = -1003000000077
    o, preview, done = await compose(
        h,
        "Thứ Bảy 29/11 tiêm chủng mở rộng tại trạm y tế phường.",
        "Tổ dân phố",
        tdps="5, 7",
        when="Chọn ngày giờ",
        at="25/11 14:00",
    )
    assert preview.text.startswith("📢 THÔNG BÁO – Phường Tây Hồ") and preview.button_labels == ["✅ Đã hiểu"]
    assert (
        "Đã lên lịch thông báo #1" in done.text and "Tổ dân phố 5, 7" in done.text and "14:00 25/11/2026" in done.text
    )
    runner = runner_of(h)
    await runner.pump()
    assert notices_to(fake, G5) == []  # not yet: 09:00 now
    h.clock.advance(hours=5)
    await runner.pump()
    await runner.pump()  # a second tick sends nothing again
    got = Counter(m.chat_id for m in fake.sent if "tiêm chủng mở rộng" in m.text and m.chat_id != OFFICIAL)
    assert got == Counter({G5: 1, -1003000000077: 1, 1001: 1, 1002: 1})
    report = fake.last_to(OFFICIAL).text
    assert "Báo cáo thông báo #1" in report and "Đã gửi: 4" in report and "Đã chặn bot / rời nhóm: 1" in report
    assert "bot was blocked by the user: 1" in report
    # the resident acknowledges; the official sees it in /announcements
    out = await lan.press("Đã hiểu")
    assert fake.callback_answers[-1]["text"].startswith("Cảm ơn bác")
    out = await o.send("/announcements")
    assert "#1 · đã kết thúc" in out[1].text and "Đã gửi: 4 · Đã hiểu: 1" in out[1].text


async def test_stop_works_in_the_middle_of_a_guide(harness):
    a = await harness.onboarded(1001)
    out = await a.press("iHanoi")
    out = await a.press(out[-1].button_labels[0])
    assert "Bước 1" in out[-1].text or "1/" in out[-1].text
    out = await a.send("DỪNG")
    assert "tắt nhận thông báo" in out[-1].text
    async with harness.app.db.session() as s:
        row = (await s.execute(select(UserRow).where(UserRow.external_id == 1001))).scalar_one()
    assert row.subscribed is False
    out = await a.send("/subscribe")
    assert "bật nhận thông báo" in out[-1].text
    out = await a.send("stop")
    assert "tắt nhận thông báo" in out[-1].text
    out = await a.press("Tiếp")  # the guide goes on where it was
    assert "Bước 2" in out[-1].text or "2/" in out[-1].text


async def test_only_officials_compose_and_manage_notices(harness):
    await ward_with_groups(harness, (G5, "5"))
    r = await harness.onboarded(1001)
    out = await r.send("/thongbao")
    assert "Chỉ cán bộ" in out[-1].text
    out = await r.send("/announcements")
    assert "Chỉ cán bộ" in out[-1].text
    await compose(
        harness, "Họp tổ dân phố tối thứ Sáu.", "Chỉ các nhóm tổ dân phố", when="Chọn ngày giờ", at="26/11 19:00"
    )
    out = await r.press_data("an:cancel:1")
    assert "không có quyền" in harness.fake.last_to(1001).text
    out = await r.press_data("an:ok")
    assert "không còn" in harness.fake.last_to(1001).text
    out = await harness.actor(1002).in_chat(G5).send("/bind_group tay-ho 7")
    assert "không có quyền" in out[-1].text


async def test_second_official_must_approve_when_the_ward_requires_it(harness):
    fake = harness.fake
    await ward_with_groups(harness, (G5, "5"))
    admin = harness.actor(ADMIN)
    await admin.send(f"/grant_official {OFFICIAL2} tay-ho")
    out = await admin.send("/approval tay-ho on")
    assert "từ nay cần cán bộ thứ hai duyệt" in out[-1].text
    second = harness.actor(OFFICIAL2, "Phó chủ tịch")
    await second.send("/start")
    o, _, done = await compose(harness, "Lớp hướng dẫn iHanoi sáng Chủ nhật.", "Cả phường")
    assert "chờ một cán bộ khác duyệt" in done.text
    runner = runner_of(harness)
    await runner.pump()
    assert notices_to(fake, G5) == []
    request = [m for m in fake.messages_to(OFFICIAL2) if "cần duyệt" in m.text]
    assert request and request[-1].button_labels == ["✅ Duyệt", "❌ Không duyệt"]
    await o.press_data("an:appr:1")
    assert "không tự duyệt" in fake.last_to(OFFICIAL).text
    out = await second.press("Duyệt")
    assert "Đã duyệt thông báo #1" in out[-1].text
    assert "đã được Phó chủ tịch duyệt" in fake.last_to(OFFICIAL).text
    await runner.pump()
    assert len(notices_to(fake, G5)) == 1


async def test_cancel_before_sending_and_withdraw_after(harness):
    fake = harness.fake
    await ward_with_groups(harness, (G5, "5"))
    await harness.onboarded(1001)
    o, _, _ = await compose(harness, "Cắt điện chiều thứ Năm.", "Cả phường", when="Chọn ngày giờ", at="25/11 15:00")
    out = await o.send("/announcements")
    assert out[-1].button_labels == ["✏️ Sửa #1", "🗑 Huỷ #1"]
    await o.press("Huỷ #1")
    assert "Huỷ thông báo #1 «Cắt điện chiều thứ Năm.»?" in fake.last_to(OFFICIAL).text
    await o.press("Có, huỷ")
    assert "Đã huỷ thông báo #1" in fake.last_to(OFFICIAL).text
    harness.clock.advance(hours=6, minutes=10)
    runner = runner_of(harness)
    await runner.pump()
    assert notices_to(fake, G5) == [] and notices_to(fake, 1001) == []

    await compose(harness, "Nhầm ngày, xin thu hồi.", "Cả phường")
    await runner.pump()
    assert len(notices_to(fake, G5)) == 1 and len(notices_to(fake, 1001)) == 1
    out = await o.send("/announcements")
    await o.press("Thu hồi #2")
    assert "đã gửi tới 2 người và nhóm?" in fake.last_to(OFFICIAL).text
    await o.press("Có, thu hồi")
    assert "Đã thu hồi thông báo #2: đang xoá 2 tin" in fake.last_to(OFFICIAL).text
    await runner.pump()
    assert all(m.deleted for m in fake.sent if "Nhầm ngày" in m.text and m.chat_id in (G5, 1001))


async def test_edit_text_of_a_scheduled_notice(harness):
    await ward_with_groups(harness, (G5, "5"))
    o, _, _ = await compose(
        harness, "Họp lúc 8 giờ.", "Chỉ các nhóm tổ dân phố", when="Chọn ngày giờ", at="25/11 16:00"
    )
    await o.send("/announcements")
    await o.press("Sửa #1")
    out = await o.send("Họp lúc 9 giờ (đổi giờ).")
    assert "Đã sửa nội dung thông báo #1" in out[-1].text
    harness.clock.advance(hours=7, minutes=10)
    await runner_of(harness).pump()
    assert notices_to(harness.fake, G5)[0].endswith("Họp lúc 9 giờ (đổi giờ).")


async def test_quiet_hours_hold_private_notices_until_morning_but_not_groups(harness):
    fake = harness.fake
    harness.clock.current = dt.datetime(2026, 11, 25, 22, 0, tzinfo=TZ)
    await ward_with_groups(harness, (G5, "5"))
    await harness.onboarded(1001)
    await compose(harness, "Sáng mai cắt nước.", "Cả phường")
    runner = runner_of(harness)
    await runner.pump()
    assert len(notices_to(fake, G5)) == 1 and notices_to(fake, 1001) == []
    held = fake.last_to(OFFICIAL).text
    assert "đã gửi 1 tin; còn 1 tin sẽ gửi lúc 07:00 26/11/2026" in held
    await runner.pump()
    assert fake.last_to(OFFICIAL).text == held  # told once
    harness.clock.current = dt.datetime(2026, 11, 26, 7, 0, tzinfo=TZ)
    await runner.pump()
    assert len(notices_to(fake, 1001)) == 1
    assert "Đã gửi: 2" in fake.last_to(OFFICIAL).text
    # an urgent notice goes to residents at night
    harness.clock.current = dt.datetime(2026, 11, 26, 23, 0, tzinfo=TZ)
    await compose(harness, "Sự cố vỡ ống nước, khoá van ngay.", "Chỉ người dân đã đăng ký", urgent=True)
    await runner.pump()
    assert notices_to(fake, 1001)[-1].startswith("⚡ THÔNG BÁO KHẨN")


async def test_daily_notice_fires_at_local_time_and_a_late_firing_is_missed(harness):
    fake = harness.fake
    await ward_with_groups(harness, (G5, "5"))
    await compose(
        harness, "Nhắc: đổ rác đúng giờ.", "Chỉ các nhóm tổ dân phố", when="Hằng ngày", at="26/11 07:30", until="28/11"
    )
    runner = runner_of(harness)
    times: list[str] = []
    for day in (26, 27, 28, 29):
        for hh, mm in ((7, 29), (7, 31)):
            harness.clock.current = dt.datetime(2026, 11, day, hh, mm, tzinfo=TZ)
            before = len(notices_to(fake, G5))
            if day == 27 and (hh, mm) == (7, 31):
                harness.clock.current = dt.datetime(2026, 11, 27, 9, 0, tzinfo=TZ)  # the bot was down until 9:00
            await runner.pump()
            if len(notices_to(fake, G5)) > before:
                times.append(harness.clock.current.astimezone(TZ).strftime("%d %H:%M"))
    assert times == ["26 07:31", "28 07:31"]
    assert any("lẽ ra gửi lúc 07:30 27/11/2026" in m.text for m in fake.messages_to(OFFICIAL))
    out = await harness.actor(OFFICIAL).send("/announcements")
    assert "đã kết thúc" in out[1].text


async def test_local_chat_official_schedules_for_two_neighbourhoods_and_receives_the_report(tmp_path):
    at = (dt.datetime.now(TZ) + dt.timedelta(minutes=40)).strftime("%d/%m %H:%M")
    script = f""":demo
:as official
/thongbao
Chủ nhật 30/11 tiêm vắc xin sởi tại trạm y tế phường.
Tổ dân phố
5, 7
Chọn ngày giờ
{at}
2
Xác nhận
:tick 60
"""
    out = io.StringIO()
    await official_chat(tmp_path, script, out)
    text = out.getvalue()
    assert "✅ Đã lên lịch thông báo #1: gửi Tổ dân phố 5, 7" in text
    assert "[→ Nhóm tổ dân phố 5] ⚡ THÔNG BÁO KHẨN" in text and "[→ Nhóm tổ dân phố 7] ⚡ THÔNG BÁO KHẨN" in text
    assert "[→ Cư dân (ông Minh)] ⚡ THÔNG BÁO KHẨN" in text
    assert "📊 Báo cáo thông báo #1" in text and "Đã gửi: 3" in text


async def official_chat(tmp_path, script: str, out: io.StringIO) -> None:
    from bot.chat import run_chat

    await run_chat(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"), inp=io.StringIO(script), out=out)


async def test_notice_with_a_photo_is_previewed_and_sent_as_a_photo(harness):
    fake = harness.fake
    await ward_with_groups(harness, (G5, "5"))
    await harness.onboarded(1001)
    o = harness.actor(OFFICIAL, "Chủ tịch phường")
    await o.send("/thongbao")
    await o.send_media("photo", "Sơ đồ điểm tiêm chủng ở nhà văn hoá tổ 5.")
    await o.press("Cả phường")
    out = await o.press("Gửi ngay")
    preview = out[-2]
    assert preview.method == "sendphoto" and preview.text.endswith("Sơ đồ điểm tiêm chủng ở nhà văn hoá tổ 5.")
    await o.press("Xác nhận")
    await runner_of(harness).pump()
    for chat in (G5, 1001):
        [m] = [m for m in fake.messages_to(chat) if "Sơ đồ" in m.text]
        assert m.method == "sendphoto" and m.params["photo"] == preview.params["photo"]


async def test_a_time_that_passed_while_the_draft_waited_asks_for_a_new_time(harness):
    await ward_with_groups(harness, (G5, "5"))
    o = harness.actor(OFFICIAL, "Chủ tịch phường")
    await o.send("/thongbao")
    await o.send("Họp tổ.")
    await o.press("Chỉ các nhóm tổ dân phố")
    await o.press("Chọn ngày giờ")
    await o.send("25/11 09:30")
    harness.clock.advance(hours=1)
    out = await o.press("Xác nhận")
    assert "Thời gian này đã qua" in out[-2].text and "Khi nào gửi" in out[-1].text
    out = await o.press("Gửi ngay")
    out = await o.press("Xác nhận")
    assert "Đã lên lịch thông báo #1" in out[-1].text


async def test_group_upgrade_and_removal_update_the_binding_before_the_next_notice(harness):
    fake = harness.fake
    await ward_with_groups(harness, (G5, "5"), (G7, "7"))
    admin = harness.actor(ADMIN)
    new_id = -1003000000555
    await admin.raw(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "from": admin.user,
                "migrate_from_chat_id": G5,
                "chat": {"id": new_id, "type": "supergroup", "title": "Tổ 5"},
            }
        }
    )
    bot_user = {"id": fake.bot_id, "is_bot": True, "first_name": "Bot"}
    await admin.raw(
        {
            "my_chat_member": {
                "chat": {"id": G7, "type": "supergroup", "title": "Tổ 7"},
                "from": admin.user,
                "date": 0,
                "old_chat_member": {"status": "member", "user": bot_user},
                "new_chat_member": {"status": "kicked", "user": bot_user, "until_date": 0},
            }
        }
    )
    await compose(harness, "Lịch thu gom rác mới.", "Chỉ các nhóm tổ dân phố")
    await runner_of(harness).pump()
    assert len(notices_to(fake, new_id)) == 1
    assert notices_to(fake, G5) == [] and notices_to(fake, G7) == []
    assert fake.too_many == 0 and "Đã gửi: 1" in fake.last_to(OFFICIAL).text


async def test_local_chat_tick_walks_the_clock_so_a_notice_due_on_the_way_is_sent_not_missed(tmp_path):
    import io

    from bot.chat import run_chat
    from tests.conftest import make_settings

    script = [
        ":demo",
        ":as official",
        "/thongbao",
        "Lớp hướng dẫn iHanoi sáng mai tại nhà văn hoá.",
        "2",
        "5, 7",
        "2",
        "{when}",
        "1",
        ":tick 1000",
    ]
    import datetime as dt
    from zoneinfo import ZoneInfo

    when = (dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + dt.timedelta(hours=10)).strftime("%d/%m/%Y %H:%M")
    out = io.StringIO()
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'tick.db'}")
    await run_chat(settings, inp=io.StringIO("\n".join(script).replace("{when}", when) + "\n"), out=out)
    text = out.getvalue()
    assert "[→ Nhóm tổ dân phố 5] 📢 THÔNG BÁO" in text and "[→ Nhóm tổ dân phố 7] 📢 THÔNG BÁO" in text
    # the full report, or (when "now + 10 h" falls in the 21:00–07:00 quiet hours of private chats) the
    # report that says what was sent and what waits for the morning: either way not "missed"
    assert ("📊 Báo cáo thông báo #1" in text or "📊 Thông báo #1: đã gửi" in text) and "lẽ ra gửi" not in text


async def test_forged_or_stale_notice_buttons_are_answered_politely(harness):
    """Crafted callback data on the notice buttons (issue 14 #5): a short answer, never a traceback."""
    await ward_with_groups(harness, (G5, "5"))
    r = await harness.onboarded(1001)
    for data in ("an:cancel:abc", "an:wd:1:2", "an:ack:-3", "an:ack:x", "an:aud:nowhere", "an:zzz"):
        await r.press_data(data)
        assert harness.fake.callback_answers[-1]["text"] == "Nút này không còn dùng được", data
    o = harness.actor(OFFICIAL, "Chủ tịch phường")
    await o.send("/thongbao")
    await o.send("Họp tổ.")
    await o.press_data("an:aud:everyone")  # in the audience step, an audience that does not exist
    assert harness.fake.callback_answers[-1]["text"] == "Nút này không còn dùng được"
    out = await o.press("Chỉ các nhóm tổ dân phố")  # the real buttons still work
    assert "Khi nào gửi" in out[-1].text
