"""Home visits by the community digital teams (tổ chuyển đổi số cộng đồng): pure rules and data.

A resident asks for someone to come to her home; the team covering her tổ dân phố takes the
request, agrees a time with her, goes, and fills a visit log by buttons. Progress per tổ counts
households (one resident = one household) from their latest log, never twice.
Nothing here knows Telegram or SQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

REMIND_AFTER = dt.timedelta(hours=48)  # nobody took it: the team group and ward staff are told
DEFAULT_SMARTPHONE_PCT = 80
DEFAULT_EPAY_PCT = 50
MAX_DESCRIPTION_CHARS = 500
MAX_NOTE_CHARS = 500
MAX_PROPOSE_AHEAD = dt.timedelta(days=21)
DIGEST_HOUR = 8  # the weekly progress message goes to ward staff from Monday 08:00, Hà Nội time


class VisitStatus(StrEnum):
    OPEN = "open"  # posted to the team, nobody took it yet
    TAKEN = "taken"  # a member said "I'll go"
    PROPOSED = "proposed"  # the member proposed a time; the resident has not confirmed yet
    SCHEDULED = "scheduled"  # the resident confirmed the time
    DONE = "done"  # the visit log is saved
    CANCELLED = "cancelled"  # by the resident


ACTIVE = frozenset({VisitStatus.OPEN, VisitStatus.TAKEN, VisitStatus.PROPOSED, VisitStatus.SCHEDULED})


class DayPart(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class DayKind(StrEnum):
    WEEKDAY = "weekday"
    WEEKEND = "weekend"


# The hour a proposed visit starts in each part of the day (Hà Nội time).
DAY_PART_START = {DayPart.MORNING: dt.time(9, 0), DayPart.AFTERNOON: dt.time(15, 0), DayPart.EVENING: dt.time(19, 30)}

# What a visit log records, in the order of its bits (the log form keeps its state in the button payload).
APPS = ("ihanoi", "vneid2", "bank", "vssid", "etax")
SKILLS = ("login", "submit", "qr")
FLAGS = ("smartphone", "epay")
LOG_FIELDS = (*APPS, *SKILLS, *FLAGS)
MAX_LOG_BITS = (1 << len(LOG_FIELDS)) - 1


@dataclass(frozen=True)
class LogChoices:
    """The visit log's buttons as bits: which apps, which skills, the two household flags."""

    bits: int = 0

    def has(self, name: str) -> bool:
        return bool(self.bits >> LOG_FIELDS.index(name) & 1)

    def toggled(self, name: str) -> LogChoices:
        return LogChoices(self.bits ^ (1 << LOG_FIELDS.index(name)))

    @property
    def apps(self) -> tuple[str, ...]:
        return tuple(a for a in APPS if self.has(a))

    @property
    def skills(self) -> tuple[str, ...]:
        return tuple(s for s in SKILLS if self.has(s))

    @property
    def smartphone(self) -> bool:
        return self.has("smartphone")

    @property
    def epay(self) -> bool:
        return self.has("epay")


_PHONE_RE = re.compile(r"^(?:\+?84|0)(\d{9,10})$")


def normalize_phone(text: str) -> str | None:
    """A Vietnamese phone number as 0xxxxxxxxx, or None ("09 12.345 678" and "+84912345678" are fine)."""
    digits = re.sub(r"[\s.\-()]", "", text.strip())
    m = _PHONE_RE.match(digits)
    return "0" + m.group(1) if m else None


def mask_phone(phone: str | None) -> str:
    """For logs and for everyone but the member who took the request and staff: 09••••••78."""
    if not phone:
        return "-"
    return phone[:2] + "•" * max(len(phone) - 4, 0) + phone[-2:]


_TO_RE = re.compile(r"^\s*(?:tổ|to|tdp|tổ dân phố)?\s*0*(\d{1,3})\s*$", re.IGNORECASE)


def parse_to(text: str) -> str | None:
    """A tổ dân phố as typed ("5", "tổ 5", "TDP 05") → "5"."""
    m = _TO_RE.match(text)
    return m.group(1) if m else None


