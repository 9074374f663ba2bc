"""Home visits, the team's side: binding team groups, the card's buttons (Nhận / Hẹn lịch / Xong) and
the visit log. Only the card's own group may press them, and after "Nhận" only its taker or ward staff."""

from __future__ import annotations

import datetime as dt
import logging

from bot.app import visit_buttons as vb
from bot.app.ports.visits import VisitRecord
from bot.app.residents import Resident, Role
from bot.app.visit_base import TEAM_LANG, TELEGRAM, Answer, VisitBase, VisitSender, covered_tos
from bot.core import visits as core
from bot.core.privacy import mask
from bot.core.screens import Button, Screen, rows
from bot.core.visits import DayKind, DayPart, LogChoices, VisitStatus
from bot.core.working_hours import HANOI

log = logging.getLogger(__name__)


class TeamVisits(VisitBase):
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
            name = _short(taker.display_name if taker else "?")
            return Answer(self.t(TEAM_LANG, "visits.taken_by", name=name), alert=True)
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
                name=_short(resident.display_name if resident else "?"),
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

    async def post_waiting(self, admin: Resident, chat_id: int, sender: VisitSender) -> int:
        """After `/bind_team`: requests that found no group when they were made go to this one now."""
        if not admin.is_admin:
            return 0
        async with self.uow() as tx:
            team = await tx.visits.team(chat_id)
            waiting = list(await tx.visits.unrouted(team.ward_id)) if team is not None and team.active else []
        posted = 0
        for row in waiting:
            if team is None or (team.tos and row.to not in covered_tos(team.tos)):
                continue
            async with self.uow() as tx:
                if not await tx.visits.route(row.id, chat_id):
                    continue  # another group took it first
                resident = await tx.users.get(row.resident_id)
            await self._post_card(row, resident.display_name if resident else "?", chat_id, sender)
            posted += 1
        return posted

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


ALERT_NAME_CHARS = 40  # a pop-up holds 200 characters: a long name must not push the number out


def _short(name: str) -> str:
    return name if len(name) <= ALERT_NAME_CHARS else name[: ALERT_NAME_CHARS - 1] + "…"
