"""Home visits (issue 13): a resident asks for someone to come and help at home; the community digital
team covering her tổ takes it, agrees a time with her, goes, fills the visit log; she rates the visit.

Use cases return screens for the person who acted, and reach others through a `VisitSender`. Who may
press a card's button is decided here: the card's own group only (a forged or foreign payload is
"Nút này không còn dùng được"), and after "Nhận" only the member who took it, or ward staff.
Phone numbers are shown only to that member (in an alert nobody else sees) and to ward staff.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.app import visit_buttons as vb
from bot.app.helpdesk_base import Delivered, Sender
from bot.app.ports.visits import VisitRecord, VisitTransactions, VisitUnitOfWork
from bot.app.residents import Resident, Role
from bot.core import visits as core
from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.i18n import Texts
from bot.core.privacy import mask
from bot.core.screens import Button, Screen, rows
from bot.core.visits import DayKind, DayPart, LogChoices, VisitStatus
from bot.core.working_hours import HANOI

log = logging.getLogger(__name__)
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


class VisitService:
    def __init__(self, uow: VisitTransactions, clock: Clock, texts: Texts, content: Content):
        self.uow, self.clock, self.t, self.content = uow, clock, texts, content

    # --- the resident's wizard ---------------------------------------------------------------

    def can_request(self, r: Resident) -> bool:
        return r.ward_id is not None and self.content.ward(r.ward_id) is not None

    def start(self, r: Resident) -> Screen:
        """The first question (her tổ), or why she cannot ask yet."""
        lang = r.language
        if not self.can_request(r):
            return Screen(self.t(lang, "visits.no_ward"))
        saved = core.parse_to(r.neighbourhood or "")
        button = (
            Button(self.t(lang, "visits.btn_my_to", to=saved), vb.wizard(vb.WizardAction.TO, saved)) if saved else None
        )
        return Screen(self.t(lang, "visits.ask_to"), rows(button))

    def ask_description(self, r: Resident) -> Screen:
        return Screen(self.t(r.language, "visits.ask_description"))

    def ask_part(self, r: Resident) -> Screen:
        lang = r.language
        return Screen(
            self.t(lang, "visits.ask_part"),
            rows(
                [
                    Button(self.t(lang, f"visits.part_{p.value}"), vb.wizard(vb.WizardAction.PART, p.value))
                    for p in DayPart
                ]
            ),
        )

    def ask_kind(self, r: Resident) -> Screen:
        lang = r.language
        return Screen(
            self.t(lang, "visits.ask_kind"),
            rows(
                [
                    Button(self.t(lang, f"visits.kind_{k.value}"), vb.wizard(vb.WizardAction.KIND, k.value))
                    for k in DayKind
                ]
            ),
        )

    def ask_phone(self, r: Resident) -> Screen:
        return Screen(self.t(r.language, "visits.ask_phone"))

    def bad(self, r: Resident, what: str) -> Screen:
        """A typed answer the wizard cannot use: `to`, `description` or `phone`."""
        return Screen(self.t(r.language, f"visits.bad_{what}"))

    @staticmethod
    def clean_description(text: str) -> str | None:
        text = mask(text.strip()).text[: core.MAX_DESCRIPTION_CHARS]
        return text or None

    def summary(self, r: Resident, d: VisitDraft) -> Screen:
        lang = r.language
        return Screen(
            self.t(lang, "visits.summary", details=self._details(lang, d, d.phone or "")),
            rows(
                Button(self.t(lang, "visits.btn_no"), vb.wizard(vb.WizardAction.DROP)),
                Button(self.t(lang, "visits.btn_yes_send"), vb.wizard(vb.WizardAction.SEND)),
            ),
        )

    def dropped(self, r: Resident) -> Screen:
        return Screen(self.t(r.language, "visits.dropped"))

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

    async def submit(self, r: Resident, d: VisitDraft, sender: VisitSender) -> Screen:
        """Saves the request and posts its card to the team covering her tổ (else the ward's staff group)."""
        lang = r.language
        if not d.complete or r.ward_id is None:
            return self.start(r)
        now = self.clock.now()
        async with self.uow() as tx:
            chat_id = await self._team_chat(tx, r.ward_id, d.to or "")
            row = await tx.visits.create(
                resident_id=r.id,
                ward_id=r.ward_id,
                to=d.to,
                description=d.description,
                day_part=str(d.day_part),
                day_kind=str(d.day_kind),
                phone=d.phone,
                status=VisitStatus.OPEN.value,
                team_chat_id=chat_id,
                created_at=now,
            )
            request_id = row.id
        log.info("visit #%s: ward %s tổ %s, phone %s", request_id, r.ward_id, d.to, core.mask_phone(d.phone))
        if chat_id is not None:
            sent = await sender.send(chat_id, self._card(request_id, r.display_name, d, VisitStatus.OPEN, None))
            if sent.ok and sent.message_id is not None:
                async with self.uow() as tx:
                    await tx.visits.move(request_id, [s.value for s in VisitStatus], card_message_id=sent.message_id)
        key = "visits.sent" if chat_id is not None else "visits.sent_no_team"
        return Screen(self.t(lang, key, number=request_id), rows(self._menu(r)))

    async def _team_chat(self, tx: VisitUnitOfWork, ward_id: str, to: str) -> int | None:
        teams = await tx.visits.teams(ward_id)
        for team in teams:
            if to in _tos(team.tos):
                return team.chat_id
        for team in teams:
            if not team.tos:
                return team.chat_id
        staff = await tx.staff_groups.for_ward(ward_id)
        return staff.chat_id if staff is not None else None

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
            _draft(row),
            VisitStatus(row.status),
            taker.display_name if taker else None,
            self._at(TEAM_LANG, row.visit_at) if row.visit_at else None,
        )
        await sender.edit(row.team_chat_id, row.card_message_id, card)

    def _at(self, lang: str, at: dt.datetime) -> str:
        local = at.astimezone(HANOI)
        day = self.t(lang, "visits.weekdays").split(",")[local.weekday()]
        return f"{local:%H:%M} {day} {local:%d/%m}"

    async def _for_team(
        self, member: Resident, chat_id: int, request_id: int, *, taker_only: bool
    ) -> VisitRecord | Answer:
        """The request if this press may act on it; otherwise the polite refusal to show."""
        async with self.uow() as tx:
            row = await tx.visits.get(request_id)
        gone = Answer(self.t(TEAM_LANG, "common.button_gone"), alert=True)
        if row is None or row.team_chat_id != chat_id:
            return gone  # another team's card, or a forged number
        status = VisitStatus(row.status)
        if status is VisitStatus.CANCELLED:
            return Answer(self.t(TEAM_LANG, "visits.team_cancelled"), alert=True)
        if status is VisitStatus.DONE:
            return Answer(self.t(TEAM_LANG, "visits.team_done_already"), alert=True)
        if taker_only:
            if status is VisitStatus.OPEN:
                return Answer(self.t(TEAM_LANG, "visits.take_first"), alert=True)
            if row.taker_id != member.id and not member.has_role(Role.STAFF, row.ward_id):
                return Answer(self.t(TEAM_LANG, "visits.not_yours"), alert=True)
        return row

    async def take(self, member: Resident, chat_id: int, request_id: int, sender: VisitSender) -> Answer:
        got = await self._for_team(member, chat_id, request_id, taker_only=False)
        if isinstance(got, Answer):
            return got
        row = got
        now = self.clock.now()
        async with self.uow() as tx:
            won = await tx.visits.move(
                request_id, [VisitStatus.OPEN.value], status=VisitStatus.TAKEN.value, taker_id=member.id, taken_at=now
            )
            row = await tx.visits.get(request_id) or row
            resident = await tx.users.get(row.resident_id)
            taker = await tx.users.get(row.taker_id) if row.taker_id is not None else None
        if not won and row.taker_id != member.id:
            return Answer(self.t(TEAM_LANG, "visits.taken_by", name=taker.display_name if taker else "?"), alert=True)
        if won:
            log.info("visit #%s taken by user %s", request_id, member.id)
            await self._refresh_card(request_id, sender)
            if resident is not None and resident.channel == TELEGRAM:
                lang = resident.lang or "vi"
                await sender.send(
                    resident.external_id,
                    Screen(self.t(lang, "visits.resident_taken", number=request_id, name=member.display_name)),
                )
        return Answer(
            self.t(
                TEAM_LANG,
                "visits.taken_you",
                number=request_id,
                phone=row.phone,
                name=resident.display_name if resident else "?",
            ),
            alert=True,
        )

    async def propose_choices(self, member: Resident, chat_id: int, request_id: int) -> Answer:
        got = await self._for_team(member, chat_id, request_id, taker_only=True)
        if isinstance(got, Answer):
            return got
        row = got
        options = core.proposal_options(self.clock.now(), DayPart(row.day_part), DayKind(row.day_kind), HANOI)
        buttons = [Button(self._at(TEAM_LANG, at), vb.propose_at(request_id, at)) for at in options]
        screen = Screen(self.t(TEAM_LANG, "visits.pick_time", number=request_id), rows(*[[b] for b in buttons]))
        return Answer(screen=screen, reply_to=row.card_message_id)

    async def propose(
        self, member: Resident, chat_id: int, request_id: int, at: dt.datetime, sender: VisitSender
    ) -> Answer:
        got = await self._for_team(member, chat_id, request_id, taker_only=True)
        if isinstance(got, Answer):
            return got
        row = got
        if not core.proposal_ok(at, self.clock.now()):
            return Answer(self.t(TEAM_LANG, "common.button_gone"), alert=True)
        async with self.uow() as tx:
            active = [VisitStatus.TAKEN.value, VisitStatus.PROPOSED.value, VisitStatus.SCHEDULED.value]
            moved = await tx.visits.move(request_id, active, status=VisitStatus.PROPOSED.value, visit_at=at)
            resident = await tx.users.get(row.resident_id)
        if not moved:
            return Answer(self.t(TEAM_LANG, "common.button_gone"), alert=True)
        await self._refresh_card(request_id, sender)
        if resident is not None and resident.channel == TELEGRAM:
            lang = resident.lang or "vi"
            await sender.send(
                resident.external_id,
                Screen(
                    self.t(
                        lang,
                        "visits.resident_proposed",
                        number=request_id,
                        name=member.display_name,
                        at=self._at(lang, at),
                    ),
                    rows(
                        Button(self.t(lang, "visits.btn_time_no"), vb.time_answer(request_id, False, at)),
                        Button(self.t(lang, "visits.btn_time_ok"), vb.time_answer(request_id, True, at)),
                    ),
                ),
            )
        return Answer(self.t(TEAM_LANG, "visits.proposed", at=self._at(TEAM_LANG, at)))

    async def answer_time(self, r: Resident, request_id: int, ok: bool, at_minutes: int, sender: VisitSender) -> Screen:
        """She accepts the proposed time, or asks for another one (only the latest proposal counts)."""
        lang = r.language
        async with self.uow() as tx:
            row = await tx.visits.get(request_id)
            if (
                row is None
                or row.resident_id != r.id
                or row.status != VisitStatus.PROPOSED.value
                or row.visit_at is None
                or vb.minutes(row.visit_at) != at_minutes
            ):
                return Screen(self.t(lang, "common.button_gone"))
            new = VisitStatus.SCHEDULED if ok else VisitStatus.TAKEN
            await tx.visits.move(
                request_id, [VisitStatus.PROPOSED.value], status=new.value, **({} if ok else {"visit_at": None})
            )
            at = row.visit_at
        await self._refresh_card(request_id, sender)
        when = self._at(TEAM_LANG, at) if at else ""
        if row.team_chat_id is not None:
            key = "visits.team_time_ok" if ok else "visits.team_time_no"
            await sender.send(
                row.team_chat_id,
                Screen(self.t(TEAM_LANG, key, number=request_id, name=r.display_name, at=when)),
                reply_to=row.card_message_id,
            )
        if ok:
            return Screen(self.t(lang, "visits.time_ok", at=self._at(lang, at) if at else ""), rows(self._menu(r)))
        return Screen(self.t(lang, "visits.time_no"), rows(self._menu(r)))

    # --- the visit log -------------------------------------------------------------------------

    def _log_form(self, request_id: int, name: str, choices: LogChoices) -> Screen:
        t = self.t

        def toggle(field: str) -> Button:
            mark = "✅" if choices.has(field) else "▫️"
            return Button(
                f"{mark} {t(TEAM_LANG, f'visits.log_{field}')}",
                vb.log(vb.LogAction.TOGGLE, request_id, choices.toggled(field).bits),
            )

        return Screen(
            t(TEAM_LANG, "visits.log_form", number=request_id, name=name),
            rows(
                *[[toggle(a) for a in core.APPS[i : i + 2]] for i in range(0, len(core.APPS), 2)],
                [toggle(s) for s in core.SKILLS],
                [toggle(f) for f in core.FLAGS],
                [
                    Button(t(TEAM_LANG, "visits.btn_log_note"), vb.log(vb.LogAction.NOTE, request_id, choices.bits)),
                    Button(t(TEAM_LANG, "visits.btn_log_save"), vb.log(vb.LogAction.SAVE, request_id, choices.bits)),
                ],
            ),
        )

    async def done_form(self, member: Resident, chat_id: int, request_id: int) -> Answer:
        got = await self._for_team(member, chat_id, request_id, taker_only=True)
        if isinstance(got, Answer):
            return got
        row = got
        name = await self._resident_name(row.resident_id)
        return Answer(screen=self._log_form(request_id, name, LogChoices()), reply_to=row.card_message_id)

    async def toggle(self, member: Resident, chat_id: int, request_id: int, bits: int) -> Answer:
        got = await self._for_team(member, chat_id, request_id, taker_only=True)
        if isinstance(got, Answer):
            return got
        row = got
        name = await self._resident_name(row.resident_id)
        return Answer(edit=self._log_form(request_id, name, LogChoices(bits)))

    async def note_prompt(self, member: Resident, chat_id: int, request_id: int) -> Answer:
        got = await self._for_team(member, chat_id, request_id, taker_only=True)
        if isinstance(got, Answer):
            return got
        return Answer(screen=Screen(self.t(TEAM_LANG, "visits.log_note_prompt", number=request_id)))

    async def save_log(
        self, member: Resident, chat_id: int, request_id: int, bits: int, note: str, sender: VisitSender
    ) -> Answer:
        got = await self._for_team(member, chat_id, request_id, taker_only=True)
        if isinstance(got, Answer):
            return got
        row = got
        choices, now = LogChoices(bits), self.clock.now()
        active = [VisitStatus.TAKEN.value, VisitStatus.PROPOSED.value, VisitStatus.SCHEDULED.value]
        async with self.uow() as tx:
            if not await tx.visits.move(request_id, active, status=VisitStatus.DONE.value, done_at=now):
                return Answer(self.t(TEAM_LANG, "visits.team_done_already"), alert=True)
            await tx.visits.add_log(
                request_id=request_id,
                ward_id=row.ward_id,
                to=row.to,
                household_id=row.resident_id,
                member_id=member.id,
                apps=",".join(choices.apps),
                skills=",".join(choices.skills),
                smartphone=choices.smartphone,
                epay=choices.epay,
                note=mask(note.strip()).text[: core.MAX_NOTE_CHARS],
                created_at=now,
            )
            resident = await tx.users.get(row.resident_id)
        log.info("visit #%s done by user %s", request_id, member.id)
        await self._refresh_card(request_id, sender)
        if resident is not None and resident.channel == TELEGRAM:
            lang = resident.lang or "vi"
            await sender.send(
                resident.external_id,
                Screen(
                    self.t(lang, "visits.rate_ask", number=request_id, name=member.display_name),
                    rows([Button(f"{n} ⭐", vb.request(vb.RequestAction.RATE, request_id, n)) for n in range(1, 6)]),
                ),
            )
        return Answer(
            self.t(TEAM_LANG, "visits.log_saved", number=request_id),
            edit=Screen(self._log_summary(request_id, choices, note)),
        )

    def _log_summary(self, request_id: int, c: LogChoices, note: str) -> str:
        t = self.t
        names = [t(TEAM_LANG, f"visits.log_{f}") for f in (*c.apps, *c.skills)]
        flags = [t(TEAM_LANG, f"visits.log_{f}") + (" ✅" if c.has(f) else " ✖️") for f in core.FLAGS]
        return t(
            TEAM_LANG,
            "visits.log_summary",
            number=request_id,
            done=", ".join(names) or "-",
            flags="; ".join(flags),
            note=mask(note.strip()).text or "-",
        )

    async def rate(self, r: Resident, request_id: int, stars: int) -> Screen:
        lang = r.language
        async with self.uow() as tx:
            row = await tx.visits.get(request_id)
            if row is None or row.resident_id != r.id or row.status != VisitStatus.DONE.value or not 1 <= stars <= 5:
                return Screen(self.t(lang, "common.button_gone"))
            await tx.visits.move(request_id, [VisitStatus.DONE.value], rating=stars)
        return Screen(self.t(lang, "visits.rated"), rows(self._menu(r)))

    async def _resident_name(self, user_id: int) -> str:
        async with self.uow() as tx:
            u = await tx.users.get(user_id)
        return u.display_name if u else "?"

    # --- /hen: her requests --------------------------------------------------------------------

    async def mine(self, r: Resident) -> list[Screen]:
        lang = r.language
        async with self.uow() as tx:
            active = list(await tx.visits.of_resident(r.id))
        if not active:
            return [
                Screen(
                    self.t(lang, "visits.none"), rows(Button(self.t(lang, "visits.btn_new"), vb.START), self._menu(r))
                )
            ]
        out = []
        for row in active:
            status = self.t(lang, f"visits.mine_{row.status}", at=self._at(lang, row.visit_at) if row.visit_at else "")
            text = self.t(
                lang, "visits.mine", number=row.id, details=self._details(lang, _draft(row), row.phone), status=status
            )
            A = vb.RequestAction
            out.append(
                Screen(
                    text,
                    rows(
                        [
                            Button(self.t(lang, "visits.btn_edit_time"), vb.request(A.EDIT_TIME, row.id)),
                            Button(self.t(lang, "visits.btn_edit_description"), vb.request(A.EDIT_DESCRIPTION, row.id)),
                        ],
                        [
                            Button(self.t(lang, "visits.btn_edit_phone"), vb.request(A.EDIT_PHONE, row.id)),
                            Button(self.t(lang, "visits.btn_cancel"), vb.request(A.CANCEL, row.id)),
                        ],
                    ),
                )
            )
        return out

    async def _own_active(self, r: Resident, request_id: int) -> VisitRecord | None:
        async with self.uow() as tx:
            row = await tx.visits.get(request_id)
        if row is None or row.resident_id != r.id or VisitStatus(row.status) not in core.ACTIVE:
            return None
        return row

    async def cancel_ask(self, r: Resident, request_id: int) -> Screen:
        lang = r.language
        if await self._own_active(r, request_id) is None:
            return Screen(self.t(lang, "common.button_gone"))
        A = vb.RequestAction
        return Screen(
            self.t(lang, "visits.cancel_confirm", number=request_id),
            rows(
                Button(self.t(lang, "visits.btn_no"), vb.request(A.CANCEL_NO, request_id)),
                Button(self.t(lang, "visits.btn_yes_cancel"), vb.request(A.CANCEL_YES, request_id)),
            ),
        )

    async def cancel(self, r: Resident, request_id: int, sender: VisitSender) -> Screen:
        lang = r.language
        row = await self._own_active(r, request_id)
        if row is None:
            return Screen(self.t(lang, "common.button_gone"))
        async with self.uow() as tx:
            if not await tx.visits.move(request_id, [s.value for s in core.ACTIVE], status=VisitStatus.CANCELLED.value):
                return Screen(self.t(lang, "common.button_gone"))
        await self._refresh_card(request_id, sender)
        if row.team_chat_id is not None:
            await sender.send(
                row.team_chat_id,
                Screen(self.t(TEAM_LANG, "visits.team_cancel_note", number=request_id, name=r.display_name)),
                reply_to=row.card_message_id,
            )
        return Screen(self.t(lang, "visits.cancelled", number=request_id), rows(self._menu(r)))

    async def kept(self, r: Resident) -> Screen:
        return Screen(self.t(r.language, "visits.kept"), rows(self._menu(r)))

    def gone(self, r: Resident) -> Screen:
        return Screen(self.t(r.language, "common.button_gone"))

    async def can_edit(self, r: Resident, request_id: int) -> bool:
        return await self._own_active(r, request_id) is not None

    async def edit(self, r: Resident, request_id: int, change: VisitDraft, sender: VisitSender) -> Screen:
        """Changes the time, the description or the phone of her request; the team sees the new card."""
        lang = r.language
        row = await self._own_active(r, request_id)
        if row is None:
            return Screen(self.t(lang, "common.button_gone"))
        values: dict[str, object] = {}
        if change.day_part is not None and change.day_kind is not None:
            values.update(day_part=change.day_part.value, day_kind=change.day_kind.value)
        if change.description:
            values["description"] = change.description
        if change.phone:
            values["phone"] = change.phone
        if not values:
            return Screen(self.t(lang, "common.button_gone"))
        async with self.uow() as tx:
            await tx.visits.move(request_id, [s.value for s in core.ACTIVE], **values)
        await self._refresh_card(request_id, sender)
        if row.team_chat_id is not None:
            await sender.send(
                row.team_chat_id,
                Screen(self.t(TEAM_LANG, "visits.team_edit_note", number=request_id, name=r.display_name)),
                reply_to=row.card_message_id,
            )
        return Screen(self.t(lang, "visits.edited", number=request_id), rows(self._menu(r)))

    # --- admins: team groups -------------------------------------------------------------------

    async def bind_team(self, admin: Resident, chat_id: int, args: str) -> str:
        t = self.t
        if not admin.is_admin:
            return t(TEAM_LANG, "tickets.admin_only")
        parts = args.replace(",", " ").split()
        ward = self.content.ward(parts[0]) if parts else None
        tos = [core.parse_to(p) for p in parts[1:]]
        if ward is None or None in tos:
            return t(TEAM_LANG, "visits.bind_usage", wards=", ".join(self.content.wards))
        covered = ",".join(dict.fromkeys(to for to in tos if to))
        async with self.uow() as tx:
            await tx.visits.bind_team(chat_id, ward.id, covered, self.clock.now())
        which = (
            t(TEAM_LANG, "visits.bound_tos", tos=", ".join(covered.split(",")))
            if covered
            else t(TEAM_LANG, "visits.bound_all")
        )
        return t(TEAM_LANG, "visits.bound", ward=ward.name.get(TEAM_LANG), which=which)

    async def group_migrated(self, old_chat_id: int, new_chat_id: int) -> bool:
        async with self.uow() as tx:
            return await tx.visits.move_team(old_chat_id, new_chat_id)

    async def group_lost(self, chat_id: int) -> None:
        async with self.uow() as tx:
            await tx.visits.deactivate_team(chat_id)

    async def team_ward(self, chat_id: int) -> str | None:
        async with self.uow() as tx:
            team = await tx.visits.team(chat_id)
        return team.ward_id if team is not None and team.active else None

    # --- the 48 h reminder ---------------------------------------------------------------------

    async def remind(self, sender: VisitSender, now: dt.datetime | None = None) -> int:
        """Requests nobody took within 48 h: a reminder under the card and a note to the ward's staff.
        Each request is claimed before anything is sent, so several instances send it once."""
        now = now or self.clock.now()
        async with self.uow() as tx:
            due = list(await tx.visits.due_reminders(now - core.REMIND_AFTER))
        sent = 0
        for row in due:
            async with self.uow() as tx:
                if not await tx.visits.claim_reminder(row.id, now):
                    continue
                staff = await tx.staff_groups.for_ward(row.ward_id)
                resident = await tx.users.get(row.resident_id)
            hours = int((now - row.created_at).total_seconds() // 3600)
            if row.team_chat_id is not None:
                await sender.send(
                    row.team_chat_id,
                    Screen(self.t(TEAM_LANG, "visits.reminder", number=row.id, to=row.to, hours=hours)),
                    reply_to=row.card_message_id,
                )
                sent += 1
            if staff is not None:
                note = self.t(
                    TEAM_LANG,
                    "visits.staff_note",
                    number=row.id,
                    to=row.to,
                    hours=hours,
                    name=resident.display_name if resident else "?",
                    phone=row.phone,  # ward staff may call her
                )
                await sender.send(staff.chat_id, Screen(note))
                sent += 1
            log.info("visit #%s: nobody took it in %s h, reminded", row.id, hours)
        return sent

    # --- the weekly progress message to ward staff ---------------------------------------------

    def digest_text(self, w: core.WardProgress) -> str:
        t = self.t

        def pct(r: core.ToProgress, n: int) -> str:
            p = r.pct(n)
            return "-" if p is None else f"{p:.0f}%"

        lines = [
            t(
                TEAM_LANG,
                "visits.digest_row",
                to=t(TEAM_LANG, "visits.digest_to", to=r.to) if r is not w.total else t(TEAM_LANG, "visits.digest_all"),
                visited=r.visited,
                households=r.households,
                smartphone=pct(r, r.smartphone),
                epay=pct(r, r.epay),
                open=r.open_requests,
            )
            for r in (*w.rows, w.total)
        ]
        return t(
            TEAM_LANG,
            "visits.digest",
            ward=self._ward_name(w.ward_id),
            smartphone=w.smartphone_target,
            epay=w.epay_target,
            rows="\n".join(lines),
        )

    def _ward_name(self, ward_id: str) -> str:
        ward = self.content.ward(ward_id)
        return ward.name.get(TEAM_LANG) if ward is not None else ward_id

    async def weekly(self, sender: VisitSender, now: dt.datetime | None = None) -> int:
        """From Monday 08:00 (Hà Nội), once a week per ward: the progress table to the ward's staff group."""
        local = (now or self.clock.now()).astimezone(HANOI)
        if local.weekday() != 0 or local.hour < core.DIGEST_HOUR:
            return 0
        year, week, _ = local.isocalendar()
        sent = 0
        for ward_id in self.content.wards:
            async with self.uow() as tx:
                staff = await tx.staff_groups.for_ward(ward_id)
            if staff is None:
                continue
            w = await self.progress(ward_id)
            if not w.rows:
                continue  # nothing to say: no targets, no requests, no logs
            async with self.uow() as tx:
                if not await tx.visits.claim_digest(ward_id, f"{year}-W{week:02d}"):
                    continue
            if (await sender.send(staff.chat_id, Screen(self.digest_text(w)))).ok:
                sent += 1
        return sent

    # --- progress against targets --------------------------------------------------------------

    async def progress(self, ward_id: str) -> core.WardProgress:
        async with self.uow() as tx:
            targets = await tx.visits.targets(ward_id)
            logs = await tx.visits.logs(ward_id)
            reqs = await tx.visits.requests(ward_id)
            pct = await tx.visits.ward_targets(ward_id)
            own = await tx.visits.self_reports(ward_id)
        smartphone, epay = pct or (core.DEFAULT_SMARTPHONE_PCT, core.DEFAULT_EPAY_PCT)
        reports = [
            core.SelfReport(user, to, at, core.is_epay_guide(guide))
            for user, tdp, guide, at in own
            if (to := core.parse_to(tdp or "")) is not None
        ]
        return core.progress(
            ward_id,
            [core.ToTarget(t.to, t.households, t.adults) for t in targets],
            [core.HouseholdLog(x.household_id, x.to, x.created_at, x.smartphone, x.epay) for x in logs],
            [core.RequestTiming(r.to, VisitStatus(r.status), r.created_at, r.done_at) for r in reqs],
            smartphone,
            epay,
            reports,
        )

    async def import_targets(self, ward_id: str, targets: Sequence[core.ToTarget]) -> None:
        async with self.uow() as tx:
            await tx.visits.replace_targets(ward_id, [(t.to, t.households, t.adults) for t in targets])

    async def set_ward_targets(self, ward_id: str, smartphone: int, epay: int) -> None:
        async with self.uow() as tx:
            await tx.visits.set_ward_targets(ward_id, smartphone, epay)


def _tos(text: str) -> set[str]:
    return {p for p in text.split(",") if p}


def _draft(row: VisitRecord) -> VisitDraft:
    return VisitDraft(row.to, row.description, DayPart(row.day_part), DayKind(row.day_kind), row.phone)
