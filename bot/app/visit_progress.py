"""Home visits' follow-up: the 48 h reminder, the weekly progress message to ward staff, progress per tổ
against the ward's targets."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from bot.app.visit_base import TEAM_LANG, VisitBase, VisitSender
from bot.core import visits as core
from bot.core.content import Content
from bot.core.screens import Screen
from bot.core.visits import VisitStatus
from bot.core.working_hours import HANOI

log = logging.getLogger(__name__)


class ProgressVisits(VisitBase):
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
            rep
            for user, tdp, guide_id, at in own
            if (rep := core.self_report(user, tdp, _category(self.content, guide_id), at)) is not None
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

    async def adults_per_to(self, ward_id: str) -> dict[str, int]:
        """Adults per tổ as imported (`bot visits import-targets`): consultations' turnout counts on it."""
        async with self.uow() as tx:
            return {t.to: t.adults for t in await tx.visits.targets(ward_id)}

    async def import_targets(self, ward_id: str, targets: Sequence[core.ToTarget]) -> None:
        async with self.uow() as tx:
            await tx.visits.replace_targets(ward_id, [(t.to, t.households, t.adults) for t in targets])

    async def set_ward_targets(self, ward_id: str, smartphone: int, epay: int) -> None:
        async with self.uow() as tx:
            await tx.visits.set_ward_targets(ward_id, smartphone, epay)


def _category(content: Content, guide_id: str) -> str | None:
    guide = content.guide(guide_id)
    return guide.category if guide is not None else None
