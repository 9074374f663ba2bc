"""Home visits' shared parts: the draft, the answer to a press, the card as the team sees it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from bot.app import visit_buttons as vb
from bot.app.helpdesk_base import Delivered, Sender
from bot.app.ports.visits import VisitRecord, VisitTransactions
from bot.app.residents import Resident
from bot.core import visits as core
from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.i18n import Texts
from bot.core.screens import Button, Screen, rows
from bot.core.visits import DayKind, DayPart, VisitStatus
from bot.core.working_hours import HANOI

TEAM_LANG = "vi"  # team groups and staff read Vietnamese
TELEGRAM = "telegram"


class VisitSender(Sender, Protocol):
    async def edit(self, chat_id: int, message_id: int, screen: Screen) -> Delivered: ...


@dataclass(frozen=True)
class VisitDraft:
    to: str | None = None
    description: str = ""
    day_part: DayPart | None = None
    day_kind: DayKind | None = None
    phone: str | None = None

    @property
    def complete(self) -> bool:
        return None not in (self.to, self.day_part, self.day_kind, self.phone) and bool(self.description)


@dataclass(frozen=True)
class Answer:
    """What the member who pressed a button is told: a toast, or an alert only they see."""

    text: str = ""
    alert: bool = False
    screen: Screen | None = None  # a screen to post for them (the time choices, the visit log form)
    edit: Screen | None = None  # the pressed message's new look (the log form after a toggle)
    reply_to: int | None = None


class VisitBase:
    def __init__(self, uow: VisitTransactions, clock: Clock, texts: Texts, content: Content):
        self.uow, self.clock, self.t, self.content = uow, clock, texts, content

    def _details(self, lang: str, d: VisitDraft, phone: str) -> str:
        return self.t(
            lang,
            "visits.details",
            to=d.to,
            description=d.description,
            when=self._when(lang, d.day_part, d.day_kind),
            phone=phone,
        )

    def _when(self, lang: str, part: DayPart | str | None, kind: DayKind | str | None) -> str:
        return self.t(lang, f"visits.part_{part}").lower() + ", " + self.t(lang, f"visits.kind_{kind}").lower()

    def _menu(self, r: Resident) -> Button:
        return Button(self.t(r.language, "resident.back_menu"), "menu")

    # --- the card in the team group ------------------------------------------------------------

    def _card(
        self, number: int, name: str, d: VisitDraft, status: VisitStatus, taker: str | None, at: str | None = None
    ) -> Screen:
        t = self.t
        text = t(
            TEAM_LANG,
            "visits.card",
            number=number,
            name=name,
            details=self._details(TEAM_LANG, d, core.mask_phone(d.phone)),
            status=t(TEAM_LANG, f"visits.status_{status.value}", taker=taker or "", at=at or ""),
        )
        if status in (VisitStatus.DONE, VisitStatus.CANCELLED):
            return Screen(text)
        return Screen(
            text,
            rows(
                [
                    Button(t(TEAM_LANG, "visits.btn_take"), vb.team(vb.TeamAction.TAKE, number)),
                    Button(t(TEAM_LANG, "visits.btn_propose"), vb.team(vb.TeamAction.PROPOSE, number)),
                    Button(t(TEAM_LANG, "visits.btn_done"), vb.team(vb.TeamAction.DONE, number)),
                ]
            ),
        )

    async def _post_card(self, row: VisitRecord, name: str, chat_id: int, sender: VisitSender) -> None:
        """A new card in the team's group; its message id is kept so later changes edit it."""
        sent = await sender.send(chat_id, self._card(row.id, name, draft_of(row), VisitStatus.OPEN, None))
        if sent.ok and sent.message_id is not None:
            async with self.uow() as tx:
                await tx.visits.move(row.id, [s.value for s in VisitStatus], card_message_id=sent.message_id)

    async def _refresh_card(self, request_id: int, sender: VisitSender) -> None:
        async with self.uow() as tx:
            row = await tx.visits.get(request_id)
            if row is None or row.team_chat_id is None or row.card_message_id is None:
                return
            resident = await tx.users.get(row.resident_id)
            taker = await tx.users.get(row.taker_id) if row.taker_id is not None else None
        card = self._card(
            row.id,
            resident.display_name if resident else "?",
            draft_of(row),
            VisitStatus(row.status),
            taker.display_name if taker else None,
            self._at(TEAM_LANG, row.visit_at) if row.visit_at else None,
        )
        await sender.edit(row.team_chat_id, row.card_message_id, card)

    def _at(self, lang: str, at: dt.datetime) -> str:
        local = at.astimezone(HANOI)
        day = self.t(lang, "visits.weekdays").split(",")[local.weekday()]
        return f"{local:%H:%M} {day} {local:%d/%m}"

    async def _resident_name(self, user_id: int) -> str:
        async with self.uow() as tx:
            u = await tx.users.get(user_id)
        return u.display_name if u else "?"

    def gone(self, r: Resident) -> Screen:
        return Screen(self.t(r.language, "common.button_gone"))

    def _ward_name(self, ward_id: str) -> str:
        ward = self.content.ward(ward_id)
        return ward.name.get(TEAM_LANG) if ward is not None else ward_id


def covered_tos(text: str) -> set[str]:
    return {p for p in text.split(",") if p}


def draft_of(row: VisitRecord) -> VisitDraft:
    return VisitDraft(row.to, row.description, DayPart(row.day_part), DayKind(row.day_kind), row.phone)
