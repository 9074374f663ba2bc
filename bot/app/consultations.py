"""Consultations (lấy ý kiến cư dân): an official asks residents of a ward (or some of its tổ) one
question with 2–6 options; it is announced through the ward notices (groups and subscribers) with a
deep link that opens the vote in a private chat; one vote per resident of the audience, changeable
until the close if the official allowed it; the official sees live counts and gets the final result.

    open ──closes_at passed (worker, or the first vote after it)──▶ closed

Every rule is here; the Telegram handlers only parse and render. Errors are `ConsultError(code)`,
whose code names the text shown (`consult.err_<code>`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence

from bot.app.announcements import AnnouncementService, Audience, Draft, NoticeError, Notify, Status
from bot.app.consult_model import (
    BALLOT,
    MAX_OPEN,
    MAX_OPTIONS,
    MIN_OPEN,
    MIN_OPTIONS,
    OPTION_LIMIT,
    PAYLOAD,
    QUESTION_LIMIT,
    VOTE,
    Consultation,
    ConsultDraft,
    ConsultError,
    Created,
    Scope,
    Voted,
    consultation_of,
    neighbourhood_list,
    no_adult_counts,
    options_from_lines,
    vote_id,
)
from bot.app.consult_results import Results, results_csv
from bot.app.consult_view import ConsultViewMixin
from bot.app.ports.consultations import AdultCounts, ConsultationRepository, ConsultationStore, NewConsultation
from bot.app.residents import Resident, Role
from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.i18n import Texts
from bot.core.schedule import format_local
from bot.core.screens import Button, Screen, rows

log = logging.getLogger(__name__)

__all__ = [
    "BALLOT",
    "MAX_OPEN",
    "MAX_OPTIONS",
    "MIN_OPEN",
    "MIN_OPTIONS",
    "OPTION_LIMIT",
    "PAYLOAD",
    "QUESTION_LIMIT",
    "VOTE",
    "ConsultDraft",
    "ConsultError",
    "Consultation",
    "ConsultationService",
    "Created",
    "Scope",
    "Voted",
    "neighbourhood_list",
    "options_from_lines",
    "vote_id",
]


class ConsultationService(ConsultViewMixin):
    def __init__(
        self,
        store: ConsultationStore,
        announcements: AnnouncementService,
        clock: Clock,
        texts: Texts,
        content: Content,
        *,
        deep_link_base: str,
        adult_counts: AdultCounts = no_adult_counts,
    ):
        self.store, self.announcements, self.clock, self.t, self.content = store, announcements, clock, texts, content
        self.deep_link_base = deep_link_base
        self.adult_counts = adult_counts  # the community teams' per-tổ adults plug in here
        self.notify: Notify | None = None  # set at startup: the final result to the author

    # --- officials ---------------------------------------------------------------------------

    def wards_of(self, who: Resident) -> list[str]:
        return self.announcements.wards_of(who)

    def link(self, consultation_id: int) -> str:
        return f"{self.deep_link_base}?start={PAYLOAD}{consultation_id}"

    def validate(self, d: ConsultDraft, who: Resident) -> None:
        if self.content.ward(d.ward_id) is None:
            raise ConsultError("unknown_ward")
        if not who.has_role(Role.OFFICIAL, d.ward_id):
            raise ConsultError("not_allowed")
        if not d.question.strip():
            raise ConsultError("empty_question")
        if len(d.question.strip()) > QUESTION_LIMIT:
            raise ConsultError("question_too_long")
        self.check_options(d.options)
        if d.scope is Scope.NEIGHBOURHOODS and not d.neighbourhoods:
            raise ConsultError("no_neighbourhoods")
        self.check_closes(d.closes_at)

    @staticmethod
    def check_options(options: Sequence[str]) -> None:
        opts = [o.strip() for o in options]
        if not MIN_OPTIONS <= len(opts) <= MAX_OPTIONS:
            raise ConsultError("option_count")
        if any(not o or len(o) > OPTION_LIMIT or "\n" in o for o in opts):
            raise ConsultError("option_length")
        if len({o.casefold() for o in opts}) != len(opts):
            raise ConsultError("option_duplicate")

    def check_closes(self, closes_at: dt.datetime) -> None:
        now = self.clock.now()
        if closes_at < now + MIN_OPEN:
            raise ConsultError("closes_too_soon")
        if closes_at > now + MAX_OPEN:
            raise ConsultError("closes_too_far")

    async def create(self, d: ConsultDraft, author: Resident) -> Created:
        """Checks every rule, saves the consultation and announces it as a ward notice with its link."""
        self.validate(d, author)
        now = self.clock.now()
        async with self.store() as repo:
            row = await repo.add(
                NewConsultation(
                    ward_id=d.ward_id,
                    author_id=author.id,
                    author_chat_id=author.external_id,
                    question=d.question.strip(),
                    options="\n".join(o.strip() for o in d.options),
                    audience=d.scope.value,
                    neighbourhoods=",".join(dict.fromkeys(d.neighbourhoods)) if d.scope is Scope.NEIGHBOURHOODS else "",
                    closes_at=d.closes_at,
                    allow_change=d.allow_change,
                    show_results=d.show_results,
                    created_at=now,
                )
            )
            consultation = consultation_of(row)
        text = self.t(
            "vi",
            "consult.notice_text",
            question=consultation.question,
            closes=format_local(consultation.closes_at),
            how=self.t("vi", "consult.notice_how", link=self.link(consultation.id)),
        )
        audience = Audience.NEIGHBOURHOODS if d.scope is Scope.NEIGHBOURHOODS else Audience.WARD
        try:
            notice = await self.announcements.create(
                Draft(ward_id=d.ward_id, text=text, audience=audience, neighbourhoods=consultation.neighbourhoods),
                author,
            )
        except NoticeError as e:  # the consultation cannot be announced: it does not stay open unseen
            async with self.store() as repo:
                await repo.close(consultation.id, now)
            log.warning("consultation %s: notice refused (%s)", consultation.id, e.code)
            raise ConsultError("notice_failed") from None
        async with self.store() as repo:
            row2 = await repo.get(consultation.id, lock=True)
            if row2 is not None:
                row2.notice_id = notice.id
                consultation = consultation_of(row2)
        return Created(consultation, notice.status is Status.PENDING_APPROVAL)

    def zalo_text(self, text: str, *, group: bool = False) -> str:
        """A consultation notice as Zalo shows it: "bấm vào đường link" (a Telegram deep link) becomes what
        to type on Zalo. `group`: the text officials paste into a tổ's Zalo group keeps the link for
        Telegram users and adds the Zalo line. Any other notice comes back unchanged."""
        m = re.search(re.escape(f"{self.deep_link_base}?start={PAYLOAD}") + r"(\d{1,9})\b", text)
        if m is None:
            return text
        cid = int(m.group(1))
        zalo = self.t("vi", "consult.notice_how_zalo", id=cid)
        if group:
            return f"{text}\n{zalo}"
        telegram = self.t("vi", "consult.notice_how", link=self.link(cid))
        if telegram in text:
            return text.replace(telegram, zalo)
        return text.replace(m.group(0), "").rstrip() + "\n" + zalo  # an edited notice: the link goes anyway

    async def get(self, consultation_id: int) -> Consultation | None:
        async with self.store() as repo:
            row = await repo.get(consultation_id)
            return consultation_of(row) if row else None

    async def list_for(self, who: Resident, limit: int = 10) -> list[Consultation]:
        wards = self.wards_of(who)
        if not wards:
            return []
        async with self.store() as repo:
            return [consultation_of(r) for r in await repo.list_for_wards(None if who.is_admin else wards, limit)]

    async def results(self, consultation_id: int) -> Results | None:
        async with self.store() as repo:
            row = await repo.get(consultation_id)
            if row is None:
                return None
            c = consultation_of(row)
            counts = await repo.counts(c.id)
        adults = await self.adult_counts(c.ward_id)
        return Results.build(c.id, c.question, c.options, counts, adults, c.neighbourhoods)

    async def csv(self, consultation_id: int) -> str | None:
        r = await self.results(consultation_id)
        return results_csv(r) if r else None

    @staticmethod
    def csv_of(r: Results) -> str:
        return results_csv(r)

    async def live(self, who: Resident, consultation_id: int, lang: str) -> Screen:
        """The official's view: counts so far (or final), per option and per tổ, and the refresh button."""
        c = await self.get(consultation_id)
        if c is None:
            raise ConsultError("not_found")
        if not who.has_role(Role.OFFICIAL, c.ward_id):
            raise ConsultError("not_allowed")
        r = await self.results(c.id)
        assert r is not None
        now = self.clock.now()
        head = "consult.live_head" if c.open_at(now) else "consult.final_head"
        text = self.t(lang, head, id=c.id, closes=format_local(c.closes_at)) + "\n\n" + self.results_text(r, lang)
        buttons = rows(Button(self.t(lang, "consult.btn_refresh"), f"cs:r:{c.id}")) if c.open_at(now) else ()
        return Screen(text, buttons)

    # --- residents -----------------------------------------------------------------------------

    async def open_in_ward(self, r: Resident) -> Screen:
        """«ý kiến» alone on Zalo: the open consultations of her ward (and her tổ), each a numbered choice."""
        ward = self.content.ward(r.ward_id) if r.ward_id else None
        if ward is None:
            return Screen(self.t(r.language, "consult.open_no_ward"))
        lang, now = r.language, self.clock.now()
        async with self.store() as repo:
            rows_ = await repo.list_for_wards([ward.id], 50)
        items = [c for c in map(consultation_of, rows_) if c.open_at(now) and self._eligible(r, c) is None]
        items.sort(key=lambda c: (c.closes_at, c.id))  # the one closing first on top
        name = ward.name.get(lang)
        if not items:
            return Screen(self.t(lang, "consult.open_empty", ward=name))
        lines = [self.t(lang, "consult.open_title", ward=name)]
        lines += [
            self.t(lang, "consult.open_item", id=c.id, closes=format_local(c.closes_at), question=c.question)
            for c in items[:8]
        ]
        lines.append(self.t(lang, "consult.open_pick"))
        buttons = [
            Button(self.t(lang, "consult.open_button", id=c.id, question=_short(c.question)), f"{BALLOT}:{c.id}")
            for c in items[:8]
        ]
        return Screen("\n\n".join(lines), rows(*buttons))

    def _eligible(self, r: Resident, c: Consultation) -> str | None:
        """Why `r` may not vote (a text key), or None."""
        ward = self.content.ward(c.ward_id)
        if r.ward_id is None:
            return "consult.not_registered"
        if r.ward_id != c.ward_id:
            return "consult.other_ward"
        if c.scope is Scope.NEIGHBOURHOODS and (r.neighbourhood or "") not in c.neighbourhoods:
            return "consult.other_tdp"
        return None if ward else "consult.unknown"

    async def _closed_screen(self, r: Resident, c: Consultation) -> Screen:
        lang = r.language
        text = self.t(lang, "consult.closed", closes=format_local(c.closes_at))
        if c.show_results:
            res = await self.results(c.id)
            if res is not None:
                # overall only: a tổ where few answered would show how each one voted
                text += "\n\n" + self.t(lang, "consult.results_for_residents") + "\n"
                text += self.results_text(res, lang, per_tdp=False)
        return Screen(text)

    async def open_vote(self, r: Resident, consultation_id: int) -> Screen:
        """The deep link `vote_<id>` opened in a private chat (on Zalo: «y kien <id>» typed)."""
        c = await self.get(consultation_id) if 0 < consultation_id < 2**31 else None
        if c is None:
            return Screen(self._say(r, "consult.unknown", id=consultation_id))
        if not c.open_at(self.clock.now()):
            return await self._closed_screen(r, c)
        why = self._eligible(r, c)
        if why is not None:
            return Screen(self._refusal(r, c, why))
        async with self.store() as repo:
            mine = await repo.vote_among(c.id, await repo.person(r.id))
        return self._ballot(r, c, mine.option if mine else None)

    async def vote(self, r: Resident, consultation_id: int, option: int) -> Voted:
        """A vote button pressed: counted, changed, refused, or "đã kết thúc"; `stale` for a forged option."""
        now = self.clock.now()
        async with self.store() as repo:
            row = await repo.get(consultation_id) if 0 < consultation_id < 2**31 else None
            c = consultation_of(row) if row else None
            if c is None or not 1 <= option <= len(c.options):
                return Voted(Screen(self.t(r.language, "common.button_gone")), stale=True)
            if c.open_at(now):
                return Voted(await self._cast(repo, r, c, option, now))
        return Voted(await self._closed_screen(r, c))

    async def _cast(
        self, repo: ConsultationRepository, r: Resident, c: Consultation, option: int, now: dt.datetime
    ) -> Screen:
        lang, chosen = r.language, c.options[option - 1]
        why = self._eligible(r, c)
        if why is not None:
            return Screen(self._refusal(r, c, why))
        # one person, one vote: her Telegram and Zalo users, once linked, share it (bot.app.linking)
        person = await repo.person(r.id)
        mine = await repo.vote_among(c.id, person)
        if mine is None and await repo.add_vote(c.id, person[0], option, r.neighbourhood or "", now):
            text = self.t(lang, "consult.thanks", option=chosen)
            if c.allow_change:
                text += "\n" + self._say(r, "consult.may_change_until", closes=format_local(c.closes_at), id=c.id)
            return Screen(text)
        mine = mine or await repo.vote_among(c.id, person)  # None before: a second tap raced the first
        assert mine is not None
        if mine.option == option:
            return Screen(self.t(lang, "consult.same_choice", option=chosen))
        if not c.allow_change:
            return Screen(self.t(lang, "consult.no_change", option=c.options[mine.option - 1]))
        await repo.change_vote(c.id, mine.user_id, option, now)
        return Screen(self.t(lang, "consult.changed", option=chosen))

    # --- closing -------------------------------------------------------------------------------

    async def close_due(self, now: dt.datetime | None = None) -> list[int]:
        """Close every consultation past its time and send its author the final result (once)."""
        now = now or self.clock.now()
        async with self.store() as repo:
            due = list(await repo.due_to_close(now))
        closed: list[int] = []
        for cid in due:
            async with self.store() as repo:
                if not await repo.close(cid, now):  # another worker closed it
                    continue
                row = await repo.get(cid)
                assert row is not None
                c = consultation_of(row)
            closed.append(cid)
            await self._tell_author(c)
        return closed

    async def _tell_author(self, c: Consultation) -> None:
        if self.notify is None:
            return
        r = await self.results(c.id)
        if r is None:
            return
        text = self.t("vi", "consult.final_head", id=c.id, closes=format_local(c.closes_at))
        try:
            await self.notify(c.author_chat_id, Screen(text + "\n\n" + self.results_text(r, "vi")))
        except Exception:
            log.exception("could not send consultation %s's result to its author", c.id)


def _short(text: str, limit: int = 48) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"
