"""How consultations look: the official's summary and results, the resident's ballot and refusals.

A mixin of ConsultationService (as notice_view is of AnnouncementService).
"""

from __future__ import annotations

import datetime as dt

from bot.app.consult_model import VOTE, ZALO, Consultation, ConsultDraft, Scope
from bot.app.consult_results import Results, percent
from bot.app.residents import Resident
from bot.core.content import Content
from bot.core.i18n import Texts
from bot.core.schedule import format_local
from bot.core.screens import Button, Screen, rows

# texts that tell a Telegram resident to open the link; a Zalo resident is told what to type instead
_ZALO_KEYS = frozenset({"consult.may_change_until", "consult.unknown", "consult.not_registered"})


class ConsultViewMixin:
    t: Texts
    content: Content

    def summary(self, d: ConsultDraft, lang: str) -> str:
        ward = self.content.ward(d.ward_id)
        audience = self.t(lang, "consult.audience_ward", ward=ward.name.get(lang) if ward else d.ward_id)
        if d.scope is Scope.NEIGHBOURHOODS:
            audience = self.t(lang, "consult.audience_tdp", tdps=", ".join(d.neighbourhoods))
        yes, no = self.t(lang, "consult.word_yes"), self.t(lang, "consult.word_no")
        return self.t(
            lang,
            "consult.summary",
            question=d.question.strip(),
            options="\n".join(f"{i}. {o.strip()}" for i, o in enumerate(d.options, 1)),
            audience=audience,
            closes=format_local(d.closes_at),
            change=yes if d.allow_change else no,
            show=yes if d.show_results else no,
        )

    def results_text(self, r: Results, lang: str, *, per_tdp: bool = True) -> str:
        lines = [f"❓ {r.question}", ""]
        for i, o in enumerate(r.options, 1):
            lines.append(
                self.t(
                    lang, "consult.result_option", option=o, n=r.overall.votes[i - 1], pct=percent(r.overall.share(i))
                )
            )
        lines.append("")
        lines.append(self._turnout(lang, "consult.result_total", r.overall.voters, r.overall.adults, r.overall.turnout))
        if per_tdp and r.by_tdp:
            lines += ["", self.t(lang, "consult.result_by_tdp")]
            for row in r.by_tdp:
                votes = " · ".join(f"{o}: {n}" for o, n in zip(r.options, row.votes, strict=True))
                tdp = row.neighbourhood or self.t(lang, "consult.tdp_unknown")
                lines.append(
                    self.t(lang, "consult.result_tdp", tdp=tdp, votes=votes)
                    + " "
                    + self._turnout(lang, "consult.turnout", row.voters, row.adults, row.turnout)
                )
        return "\n".join(lines)

    def _turnout(self, lang: str, key: str, voters: int, adults: int | None, turnout: float | None) -> str:
        if adults:
            return self.t(lang, key + "_of", n=voters, adults=adults, pct=percent(turnout))
        return self.t(lang, key, n=voters)

    def _ballot(self, r: Resident, c: Consultation, chosen: int | None) -> Screen:
        lang = r.language
        text = self.t(lang, "consult.ballot", question=c.question, closes=format_local(c.closes_at))
        if chosen is not None:
            text += "\n\n" + self.t(lang, "consult.your_choice", option=c.options[chosen - 1])
            if c.allow_change:
                text += "\n" + self.t(lang, "consult.may_change")
        buttons = rows(
            *[Button(("✅ " if i == chosen else "") + o, f"{VOTE}:{c.id}:{i}") for i, o in enumerate(c.options, 1)]
        )
        return Screen(text, buttons if chosen is None or c.allow_change else ())

    def _refusal(self, r: Resident, c: Consultation, key: str) -> str:
        ward = self.content.ward(c.ward_id)
        name = ward.name.get(r.language) if ward else c.ward_id
        return self._say(r, key, ward=name, tdps=", ".join(c.neighbourhoods), id=c.id)

    def _say(self, r: Resident, key: str, **kw: object) -> str:
        """A resident text; on Zalo, the variant saying what to type rather than "open the link"."""
        if r.channel == ZALO and key in _ZALO_KEYS:
            key += "_zalo"
        return self.t(r.language, key, **kw)

    def listing(self, items: list[Consultation], lang: str, now: dt.datetime) -> Screen:
        """`/ket_qua` without a number: the recent consultations of the official's wards."""
        if not items:
            return Screen(self.t(lang, "consult.list_empty"))
        lines = [self.t(lang, "consult.list_title")]
        for c in items:
            state = self.t(lang, "consult.state_open" if c.open_at(now) else "consult.state_closed")
            lines.append(
                self.t(
                    lang,
                    "consult.list_item",
                    id=c.id,
                    state=state,
                    closes=format_local(c.closes_at),
                    question=c.question,
                )
            )
        return Screen("\n\n".join(lines))
