"""Home visits, the resident's side: the request wizard, `/hen` (see, change, cancel), her answer to a
proposed time, the rating."""

from __future__ import annotations

import logging

from bot.app import visit_buttons as vb
from bot.app.ports.visits import VisitRecord, VisitUnitOfWork
from bot.app.residents import Resident
from bot.app.visit_base import TEAM_LANG, VisitBase, VisitDraft, VisitSender, covered_tos, draft_of
from bot.core import visits as core
from bot.core.privacy import mask
from bot.core.screens import Button, Screen, rows
from bot.core.visits import DayKind, DayPart, VisitStatus

log = logging.getLogger(__name__)


class ResidentVisits(VisitBase):
    # --- the resident's wizard ---------------------------------------------------------------

    def can_request(self, r: Resident) -> bool:
        return r.ward_id is not None and self.content.ward(r.ward_id) is not None

    def start(self, r: Resident) -> Screen:
        """The first question (her tổ), or why she cannot ask yet."""
        lang = r.language
        if not self.can_request(r):
            return Screen(self.t(lang, "visits.no_ward"))
        saved = core.parse_to(r.neighbourhood or "")
        button = Button(self.t(lang, "visits.btn_my_to", to=saved), vb.my_to(saved)) if saved else None
        return Screen(self.t(lang, "visits.ask_to"), rows(button, self._menu(r)))

    def ask_description(self, r: Resident) -> Screen:
        return Screen(self.t(r.language, "visits.ask_description"))

    def ask_part(self, r: Resident) -> Screen:
        lang = r.language
        return Screen(
            self.t(lang, "visits.ask_part"),
            rows([Button(self.t(lang, f"visits.part_{p.value}"), vb.day_part(p.value)) for p in DayPart]),
        )

    def ask_kind(self, r: Resident) -> Screen:
        lang = r.language
        return Screen(
            self.t(lang, "visits.ask_kind"),
            rows([Button(self.t(lang, f"visits.kind_{k.value}"), vb.day_kind(k.value)) for k in DayKind]),
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
                Button(self.t(lang, "visits.btn_no"), vb.send(False)),
                Button(self.t(lang, "visits.btn_yes_send"), vb.send(True)),
            ),
        )

    def dropped(self, r: Resident) -> Screen:
        return Screen(self.t(r.language, "visits.dropped"))

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
            await self._post_card(row, r.display_name, chat_id, sender)
        key = "visits.sent" if chat_id is not None else "visits.sent_no_team"
        return Screen(self.t(lang, key, number=request_id), rows(self._menu(r)))

    async def _team_chat(self, tx: VisitUnitOfWork, ward_id: str, to: str) -> int | None:
        teams = await tx.visits.teams(ward_id)
        for team in teams:
            if to in covered_tos(team.tos):
                return team.chat_id
        for team in teams:
            if not team.tos:
                return team.chat_id
        staff = await tx.staff_groups.for_ward(ward_id)
        return staff.chat_id if staff is not None else None

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

    async def rate(self, r: Resident, request_id: int, stars: int) -> Screen:
        lang = r.language
        async with self.uow() as tx:
            row = await tx.visits.get(request_id)
            if row is None or row.resident_id != r.id or row.status != VisitStatus.DONE.value or not 1 <= stars <= 5:
                return Screen(self.t(lang, "common.button_gone"))
            await tx.visits.move(request_id, [VisitStatus.DONE.value], rating=stars)
        return Screen(self.t(lang, "visits.rated"), rows(self._menu(r)))

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
                lang, "visits.mine", number=row.id, details=self._details(lang, draft_of(row), row.phone), status=status
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
