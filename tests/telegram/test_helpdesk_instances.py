"""The help desk with several instances, and the cost of the "is this a follow-up?" check (issues 9, 17)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event

from bot.adapters.telegram.desk_sender import DeskSender
from bot.app.tickets import NoTicketCache
from tests.conftest import make_settings
from tests.harness import Harness
from tests.telegram.test_helpdesk_roundtrip import ADMIN, GROUP, staff_group


class TicketQueries:
    """Counts the statements that read the tickets table."""

    def __init__(self, harness: Harness):
        self.n = 0
        event.listen(harness.app.db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if "FROM tickets" in statement:
            self.n += 1


async def test_a_resident_without_a_ticket_costs_no_ticket_query_after_the_first(harness):
    lan = await harness.onboarded()
    queries = TicketQueries(harness)
    for q in ("cách cài VNeID", "quên mật khẩu iHanoi", "đăng ký khám bệnh online"):
        await lan.send(q)
    assert queries.n == 1  # the first message learns she has none; the next two ask nothing
    # she asks staff: the cache forgets her, and her next message joins the ticket
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bác không đăng nhập được")
    await lan.press("Gửi cho cán bộ")
    out = await lan.send("bác dùng điện thoại Samsung")
    assert "ghi thêm vào phiếu #1" in out[-1].text  # joined the ticket (no staff group here: nothing promised)


async def test_without_the_cache_the_check_is_one_query_per_message(harness):
    harness.app.tickets.no_ticket = NoTicketCache(enabled=False)  # as with several instances (Redis)
    lan = await harness.onboarded()
    queries = TicketQueries(harness)
    for q in ("cách cài VNeID", "quên mật khẩu iHanoi", "đăng ký khám bệnh online"):
        await lan.send(q)
    assert queries.n == 3  # one per message (it was two, in two sessions)


async def test_negative_cache_is_bounded():
    cache = NoTicketCache(size=3)
    for i in range(10):
        cache.add(i)
    assert [i for i in range(10) if i in cache] == [7, 8, 9]


@pytest.mark.postgres
async def test_two_instances_send_each_sla_reminder_and_digest_once(pg_url, fake, clock):
    one = await Harness(make_settings(pg_url), fake, clock).start()
    two = await Harness(make_settings(pg_url), fake, clock).start()
    try:
        await staff_group(one)
        await one.actor(ADMIN, "Quản trị", chat_id=GROUP).send("/sla 15 2")
        lan = await one.onboarded()
        await lan.press("Hỏi cán bộ phường")
        await lan.send("bác cần hỏi cán bộ")
        await lan.press("Gửi cho cán bộ")

        async def both() -> list[str]:
            before = len(fake.sent)
            counts = await asyncio.gather(
                one.app.sla.tick(DeskSender(one.bot), clock.now()),
                two.app.sla.tick(DeskSender(two.bot), clock.now()),
            )
            texts = [m.text for m in fake.sent[before:]]
            assert sum(counts) == len([m for m in fake.sent[before:] if m.chat_id == GROUP])
            return texts

        sent = await both()  # 09:00 Wednesday: the day's digest
        assert sum("Phiếu đang mở của Phường Tây Hồ" in t for t in sent) == 1
        clock.advance(minutes=20)
        sent = await both()
        assert sum("chưa có ai nhận sau 15 phút" in t for t in sent) == 1
        await two.actor(2001, "Cán bộ Hà", chat_id=GROUP).press_data("tk:claim:1")
        clock.advance(hours=4)
        sent = await both()
        assert sum("chưa trả lời sau 2 giờ làm việc" in t for t in sent) == 1
        assert sum("Cán bộ Hà nhận nhưng chưa trả lời" in t for t in sent) == 1  # the admin, told once
        assert await both() == []
        clock.advance(days=1)  # Thursday 13:20: one digest again
        sent = await both()
        assert sum("Phiếu đang mở của Phường Tây Hồ" in t for t in sent) == 1
    finally:
        await two.stop()
        await one.stop()
