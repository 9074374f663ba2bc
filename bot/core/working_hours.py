"""Ward working hours and the arithmetic on them, in Hà Nội time (Asia/Ho_Chi_Minh, UTC+7, no DST).

Default: Monday–Friday 08:00–12:00 and 13:30–17:00. That is the usual office day of a Vietnamese
state agency, but the facts we have (shared/facts) do not confirm any ward's hours, and they say
nothing about Saturday mornings (some một cửa desks open then): Saturday is therefore closed
by default, and a ward sets its own hours with a spec such as
``"mon-fri 08:00-12:00,13:30-17:00; sat 08:00-11:30"`` (stored per staff group, see /hours).
Public holidays are not known either and are not excluded.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_SPEC = "mon-fri 08:00-12:00,13:30-17:00"

Period = tuple[dt.time, dt.time]
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class HoursSpecError(ValueError):
    """A working-hours spec that cannot be read."""


def _parse_time(h: str, m: str) -> dt.time:
    hh, mm = int(h), int(m)
    if hh == 24 and mm == 0:
        return dt.time.max
    if not (0 <= hh < 24 and 0 <= mm < 60):
        raise HoursSpecError(f"bad time {h}:{m}")
    return dt.time(hh, mm)


@dataclass(frozen=True)
class WorkingHours:
    """Opening periods per weekday (0 = Monday), sorted and not overlapping."""

    week: tuple[tuple[Period, ...], ...]
    tz: ZoneInfo = HANOI
    spec: str = DEFAULT_SPEC

    @classmethod
    def parse(cls, spec: str | None = None, tz: ZoneInfo = HANOI) -> WorkingHours:
        spec = (spec or DEFAULT_SPEC).strip().lower()
        week: list[list[Period]] = [[] for _ in range(7)]
        for clause in filter(None, (c.strip() for c in spec.split(";"))):
            days_part, _, ranges = clause.partition(" ")
            days: list[int] = []
            for part in days_part.split(","):
                a, _, b = part.partition("-")
                if a not in DAYS or (b and b not in DAYS):
                    raise HoursSpecError(f"bad day {part!r}")
                lo, hi = DAYS.index(a), DAYS.index(b or a)
                if hi < lo:
                    raise HoursSpecError(f"bad day range {part!r}")
                days.extend(range(lo, hi + 1))
            for r in filter(None, (x.strip() for x in ranges.split(","))):
                m = _RANGE.match(r)
                if not m:
                    raise HoursSpecError(f"bad hours {r!r}")
                start, end = _parse_time(m[1], m[2]), _parse_time(m[3], m[4])
                if end <= start:
                    raise HoursSpecError(f"empty period {r!r}")
                for d in days:
                    week[d].append((start, end))
        for periods in week:
            periods.sort()
            for (_, e1), (s2, _) in itertools.pairwise(periods):
                if s2 < e1:
                    raise HoursSpecError("overlapping periods")
        if not any(week):
            raise HoursSpecError("no working time at all")
        return cls(tuple(tuple(p) for p in week), tz, spec)

    # --- arithmetic ---------------------------------------------------------------------

    def _periods_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        out = []
        for s, e in self.week[day.weekday()]:
            start = dt.datetime.combine(day, s, self.tz)
            end = (
                dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), self.tz)
                if e == dt.time.max
                else dt.datetime.combine(day, e, self.tz)
            )
            out.append((start, end))
        return out

    def _periods_from(self, at: dt.datetime, max_days: int = 370) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        day = at.astimezone(self.tz).date()
        for i in range(max_days):
            yield from self._periods_on(day + dt.timedelta(days=i))

    def is_open(self, at: dt.datetime) -> bool:
        return any(s <= at < e for s, e in self._periods_on(at.astimezone(self.tz).date()))

    def next_open(self, at: dt.datetime) -> dt.datetime:
        """`at` itself when open, otherwise the start of the next working period."""
        for s, e in self._periods_from(at):
            if at < e:
                return max(s, at)
        raise RuntimeError("no working period within a year")

    def add(self, at: dt.datetime, work: dt.timedelta) -> dt.datetime:
        """The moment when `work` of working time has passed after `at`."""
        left = work
        for s, e in self._periods_from(at):
            if e <= at:
                continue
            start = max(s, at)
            if start + left <= e:
                return (start + left).astimezone(dt.UTC)
            left -= e - start
        raise RuntimeError("no working period within a year")

    def between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Working time between two moments (zero when b <= a)."""
        total = dt.timedelta(0)
        if b <= a:
            return total
        for s, e in self._periods_from(a):
            if s >= b:
                break
            lo, hi = max(s, a), min(e, b)
            if hi > lo:
                total += hi - lo
        return total

    def local(self, at: dt.datetime) -> dt.datetime:
        return at.astimezone(self.tz)

    def describe(self, day_names: tuple[str, ...] | list[str] = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")) -> str:
        """'T2–T6 08:00–12:00, 13:30–17:00' style summary, grouping days with the same hours."""
        names = tuple(day_names)
        parts: list[str] = []
        i = 0
        while i < 7:
            j = i
            while j + 1 < 7 and self.week[j + 1] == self.week[i]:
                j += 1
            if self.week[i]:
                days = names[i] if i == j else f"{names[i]}–{names[j]}"
                hours = ", ".join(f"{s:%H:%M}–{'24:00' if e == dt.time.max else f'{e:%H:%M}'}" for s, e in self.week[i])
                parts.append(f"{days} {hours}")
            i = j + 1
        return "; ".join(parts)
