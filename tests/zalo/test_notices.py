"""Ward notices reach Zalo subscribers through the same outbox as Telegram's: exactly once, at Zalo's
own pace, with a report per channel; "1" under a notice on Zalo is its "Đã hiểu"."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from bot.adapters.db.announcements import OutboxRow
from bot.adapters.db.users import UserRow
from bot.adapters.localchat.fake_zalo import FakeZaloAPI
from bot.adapters.telegram.official import notifier
from bot.adapters.telegram.sender import TelegramSender
from bot.adapters.zalo.identity import CHANNEL, external_id
from bot.app.announcements import Audience, Draft
from bot.app.residents import Role
from bot.bootstrap import zalo_notices
from tests.harness import Harness
from tests.zalo.kit import ZaloResident, zalo_bot

WARD = "tay-ho"
OFFICIAL = 3001
HOA = "6ede9afa66b88fe6d6a9"


async def zalo_subscriber(h: Harness, chat: str, tdp: str = "5") -> None:
    """A Zalo resident of the ward who said yes to notices (as `ZaloResident.onboard` leaves her)."""
    assert h.app.zalo is not None
    ext = external_id(chat)
    await h.app.zalo.chat_keys.remember(ext, chat)
    r = await h.app.residents.identify(CHANNEL, ext, f"Bác {chat[-4:]}")
    await h.app.residents.update(r.id, ward_id=WARD, neighbourhood=tdp, onboarded=True, subscribed=True, lang="vi")


async def send_notice(h: Harness, text: str = "Thứ Bảy tiêm chủng tại trạm y tế phường.") -> None:
    official = await h.app.residents.identify("telegram", OFFICIAL, "Chủ tịch phường")
    await h.app.residents.grant(official.id, Role.OFFICIAL, WARD, None)
    official = await h.app.residents.identify("telegram", OFFICIAL, "Chủ tịch phường")
    await h.app.announcements.create(Draft(ward_id=WARD, text=text, audience=Audience.SUBSCRIBERS), official)


async def test_a_notice_reaches_every_zalo_and_telegram_subscriber_once_with_a_report_per_channel(
    sqlite_url, fake, clock
) -> None:
    zalo = FakeZaloAPI(rate_per_second=60)  # the fake refuses a 61st message within a second ("429 Quota exceeded")
    await zalo.start()
    try:
        async with zalo_bot(sqlite_url, fake, clock, zalo, zalo_rate_per_second=50) as (h, _):
            hoa = ZaloResident(zalo, HOA)
            await hoa.onboard()  # says yes to notices on Zalo
            chats = [f"{i:020x}" for i in range(1, 121)]
            for chat in chats:
                await zalo_subscriber(h, chat)
            await h.onboarded(1001)
            await h.onboarded(1002)
            h.app.notices.attach(TelegramSender(h.bot), notifier(h.bot))
            zalo_notices(h.app)
            await send_notice(h)
            await h.app.notices.pump()

            got = Counter(m.chat_id for m in zalo.sent if "THÔNG BÁO" in m.text)
            assert got == Counter({c: 1 for c in [*chats, HOA]})
            assert zalo.too_many == 0  # Zalo's pace was kept
            notice = zalo.last_to(HOA).text
            assert "Thứ Bảy tiêm chủng" in notice and "1. ✅ Đã hiểu" in notice
            assert [m.text for m in fake.messages_to(1001)][-1].count("THÔNG BÁO") == 1
            report = next(m.text for m in fake.messages_to(OFFICIAL) if m.text.startswith("📊"))  # then the paste text
            assert "• Telegram: đã gửi 2/2" in report and "• Zalo: đã gửi 121/121" in report

            # "1" under the notice is "Đã hiểu", counted once
            out = await hoa.say("1")
            assert out == [h.app.texts("vi", "announcements.ack_thanks")]
            async with h.app.db.session() as s:
                row = await s.scalar(select(OutboxRow).where(OutboxRow.chat_id == external_id(HOA)))
            assert row is not None and row.channel == "zalo" and row.acked_at is not None

            # nothing goes twice
            before = len(zalo.sent)
            await h.app.notices.pump()
            assert len(zalo.sent) == before
    finally:
        await zalo.stop()


async def test_a_zalo_subscriber_who_blocked_the_bot_is_reported_and_not_tried_again(
    sqlite_url, fake, clock, zalo: FakeZaloAPI
) -> None:
    async with zalo_bot(sqlite_url, fake, clock, zalo) as (h, _):
        await zalo_subscriber(h, "a1")
        await zalo_subscriber(h, "b2")
        zalo.blocked.add("b2")
        h.app.notices.attach(TelegramSender(h.bot), notifier(h.bot))
        zalo_notices(h.app)
        await send_notice(h)
        await h.app.notices.pump()
        assert len(zalo.texts_to("a1")) == 1 and zalo.texts_to("b2") == []
        async with h.app.db.session() as s:
            statuses = Counter((await s.scalars(select(OutboxRow.status))).all())
            blocked = await s.scalar(select(UserRow.blocked).where(UserRow.external_id == external_id("b2")))
        assert statuses == Counter({"sent": 1, "blocked": 1}) and blocked is True
        assert any("• Zalo: đã gửi 1/2" in m.text for m in fake.messages_to(OFFICIAL))