def proposal_options(now: dt.datetime, part: DayPart, kind: DayKind, tz: dt.tzinfo, n: int = 4) -> list[dt.datetime]:
    """The next `n` days matching the resident's preference, at the start of her part of the day (UTC)."""
    local = now.astimezone(tz)
    out: list[dt.datetime] = []
    day = local.date()
    while len(out) < n:
        weekend = day.weekday() >= 5
        if weekend == (kind is DayKind.WEEKEND):
            at = dt.datetime.combine(day, DAY_PART_START[part], tzinfo=tz)
            if at > local + dt.timedelta(hours=1):
                out.append(at.astimezone(dt.UTC))
        day += dt.timedelta(days=1)
    return out


def proposal_ok(at: dt.datetime, now: dt.datetime) -> bool:
    """A proposed time from a button: in the future and not absurdly far (a forged payload is refused)."""
    return now < at <= now + MAX_PROPOSE_AHEAD


# --- progress against targets ---------------------------------------------------------------


@dataclass(frozen=True)
class ToTarget:
    to: str
    households: int
    adults: int


@dataclass(frozen=True)
class HouseholdLog:
    """One saved visit log, as progress needs it."""

    household: int  # the resident's user id
    to: str
    at: dt.datetime
    smartphone: bool
    epay: bool


@dataclass(frozen=True)
class SelfReport:
    """A resident's own answer: she said a guide worked ("Bác đã làm được chưa?" → yes) at `at`.
    Doing one of the skills herself on her phone means the household has a smartphone user; an
    e-payment guide that worked means an e-payment account too (see `self_report`)."""

    household: int
    to: str
    at: dt.datetime
    epay: bool


# Guide categories whose "it worked" shows the skill done on a phone (not the scam-awareness or
# ward-information guides, which one can read without doing anything).
SKILL_CATEGORIES = frozenset({"ihanoi", "vneid", "dvc", "epay", "phone"})
EPAY_CATEGORY = "epay"


def self_report(household: int, tdp: str | None, category: str | None, at: dt.datetime) -> SelfReport | None:
    """Her finished guide as evidence, or None when it shows nothing (another category, no tổ)."""
    to = parse_to(tdp or "")
    if to is None or category not in SKILL_CATEGORIES:
        return None
    return SelfReport(household, to, at, category == EPAY_CATEGORY)


@dataclass
class _Household:
    to: str
    visited: bool = False
    smartphone: bool = False
    epay: bool = False


@dataclass(frozen=True)
class RequestTiming:
    to: str
    status: VisitStatus
    created_at: dt.datetime
    done_at: dt.datetime | None


@dataclass(frozen=True)
class ToProgress:
    to: str
    households: int
    visited: int
    smartphone: int
    epay: int
    open_requests: int
    median_hours: float | None

    def pct(self, n: int) -> float | None:
        return 100.0 * n / self.households if self.households else None


@dataclass(frozen=True)
class WardProgress:
    ward_id: str
    smartphone_target: int
    epay_target: int
    rows: tuple[ToProgress, ...]
    total: ToProgress


def _to_key(to: str) -> tuple[int, str]:
    return (int(to), to) if to.isdigit() else (10**6, to)


def progress(
    ward_id: str,
    targets: Sequence[ToTarget],
    logs: Iterable[HouseholdLog],
    requests: Iterable[RequestTiming],
    smartphone_target: int = DEFAULT_SMARTPHONE_PCT,
    epay_target: int = DEFAULT_EPAY_PCT,
    reports: Iterable[SelfReport] = (),
) -> WardProgress:
    """Per tổ, a household counts once. Its evidence is read in time order: a visit log sets both flags
    (a later log replaces an earlier one's), a resident's own "it worked" can only add what it shows.
    The household is in the tổ of its latest log (else the tổ she gave the bot)."""
    houses: dict[int, _Household] = {}
    events: list[tuple[dt.datetime, int, HouseholdLog | SelfReport]] = [(x.at, 0, x) for x in logs]
    events += [(x.at, 1, x) for x in reports]
    for _at, _order, e in sorted(events, key=lambda x: (x[0], x[1])):
        h = houses.setdefault(e.household, _Household(e.to))
        if isinstance(e, HouseholdLog):
            h.to, h.visited, h.smartphone, h.epay = e.to, True, e.smartphone, e.epay
        else:
            h.smartphone, h.epay = True, h.epay or e.epay
            if not h.visited:
                h.to = e.to
    reqs = list(requests)
    tos = {t.to for t in targets} | {h.to for h in houses.values()} | {r.to for r in reqs}
    by_to = {t.to: t for t in targets}
    out = []
    for to in sorted(tos, key=_to_key):
        mine = [h for h in houses.values() if h.to == to]
        rq = [r for r in reqs if r.to == to]
        out.append(
            ToProgress(
                to=to,
                households=by_to[to].households if to in by_to else 0,
                visited=sum(h.visited for h in mine),
                smartphone=sum(h.smartphone for h in mine),
                epay=sum(h.epay for h in mine),
                open_requests=sum(r.status in ACTIVE for r in rq),
                median_hours=_median_hours(rq),
            )
        )
    total = ToProgress(
        to="all",
        households=sum(r.households for r in out),
        visited=sum(r.visited for r in out),
        smartphone=sum(r.smartphone for r in out),
        epay=sum(r.epay for r in out),
        open_requests=sum(r.open_requests for r in out),
        median_hours=_median_hours(reqs),
    )
    return WardProgress(ward_id, smartphone_target, epay_target, tuple(out), total)


