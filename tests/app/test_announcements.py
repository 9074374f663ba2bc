"""AnnouncementService rules: who may do what, the invariants of create(), idempotent firing, acks."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from bot.adapters.db.announcements import OccurrenceRow, OutboxRow
from bot.app.announcements import Audience, Draft, NoticeError, Status
from bot.core.schedule import TZ, Repeat
from tests.notice_kit import WARD, close_world, make_world


@pytest.fixture
async def w(db_url, fake, clock):
    world = await make_world(db_url, fake, clock)
    yield world
    await close_world(world)


def draft(**kw) -> Draft:
    base = dict(ward_id=WARD, text="Lịch tiêm chủng tháng 12.", audience=Audience.WARD)
    base.update(kw)
    return Draft(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kw, code",
    [
        (dict(text="   "), "empty"),
        (dict(text="x" * 4000), "too_long"),
        (dict(text="x" * 1000, media_kind="photo", media_file_id="f1"), "too_long_caption"),
        (dict(media_kind="video", media_file_id="f1"), "bad_media"),
        (dict(audience=Audience.NEIGHBOURHOODS), "no_neighbourhoods"),
        (
            dict(audience=Audience.NEIGHBOURHOODS, neighbourhoods=tuple(str(i) for i in range(200))),
            "bad_neighbourhoods",
        ),
        (dict(ward_id="hoan-kiem"), "unknown_ward"),
        (dict(repeat=Repeat.DAILY), "bad_until"),
    ],
)
async def test_create_refuses_broken_notices(w, kw, code):
    if code == "unknown_ward":
        with pytest.raises(NoticeError) as e:
            await w.service.create(draft(**kw), w.official)
        assert e.value.code == "not_allowed"  # not an official there, so not even told whether it exists
        return
    with pytest.raises(NoticeError) as e:
        await w.service.create(draft(**kw), w.official)
    assert e.value.code == code


async def test_times_in_the_past_or_too_far_are_refused(w):
    now = w.clock.now()
    with pytest.raises(NoticeError, match="in_past"):
        await w.service.create(draft(start_at=now - dt.timedelta(hours=1)), w.official)
    with pytest.raises(NoticeError, match="too_far"):
        await w.service.create(draft(start_at=now + dt.timedelta(days=400)), w.official)


async def test_a_resident_or_an_official_of_another_ward_cannot_create(w):
    r = await w.resident(2001)
    with pytest.raises(NoticeError, match="not_allowed"):
        await w.service.create(draft(), r)
    with pytest.raises(NoticeError, match="not_allowed"):
        await w.service.create(draft(ward_id="phu-thuong"), w.official)


async def test_two_tickers_at_once_queue_one_occurrence(w):
    for uid in range(2001, 2011):
        await w.resident(uid)
    await w.service.create(draft(start_at=w.clock.now() + dt.timedelta(minutes=5)), w.official)
    w.clock.advance(minutes=6)
    results = await asyncio.gather(w.service.tick(), w.service.tick())
    assert sum(q for q, _ in results) == 1
    async with w.db.session() as s:
        assert len((await s.execute(select(OccurrenceRow))).scalars().all()) == 1
        assert len((await s.execute(select(OutboxRow))).scalars().all()) == 10


async def test_monthly_notice_fires_on_month_ends_and_then_is_done(w):
    await w.group(-1003000000005, "5")
    start = dt.datetime(2026, 11, 30, 8, 0, tzinfo=TZ)
    n = await w.service.create(
        draft(audience=Audience.GROUPS, repeat=Repeat.MONTHLY, start_at=start, until=dt.date(2027, 2, 28)), w.official
    )
    fired = []
    for moment in (
        dt.datetime(2026, 11, 30, 8, 1),
        dt.datetime(2026, 12, 30, 8, 1),
        dt.datetime(2027, 1, 30, 8, 1),
        dt.datetime(2027, 2, 28, 8, 1),
    ):
        w.clock.current = moment.replace(tzinfo=TZ)
        queued, _ = await w.service.tick()
        if queued:
            fired.append(moment.date())
    assert fired == [dt.date(2026, 11, 30), dt.date(2026, 12, 30), dt.date(2027, 1, 30), dt.date(2027, 2, 28)]
    assert (await w.service.get(n.id)).status is Status.SENDING  # last firing queued, not yet delivered
    await w.worker().drain()
    await w.service.finish_and_report()
    assert (await w.service.get(n.id)).status is Status.DONE


async def test_ack_counts_once_and_only_from_the_recipient(w):
    await w.resident(2001)
    await w.service.create(draft(audience=Audience.SUBSCRIBERS), w.official)
    await w.worker().drain()
    async with w.db.session() as s:
        row = (await s.execute(select(OutboxRow))).scalar_one()
    assert not await w.service.ack(row.id, 9999)
    assert await w.service.ack(row.id, 2001)
    assert await w.service.ack(row.id, 2001)
    [report] = await w.service.finish_and_report()
    assert report.acked == 1


async def test_withdraw_deletes_only_messages_younger_than_48_hours(w):
    await w.group(-1003000000005, "5")
    n = await w.service.create(
        draft(
            audience=Audience.GROUPS,
            repeat=Repeat.DAILY,
            start_at=w.clock.now(),
            until=(w.clock.now() + dt.timedelta(days=5)).date(),
        ),
        w.official,
    )
    await w.worker().drain()
    w.clock.advance(days=3)
    await w.service.tick()  # the firings of days 2 and 3 are past their grace: missed; today's goes out
    await w.worker().drain()
    w.clock.advance(minutes=1)
    assert await w.service.withdraw(n.id, w.official) == 1  # today's; day 1's message is too old to delete
    await w.worker().drain()
    msgs = w.fake.messages_to(-1003000000005)
    assert [m.deleted for m in msgs] == [False, True]
    assert (await w.service.get(n.id)).status is Status.WITHDRAWN
    with pytest.raises(NoticeError, match="wrong_state"):
        await w.service.cancel(n.id, w.official)
