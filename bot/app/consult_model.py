"""Consultations, the values: a draft, a consultation, what a vote shows, the one error type, and the
small parsers of what an official types and of the `vote_<id>` deep link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.app.ports.consultations import ConsultationRecord
from bot.core.screens import Screen

QUESTION_LIMIT = 300
OPTION_LIMIT = 40  # an option is a button label
MIN_OPTIONS, MAX_OPTIONS = 2, 6
MIN_OPEN = dt.timedelta(minutes=10)
MAX_OPEN = dt.timedelta(days=90)
PAYLOAD = "vote_"  # t.me/<bot>?start=vote_<id>
VOTE = "cs:v"  # `cs:v:<id>:<option>`: a resident's vote button (Telegram: VoteCb)
BALLOT = "cs:b"  # `cs:b:<id>`: open that ballot (the Zalo list of open consultations)
ZALO = "zalo"  # the channel whose residents type «y kien <id>» instead of opening a link


class ConsultError(ValueError):
    """A consultation that may not be created or seen; `code` names the text shown (consult.err_<code>)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class Scope(StrEnum):
    WARD = "ward"
    NEIGHBOURHOODS = "tdp"


@dataclass(frozen=True)
class ConsultDraft:
    ward_id: str
    question: str
    options: tuple[str, ...]
    scope: Scope
    neighbourhoods: tuple[str, ...]
    closes_at: dt.datetime
    allow_change: bool
    show_results: bool


@dataclass(frozen=True)
class Consultation:
    id: int
    ward_id: str
    author_id: int
    author_chat_id: int
    question: str
    options: tuple[str, ...]
    scope: Scope
    neighbourhoods: tuple[str, ...]
    closes_at: dt.datetime
    allow_change: bool
    show_results: bool
    closed: bool
    notice_id: int | None

    def open_at(self, now: dt.datetime) -> bool:
        return not self.closed and now < self.closes_at


@dataclass(frozen=True)
class Created:
    consultation: Consultation
    notice_pending: bool  # the ward requires a second official's approval of the notice


@dataclass(frozen=True)
class Voted:
    """What a resident sees after pressing a vote button; `stale` for a forged or outdated button."""

    screen: Screen
    stale: bool = False


def consultation_of(row: ConsultationRecord) -> Consultation:
    return Consultation(
        id=row.id,
        ward_id=row.ward_id,
        author_id=row.author_id,
        author_chat_id=row.author_chat_id,
        question=row.question,
        options=tuple(o for o in row.options.split("\n") if o),
        scope=Scope(row.audience),
        neighbourhoods=tuple(n for n in row.neighbourhoods.split(",") if n),
        closes_at=row.closes_at,
        allow_change=row.allow_change,
        show_results=row.show_results,
        closed=row.status == "closed",
        notice_id=row.notice_id,
    )


async def no_adult_counts(ward_id: str) -> dict[str, int]:
    return {}


def vote_id(payload: str | None) -> int | None:
    """The consultation id of a `vote_<id>` start payload; 0 for a vote payload that is not a number."""
    if not payload or not payload.startswith(PAYLOAD):
        return None
    rest = payload[len(PAYLOAD) :]
    return int(rest) if rest.isdigit() and len(rest) <= 9 else 0


def options_from_lines(text: str) -> tuple[str, ...]:
    """The options an official typed, one per line (a leading "1." or "-" dropped)."""
    out: list[str] = []
    for line in text.splitlines():
        s = line.strip().lstrip("-•*").strip()
        head, sep, tail = s.partition(".")
        if sep and head.isdigit():
            s = tail.strip()
        elif s[:2].rstrip(")").isdigit() and ")" in s[:3]:
            s = s.split(")", 1)[1].strip()
        if s:
            out.append(s)
    return tuple(out)


def neighbourhood_list(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(int(v)) for v in values if v.isdigit()))
