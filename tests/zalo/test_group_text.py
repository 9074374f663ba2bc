"""A basic Zalo bot cannot post in groups: when the ward has Zalo subscribers (or tổ), the official's
confirmation and report say so and give the text to paste into the tổ's Zalo group."""

from __future__ import annotations

from bot.adapters.localchat.fake_zalo import FakeZaloAPI
from bot.adapters.telegram.official import notifier
from bot.adapters.telegram.sender import TelegramSender
from bot.bootstrap import zalo_notices
from tests.telegram.test_announcements import compose, ward_with_groups
from tests.zalo.kit import zalo_bot
from tests.zalo.test_notices import HOA, OFFICIAL, send_notice, zalo_subscriber

LINK = "https://example.org/tro-ly-so-tay-ho"  # whatever the operator sets; no Zalo URL format is assumed
NOTE = "📋 Bot không tự đăng được vào nhóm Zalo (tài khoản bot Zalo cơ bản không vào được nhóm)."


async def test_the_report_says_the_bot_cannot_post_in_zalo_groups_and_gives_the_text_to_paste(
    sqlite_url, fake, clock, zalo: FakeZaloAPI
) -> None:
    async with zalo_bot(sqlite_url, fake, clock, zalo, zalo_bot_link=LINK) as (h, _):
        await zalo_subscriber(h, HOA)
        h.app.notices.attach(TelegramSender(h.bot), notifier(h.bot))
        zalo_notices(h.app)
        await send_notice(h, "Thứ Bảy tiêm chủng tại trạm y tế phường.")
        await h.app.notices.pump()
        *_, report, paste = [m.text for m in fake.messages_to(OFFICIAL)]
        assert report.startswith("📊 Báo cáo thông báo #1") and "• Zalo: đã gửi 1/1" in report
        assert NOTE in report and "chép tin ngay dưới đây và dán vào nhóm Zalo của tổ" in report
        assert "THÔNG BÁO" in paste and "Thứ Bảy tiêm chủng tại trạm y tế phường." in paste
        assert paste.endswith(f"💬 Nhắn cho Trợ lý số phường trên Zalo: {LINK}")
        assert "Đã hiểu" not in paste  # the group version: no button to press


async def test_no_link_line_without_zalo_bot_link_and_no_paste_text_without_zalo(
    sqlite_url, fake, clock, zalo: FakeZaloAPI
) -> None:
    async with zalo_bot(sqlite_url, fake, clock, zalo) as (h, _):
        await zalo_subscriber(h, HOA)
        h.app.notices.attach(TelegramSender(h.bot), notifier(h.bot))
        zalo_notices(h.app)
        await send_notice(h)
        await h.app.notices.pump()
        paste = fake.last_to(OFFICIAL).text
        assert "THÔNG BÁO" in paste and "💬" not in paste  # ZALO_BOT_LINK not set: no link is made up


async def test_the_wizard_confirmation_gives_the_paste_text_when_the_ward_has_tdp(
    sqlite_url, fake, clock, zalo: FakeZaloAPI
) -> None:
    async with zalo_bot(sqlite_url, fake, clock, zalo, zalo_bot_link=LINK) as (h, _):
        await ward_with_groups(h, (-1003000000005, "5"))
        await compose(h, "Cắt điện chiều thứ Năm.", "Cả phường", when="Chọn ngày giờ", at="25/11 15:00")
        *_, confirmed, note, paste = [m.text for m in fake.messages_to(OFFICIAL)]
        assert "#1" in confirmed and note.startswith(NOTE)
        assert "Cắt điện chiều thứ Năm." in paste and paste.endswith(LINK)


async def test_without_the_zalo_channel_the_confirmation_has_no_paste_text(harness) -> None:
    await ward_with_groups(harness, (-1003000000005, "5"))
    await compose(harness, "Cắt điện chiều thứ Năm.", "Cả phường", when="Chọn ngày giờ", at="25/11 15:00")
    assert not any("nhóm Zalo" in m.text for m in harness.fake.messages_to(OFFICIAL))
