"""Tickets on SQLite and PostgreSQL: lifecycle, atomic claim, role checks, SLA, stats."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.app.residents import ResidentService, Role
from bot.app.tickets import (
    AlreadyAssigned,
    Incoming,
    NotAllowed,
    SlaKind,
    Status,
    TicketClosed,
    TicketNotFound,
    TicketService,
)
from bot.core.clock import FixedClock

T0 = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # Wednesday 09:00 in Hà Nội
GROUP = -1002000000001


async def setup(url):
    db = Database(url)
    await db.migrate()
    clock = FixedClock(T0)
    residents = ResidentService(SqlTransactions(db), clock, admin_ids=[9001])
    lan = await residents.identify("telegram", 1001, "Bác Lan")
    lan = await residents.update(lan.id, lang="vi", ward_id="tay-ho", neighbourhood="5", onboarded=True)
    staff_ids = []
    for ext, ward in ((2001, "tay-ho"), (2002, "tay-ho"), (2003, "phu-thuong")):
        u = await residents.identify("telegram", ext, f"Cán bộ {ext}")
        await residents.grant(u.id, Role.STAFF, ward, by=None)
        staff_ids.append(u.id)
    staff = [await residents.get(i) for i in staff_ids]
    admin = await residents.identify("telegram", 9001, "Admin")
    return db, clock, TicketService(SqlTransactions(db), clock), lan, staff, admin


async def test_ticket_lifecycle_with_masking_and_audit(db_url):
    db, clock, svc, lan, (ha, binh, other_ward), _admin = await setup(db_url)
    t, first = await svc.open(
        lan,
        Incoming("text", "CCCD của bác 001234567890, không vào được VNeID", 1001, 5),
        guide_id="vneid-activate",
        step=2,
    )
    assert (t.ward_id, t.neighbourhood, t.guide_id, t.step, t.status) == (
        "tay-ho",
        "5",
        "vneid-activate",
        2,
        Status.OPEN,
    )
    assert "001234567890" not in first.text and first.masked_secrets
    assert (await svc.open_for_resident(lan.id)).id == t.id
    with pytest.raises(NotAllowed):
        await svc.assign(t.id, other_ward)
    t = await svc.assign(t.id, ha)
    assert t.assignee_id == ha.id and t.status == Status.ASSIGNED
    with pytest.raises(AlreadyAssigned):
        await svc.assign(t.id, binh)
    clock.advance(minutes=10)
    t, _ = await svc.reply(t.id, ha, Incoming("text", "Bác mang CCCD ra công an phường nhé"))
    assert t.first_answer_at == T0 + dt.timedelta(minutes=10)
    await svc.note(t.id, ha, "đã gọi điện cho bác")
    t = await svc.close_by_staff(t.id, ha)
    with pytest.raises(TicketClosed):
        await svc.reply(t.id, ha, Incoming("text", "muộn"))
    assert (await svc.reopenable_for_resident(lan.id)).id == t.id
    t = await svc.rate(t.id, lan, 5)
    assert t.rating == 5
    actions = [a for _, a, _, _ in await svc.audit_trail(t.id)]
    assert actions == ["open", "assign", "reply", "note", "close", "rate"]
    stats = await svc.stats()
    assert stats[0].ward_id == "tay-ho" and stats[0].by_status == {"closed": 1}
    assert stats[0].median_first_answer == dt.timedelta(minutes=10)
    await db.close()


async def test_resident_cannot_touch_someone_elses_ticket(db_url):
    db, _clock, svc, lan, (ha, *_), _admin = await setup(db_url)
    t, _ = await svc.open(lan, Incoming("text", "hỏi"))
    with pytest.raises(TicketNotFound):
        await svc.close_by_resident(t.id, ha)
    assert await svc.list_for_resident(ha.id) == []
    assert [x.id for x, _ in await svc.list_for_resident(lan.id)] == [t.id]
    await db.close()


async def test_writing_again_within_a_day_reopens_until_rated(db_url):
    db, clock, svc, lan, (ha, *_), _admin = await setup(db_url)
    t, _ = await svc.open(lan, Incoming("text", "hỏi"))
    await svc.close_by_staff(t.id, ha)
    clock.advance(hours=23)
    t2, _ = await svc.add_message(t.id, lan, Incoming("text", "vẫn chưa được"))
    assert t2.status == Status.OPEN
    await svc.close_by_staff(t.id, ha)
    clock.advance(hours=25)
    assert await svc.reopenable_for_resident(lan.id) is None
    # a rated answer catches nothing, even within the day
    t3, _ = await svc.open(lan, Incoming("text", "hỏi lại"))
    await svc.close_by_staff(t3.id, ha)
    assert (await svc.reopenable_for_resident(lan.id)).id == t3.id
    await svc.rate(t3.id, lan, 5)
    assert await svc.reopenable_for_resident(lan.id) is None
    await db.close()


@pytest.mark.postgres
async def test_two_staff_claim_at_once_one_wins_on_postgres(pg_url):
    db, _clock, svc, lan, (ha, binh, _), _admin = await setup(pg_url)
    for _ in range(5):
        t, _ = await svc.open(lan, Incoming("text", "hỏi"))
        results = await asyncio.gather(svc.assign(t.id, ha), svc.assign(t.id, binh), return_exceptions=True)
        wins = [r for r in results if not isinstance(r, Exception)]
        losses = [r for r in results if isinstance(r, AlreadyAssigned)]
        assert len(wins) == 1 and len(losses) == 1
        assert losses[0].assignee_id == wins[0].assignee_id
        await svc.close_by_staff(t.id, ha)
    await db.close()


async def test_sla_reminders_are_working_hours_aware(db_url):
    db, clock, svc, lan, (ha, *_), admin = await setup(db_url)
    await svc.bind_group(GROUP, "tay-ho", True, admin)
    with pytest.raises(NotAllowed):
        await svc.bind_group(GROUP, "tay-ho", True, ha)
    clock.current = dt.datetime(2026, 11, 27, 9, 50, tzinfo=dt.UTC)  # Friday 16:50 Hà Nội
    t, _ = await svc.open(lan, Incoming("text", "hỏi"))
    await svc.set_delivered(t.id, GROUP, 5000, 1000)
    assert await svc.sla_due(clock.advance(hours=2)) == []  # Friday evening: only 10 working minutes
    due = await svc.sla_due(dt.datetime(2026, 11, 30, 1, 25, tzinfo=dt.UTC))  # Monday 08:25
    assert [e.kind for e in due] == [SlaKind.UNASSIGNED]
    assert await svc.sla_due(dt.datetime(2026, 11, 30, 1, 30, tzinfo=dt.UTC)) == []  # once only
    # claimed on Monday at 08:25, then silent for 4 working hours (lunch excluded) → escalated
    clock.current = dt.datetime(2026, 11, 30, 1, 25, tzinfo=dt.UTC)
    await svc.assign(t.id, ha)
    assert await svc.sla_due(dt.datetime(2026, 11, 30, 6, 50, tzinfo=dt.UTC)) == []  # 13:50: 3h50
    due = await svc.sla_due(dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC))  # Monday 15:00
    assert [e.kind for e in due] == [SlaKind.ESCALATED]
    assert (await svc.get(t.id)).assignee_id is None
    await db.close()


async def test_answering_an_unclaimed_ticket_claims_it(db_url):
    db, _clock, svc, lan, (ha, binh, _), _admin = await setup(db_url)
    t, _ = await svc.open(lan, Incoming("text", "hỏi"))
    t, _ = await svc.reply(t.id, ha, Incoming("text", "trả lời"))
    assert (t.assignee_id, t.status) == (ha.id, Status.ASSIGNED)
    t, _ = await svc.reply(t.id, binh, Incoming("text", "bổ sung"))  # a colleague may add to it
    assert t.assignee_id == ha.id
    await db.close()