def _median_hours(reqs: Iterable[RequestTiming]) -> float | None:
    hours = [(r.done_at - r.created_at).total_seconds() / 3600 for r in reqs if r.done_at is not None]
    return statistics.median(hours) if hours else None


# --- the targets CSV ------------------------------------------------------------------------

TARGET_COLUMNS = ("to", "households", "adults")


class TargetsError(ValueError):
    """Every problem of a targets file, as `file:line: message` lines."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_targets(text: str, name: str) -> list[ToTarget]:
    """The CSV `to,households,adults`, one row per tổ; any problem → TargetsError naming file and line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    problems: list[str] = []
    rows = list(reader)
    if not rows:
        raise TargetsError([f"{name}:1: empty file, expected the columns {','.join(TARGET_COLUMNS)}"])
    header = [c.strip().lower() for c in rows[0]]
    if tuple(header) != TARGET_COLUMNS:
        raise TargetsError([f"{name}:1: columns must be {','.join(TARGET_COLUMNS)} (found {','.join(header)})"])
    out: list[ToTarget] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(TARGET_COLUMNS):
            problems.append(f"{name}:{line}: expected {len(TARGET_COLUMNS)} values, found {len(row)}")
            continue
        to = parse_to(row[0])
        if to is None:
            problems.append(f"{name}:{line}: tổ {row[0].strip()!r} is not a number")
            continue
        if to in seen:
            problems.append(f"{name}:{line}: tổ {to} is already on line {seen[to]}")
            continue
        seen[to] = line
        counts: list[int] = []
        for col, value in zip(TARGET_COLUMNS[1:], row[1:], strict=True):
            try:
                n = int(value.strip())
            except ValueError:
                problems.append(f"{name}:{line}: {col} {value.strip()!r} is not a whole number")
                break
            if n < 0:
                problems.append(f"{name}:{line}: {col} must not be negative ({n})")
                break
            counts.append(n)
        else:
            if counts[1] < counts[0]:
                problems.append(f"{name}:{line}: adults ({counts[1]}) fewer than households ({counts[0]})")
                continue
            out.append(ToTarget(to, counts[0], counts[1]))
    if problems:
        raise TargetsError(problems)
    return out


def _fmt_pct(p: float | None) -> str:
    return "-" if p is None else f"{p:.0f}%"


STATS_HEADER = (
    "tổ",
    "households",
    "visited",
    "smartphone",
    "smartphone %/target",
    "e-payment",
    "e-payment %/target",
    "open requests",
    "median hours to visit",
)


def stats_rows(w: WardProgress) -> list[list[str]]:
    """The `stats visits` table as cells (the same for the text table and the CSV)."""
    out = []
    for r in (*w.rows, w.total):
        out.append(
            [
                r.to,
                str(r.households),
                str(r.visited),
                str(r.smartphone),
                f"{_fmt_pct(r.pct(r.smartphone))}/{w.smartphone_target}%",
                str(r.epay),
                f"{_fmt_pct(r.pct(r.epay))}/{w.epay_target}%",
                str(r.open_requests),
                "-" if r.median_hours is None else f"{r.median_hours:.1f}",
            ]
        )
    return out
