"""When a notice fires: once, or daily / weekly / monthly until an end date, in Hà Nội time.

A Schedule holds only *when* (rapidpro's `Schedule`): `next_fire(after)` gives the first firing
strictly after a moment, so the ticker can hold `next_fire_at` in the database and move it on.
Times are computed on the local wall clock of Asia/Ho_Chi_Minh (no daylight saving, but the
code does not rely on that), monthly on the 31st fires on the last day of shorter months, and
the end date is a local date that is included.

Quiet hours live here too: private notices are held back between 21:00 and 07:00 local time
unless the notice is urgent (groups are not held: members chose the group and mute it at will).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
QUIET_START = dt.time(21, 0)
QUIET_END = dt.time(7, 0)
MAX_OCCURRENCES = 3700  # ten years of daily notices: a guard against a schedule that never ends


class Repeat(StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ScheduleError(ValueError):
    """A schedule that cannot be kept (no end date for a repeat, end before start...)."""


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(TZ)


def _add_months(d: dt.date, months: int, day: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Schedule:
    start: dt.datetime  # the first firing (aware); its local time of day / weekday / day of month repeat
    repeat: Repeat = Repeat.ONCE
    until: dt.date | None = None  # last local date on which it may fire (repeats only)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ScheduleError("schedule start must be time-zone aware")
        if self.repeat is not Repeat.ONCE:
            if self.until is None:
                raise ScheduleError("a repeating schedule needs an end date")
            if self.until < local(self.start).date():
                raise ScheduleError("the end date is before the first firing")

    def nth(self, k: int) -> dt.datetime | None:
        """The k-th firing (0 = start) in UTC, or None past the end."""
        first = local(self.start)
        if self.repeat is Repeat.ONCE:
            return self.start.astimezone(dt.UTC) if k == 0 else None
        if self.repeat is Repeat.DAILY:
            day = first.date() + dt.timedelta(days=k)
        elif self.repeat is Repeat.WEEKLY:
            day = first.date() + dt.timedelta(weeks=k)
        else:
            day = _add_months(first.date(), k, first.day)
        assert self.until is not None
        if day > self.until:
            return None
        wall = dt.datetime.combine(day, first.timetz().replace(tzinfo=None))
        return wall.replace(tzinfo=TZ).astimezone(dt.UTC)

    def _estimate(self, after: dt.datetime) -> int:
        days = (local(after).date() - local(self.start).date()).days
        per = {Repeat.DAILY: 1, Repeat.WEEKLY: 7, Repeat.MONTHLY: 31}.get(self.repeat, 1)
        return max(0, days // per - 1)

    def next_fire(self, after: dt.datetime) -> dt.datetime | None:
        """The first firing strictly after `after`, or None when the schedule is over."""
        k = self._estimate(after)
        for _ in range(MAX_OCCURRENCES):
            t = self.nth(k)
            if t is None:
                return None
            if t > after:
                return t
            k += 1
        return None

    def first(self) -> dt.datetime:
        t = self.nth(0)
        assert t is not None
        return t

    def fires_between(self, after: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
        out: list[dt.datetime] = []
        t = self.next_fire(after)
        while t is not None and t <= until and len(out) < MAX_OCCURRENCES:
            out.append(t)
            t = self.next_fire(t)
        return out


def in_quiet_hours(moment: dt.datetime) -> bool:
    t = local(moment).time()
    return t >= QUIET_START or t < QUIET_END


def quiet_hours_end(moment: dt.datetime) -> dt.datetime:
    """When a private notice held back at `moment` may go: `moment` itself outside quiet hours."""
    if not in_quiet_hours(moment):
        return moment
    lt = local(moment)
    day = lt.date() if lt.time() < QUIET_END else lt.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, QUIET_END).replace(tzinfo=TZ).astimezone(dt.UTC)


def parse_local(text: str, now: dt.datetime) -> dt.datetime | None:
    """'25/11 14:30', '25/11/2026 14:30', '14:30' (today, or tomorrow if passed) → aware UTC, or None."""
    m = re.fullmatch(r"\s*(?:(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\s+)?(\d{1,2})[:hg](\d{2})?\s*", text or "")
    if not m:
        return None
    d, mo, y, h, mi = m.groups()
    ln = local(now)
    try:
        if d is None:
            day = ln.date()
            wall = dt.datetime.combine(day, dt.time(int(h), int(mi or 0)))
            if wall.replace(tzinfo=TZ) <= ln:
                wall += dt.timedelta(days=1)
        else:
            year = int(y) + (2000 if y and len(y) == 2 else 0) if y else ln.year
            wall = dt.datetime(year, int(mo), int(d), int(h), int(mi or 0))
            if y is None and wall.replace(tzinfo=TZ) < ln - dt.timedelta(days=1):
                wall = wall.replace(year=year + 1)
    except ValueError:
        return None
    return wall.replace(tzinfo=TZ).astimezone(dt.UTC)


def parse_date(text: str, now: dt.datetime) -> dt.date | None:
    """'31/12' or '31/12/2026' → a local date (this year, or next year if already past)."""
    m = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\s*", text or "")
    if not m:
        return None
    d, mo, y = m.groups()
    today = local(now).date()
    try:
        if y:
            return dt.date(int(y) + (2000 if len(y) == 2 else 0), int(mo), int(d))
        day = dt.date(today.year, int(mo), int(d))
        return day if day >= today else dt.date(today.year + 1, int(mo), int(d))
    except ValueError:
        return None


def format_local(moment: dt.datetime) -> str:
    return local(moment).strftime("%H:%M %d/%m/%Y")
