"""Schedules fire at the right Hà Nội wall-clock times: day boundaries, month ends, end dates."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.schedule import (
    TZ,
    Repeat,
    Schedule,
    ScheduleError,
    in_quiet_hours,
    parse_date,
    parse_local,
    quiet_hours_end,
)

UTC = dt.UTC


def hn(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def test_once_fires_exactly_once():
    s = Schedule(hn(2026, 11, 26, 8, 0))
    assert s.next_fire(hn(2026, 11, 25, 0, 0)) == hn(2026, 11, 26, 8, 0)
    assert s.next_fire(hn(2026, 11, 26, 8, 0)) is None


def test_daily_fires_at_local_time_across_the_utc_day_boundary():
    # 06:30 in Hà Nội is 23:30 UTC the previous day
    s = Schedule(hn(2026, 11, 25, 6, 30), Repeat.DAILY, until=dt.date(2026, 11, 28))
    fires = s.fires_between(hn(2026, 11, 1), hn(2026, 12, 31))
    assert [f.astimezone(TZ) for f in fires] == [hn(2026, 11, d, 6, 30) for d in (25, 26, 27, 28)]
    assert fires[0] == dt.datetime(2026, 11, 24, 23, 30, tzinfo=UTC)


def test_daily_end_date_is_included_and_then_stops():
    s = Schedule(hn(2026, 11, 25, 23, 59), Repeat.DAILY, until=dt.date(2026, 11, 26))
    assert s.next_fire(hn(2026, 11, 25, 23, 59)) == hn(2026, 11, 26, 23, 59)
    assert s.next_fire(hn(2026, 11, 26, 23, 59)) is None


def test_weekly_keeps_the_weekday():
    s = Schedule(hn(2026, 11, 25, 9, 0), Repeat.WEEKLY, until=dt.date(2026, 12, 31))  # a Wednesday
    fires = s.fires_between(hn(2026, 11, 25, 9, 0), hn(2027, 1, 31))
    assert all(f.astimezone(TZ).weekday() == 2 and f.astimezone(TZ).hour == 9 for f in fires)
    assert [f.astimezone(TZ).day for f in fires] == [2, 9, 16, 23, 30]


def test_monthly_on_the_31st_falls_on_the_last_day_of_short_months():
    s = Schedule(hn(2026, 1, 31, 7, 0), Repeat.MONTHLY, until=dt.date(2026, 6, 30))
    fires = [f.astimezone(TZ).date() for f in s.fires_between(hn(2026, 1, 1), hn(2026, 12, 31))]
    assert fires == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
        dt.date(2026, 5, 31),
        dt.date(2026, 6, 30),
    ]


def test_monthly_in_a_leap_year_uses_the_29th_of_february():
    s = Schedule(hn(2028, 1, 30, 7, 0), Repeat.MONTHLY, until=dt.date(2028, 3, 31))
    assert [f.astimezone(TZ).date() for f in s.fires_between(hn(2028, 1, 1), hn(2028, 12, 1))] == [
        dt.date(2028, 1, 30),
        dt.date(2028, 2, 29),
        dt.date(2028, 3, 30),
    ]


def test_next_fire_after_a_long_downtime_skips_to_the_next_future_firing():
    s = Schedule(hn(2026, 1, 1, 8, 0), Repeat.DAILY, until=dt.date(2027, 1, 1))
    assert s.next_fire(hn(2026, 7, 4, 8, 0, 1)) == hn(2026, 7, 5, 8, 0)


def test_repeat_needs_an_end_date_not_before_the_start():
    with pytest.raises(ScheduleError):
        Schedule(hn(2026, 11, 25, 9, 0), Repeat.DAILY)
    with pytest.raises(ScheduleError):
        Schedule(hn(2026, 11, 25, 9, 0), Repeat.WEEKLY, until=dt.date(2026, 11, 24))


def test_quiet_hours_hold_private_notices_until_seven_in_the_morning():
    assert in_quiet_hours(hn(2026, 11, 25, 21, 0))
    assert in_quiet_hours(hn(2026, 11, 26, 6, 59))
    assert not in_quiet_hours(hn(2026, 11, 26, 7, 0))
    assert quiet_hours_end(hn(2026, 11, 25, 22, 15)) == hn(2026, 11, 26, 7, 0)
    assert quiet_hours_end(hn(2026, 11, 26, 3, 0)) == hn(2026, 11, 26, 7, 0)
    noon = hn(2026, 11, 26, 12, 0)
    assert quiet_hours_end(noon) == noon


def test_parse_local_times_typed_by_officials():
    now = hn(2026, 11, 25, 9, 0)
    assert parse_local("26/11 14:30", now) == hn(2026, 11, 26, 14, 30)
    assert parse_local("1/1/2027 8:00", now) == hn(2027, 1, 1, 8, 0)
    assert parse_local("8:00", now) == hn(2026, 11, 26, 8, 0)  # already past today → tomorrow
    assert parse_local("10h", now) == hn(2026, 11, 25, 10, 0)
    assert parse_local("31/02 10:00", now) is None
    assert parse_local("ngày mai", now) is None
    assert parse_date("31/12", now) == dt.date(2026, 12, 31)
    assert parse_date("1/1", now) == dt.date(2027, 1, 1)
