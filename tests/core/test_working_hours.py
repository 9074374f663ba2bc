"""Working-hours arithmetic in Hà Nội time, with day, lunch and weekend boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.working_hours import HANOI, HoursSpecError, WorkingHours

WH = WorkingHours.parse()


def hn(y, mo, d, h, mi=0):
    return dt.datetime(y, mo, d, h, mi, tzinfo=HANOI)


def test_default_is_weekdays_with_lunch_break():
    assert WH.is_open(hn(2026, 11, 25, 9))  # Wednesday morning
    assert not WH.is_open(hn(2026, 11, 25, 12, 30))  # lunch
    assert WH.is_open(hn(2026, 11, 25, 13, 30))
    assert not WH.is_open(hn(2026, 11, 25, 17))  # end is exclusive
    assert not WH.is_open(hn(2026, 11, 28, 9))  # Saturday: not known, closed by default
    assert not WH.is_open(hn(2026, 11, 29, 9))  # Sunday


def test_adding_working_time_skips_lunch_and_weekend():
    assert WH.add(hn(2026, 11, 25, 11), dt.timedelta(hours=2)) == hn(2026, 11, 25, 14, 30)
    # Friday 16:00 + 4h → Monday 11:00
    assert WH.add(hn(2026, 11, 27, 16), dt.timedelta(hours=4)) == hn(2026, 11, 30, 11)
    # asked on Saturday evening → counts from Monday 08:00
    assert WH.add(hn(2026, 11, 28, 20), dt.timedelta(minutes=30)) == hn(2026, 11, 30, 8, 30)


def test_working_time_between_two_moments():
    assert WH.between(hn(2026, 11, 25, 7), hn(2026, 11, 25, 18)) == dt.timedelta(hours=7, minutes=30)
    assert WH.between(hn(2026, 11, 27, 16, 30), hn(2026, 11, 30, 8, 15)) == dt.timedelta(minutes=45)
    assert WH.between(hn(2026, 11, 28, 9), hn(2026, 11, 29, 23)) == dt.timedelta(0)
    assert WH.between(hn(2026, 11, 26, 9), hn(2026, 11, 25, 9)) == dt.timedelta(0)


def test_next_open_across_midnight_in_hanoi_not_utc():
    # 23:30 UTC Thursday is 06:30 Friday in Hà Nội
    at = dt.datetime(2026, 11, 26, 23, 30, tzinfo=dt.UTC)
    assert WH.next_open(at) == hn(2026, 11, 27, 8)


def test_a_ward_can_open_on_saturday_morning():
    wh = WorkingHours.parse("mon-fri 08:00-12:00,13:30-17:00; sat 08:00-11:30")
    assert wh.is_open(hn(2026, 11, 28, 9))
    assert not wh.is_open(hn(2026, 11, 28, 13, 30))
    assert wh.describe() == "T2–T6 08:00–12:00, 13:30–17:00; T7 08:00–11:30"


@pytest.mark.parametrize("spec", ["mon-fri 8:00", "xyz 08:00-12:00", "mon 12:00-08:00", "mon 08:00-12:00,11:00-13:00"])
def test_bad_specs_are_refused(spec):
    with pytest.raises(HoursSpecError):
        WorkingHours.parse(spec)
