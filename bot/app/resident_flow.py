"""The resident's conversation: onboarding, menu, guides one step per message, free-text questions.

Channel-independent: every entry point takes a Resident and returns the Screens to show.
Button actions are `verb[:arg[:arg]]` strings; anything unknown or stale gets a fresh menu.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.app.ports import Transactions, UnitOfWork
from bot.app.residents import Resident, ResidentService
from bot.app.usage import UsageKind, UsageLog
from bot.app.visit_buttons import START as HOME_VISIT
from bot.core.clock import Clock
from bot.core.content import Branch, Content, Guide, Step
from bot.core.i18n import Texts
from bot.core.matching import Matcher, MatchResult, Outcome
from bot.core.normalize import strip_diacritics
from bot.core.screens import Button, Screen, rows
from bot.core.voice import WORDS, Voice, address, voice_of, words
from bot.core.ward_contacts import contacts_text

MAX_QUESTION_CHARS = 1000
# While her question is with staff, only a clear match opens a guide instead of going to them: a false
# guide hides a message from staff, a missed one only costs staff a reply. On both tuning sets no
# confident match at or above this score was wrong (at the usual bar "bác vẫn đang chờ" opened one).
GUIDE_BESIDE_TICKET_AT = 70.0
ASK_STAFF_GUIDE = "ask-staff"  # "Hỏi cán bộ phường" as a guide; the ask button already stands for it
TDP_RE = re.compile(r"(\d{1,3})")

# Words residents type instead of pressing a guide's buttons (compared without diacritics or punctuation).
NAV_WORDS = {
    "next": {"tiep", "tiep theo", "tiep di", "buoc tiep", "buoc tiep theo", "sang buoc tiep", "next", "ok tiep"},
    "back": {"quay lai", "lui lai", "tro lai", "buoc truoc", "back", "go back", "previous"},
    "menu": {"menu", "ve menu", "mo menu", "menu chinh", "main menu"},
    "stuck": {
        "ket",
        "bi ket",
        "toi bi ket",
        "bac bi ket",
        "ket roi",
        "bi ket roi",
        "ket o buoc nay",
        "bi ket o buoc nay",
        "toi bi ket o buoc nay",
        "khong lam duoc",
        "khong duoc",
        "chua duoc",
        "stuck",
        "i am stuck",
        "im stuck",
        "i m stuck",
        "it didn t work",
        "it doesn t work",
        "not working",
    },
}
# Small talk the matcher rightly declines, but which deserves a kind word rather than "cháu chưa hướng dẫn được".
# A message counts when it is short, has a cue and nothing but filler besides.
SMALL_TALK_CUES = {
    "thanks": {"cam on", "thank", "thanks", "thank you", "tks"},
    "hello": {"chao", "xin chao", "chau oi", "hello", "hi", "alo", "good morning"},
    "ok": {"ok", "oke", "okay", "vang", "da", "u", "uh", "duoc roi", "xong roi", "hieu roi", "biet roi", "roi"},
}
SMALL_TALK_FILLER = {
    "a",
    "chau",
    "con",
    "em",
    "ban",
    "bot",
    "oi",
    "nhe",
    "nha",
    "nhieu",
    "rat",
    "lam",
    "bac",
    "toi",
    "minh",
    "nhi",
    "buoi",
    "sang",
    "chieu",
    "very",
    "much",
    "so",
}
SMALL_TALK_MAX_CHARS = 60

# Called in the transaction the flow opened for the question (so the question is one commit)
UnansweredHook = Callable[[UnitOfWork, Resident, MatchResult], Awaitable[None]]


BRANCH = "br"  # `br:<guide>:<step>:<branch>:<sub>`: a failure branch's sub-step (Telegram: BranchCb)


def branch_action(guide_id: str, step: int, branch: int, sub: int = 0) -> str:
    """The button that opens sub-step `sub` of branch `branch` under `step` of a guide."""
    return f"{BRANCH}:{guide_id}:{step}:{branch}:{sub}"


def deep_link_payload(guide_id: str) -> str:
    """Telegram start parameters allow only [A-Za-z0-9_-]; child ids use '/'."""
    return guide_id.replace("/", "__")


def guide_from_payload(payload: str) -> str:
    return payload.replace("__", "/")


@dataclass(frozen=True)
class Progress:
    guide_id: str
    step: int
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class Pressed:
    """What a button press shows; `stale` when it was forged or is about something gone."""

    screens: list[Screen]
    stale: bool = False


class ResidentFlow:
    def __init__(
        self,
        *,
        uow: Transactions,
        content: Content,
        matcher: Matcher,
        residents: ResidentService,
        texts: Texts,
        clock: Clock,
        deep_link_base: str,
        on_unanswered: UnansweredHook | None = None,
        usage: UsageLog | None = None,
    ):
        self.uow = uow
        self.content = content
        self.matcher = matcher
        self.residents = residents
        self.t = texts
        self.clock = clock
        self.deep_link_base = deep_link_base
        self.on_unanswered = on_unanswered
        self.usage = usage

    # --- entry points -----------------------------------------------------------------

    async def start(self, r: Resident, payload: str | None = None) -> list[Screen]:
        if payload:
            guide = self.content.guide(guide_from_payload(payload.strip()))
            if guide is not None:
                if r.lang is None:
                    r = await self.residents.update(r.id, lang="vi")
                return await self.open_guide(r, guide, 0)
        if r.lang is None:
            return [self._language_screen(r, welcome=True)]
        if not r.onboarded:  # /start half-way through: go on from the question she was at
            if r.awaiting_neighbourhood:
                return [self._neighbourhood_screen(r)]
            if r.ward_id is None:
                return [self._ward_screen(r)]
            return await self._finish_place(r)
        last = await self._last_progress(r)
        if last is not None:
            guide = self.content.guide(last.guide_id)
            if guide is not None:
                step = self._step_label(r, guide, last.step)
                text = self.t(r.language, "resident.welcome_back", step=step, title=guide.title.get(r.language))
                return [
                    Screen(
                        text,
                        rows(
                            Button(self.t(r.language, "resident.btn_resume"), f"g:{guide.id}:{last.step}"),
                            Button(self.t(r.language, "resident.back_menu"), "menu"),
                        ),
                    )
                ]
        return [await self.menu(r)]

    async def menu(self, r: Resident) -> Screen:
        lang = r.language
        buttons: list[Button | None] = []
        last = await self._last_progress(r)
        if last is not None and (g := self.content.guide(last.guide_id)) is not None:
            buttons.append(
                Button(
                    self.t(lang, "resident.menu_resume", title=g.label(lang)),
                    f"g:{g.id}:{last.step}",
                )
            )
        for cat in self.content.categories:
            if self.content.guides_in(cat.id):
                buttons.append(Button(f"{cat.icon} {cat.title.get(lang)}".strip(), f"cat:{cat.id}"))
        buttons.append(Button(self.t(lang, "resident.menu_ask"), "ask"))
        return Screen(
            self.t(lang, "resident.menu_title"),
            rows(*buttons, Button(self.t(lang, "resident.menu_settings"), "settings")),
        )

    def help(self, r: Resident) -> list[Screen]:
        return [Screen(self.t(r.language, "resident.help"), rows(self._menu_button(r)))]

    async def settings(self, r: Resident) -> list[Screen]:
        lang = r.language
        ward = self.content.ward(r.ward_id)
        not_set = self.t(lang, "resident.not_set")
        text = self.t(
            lang,
            "resident.settings",
            lang="Tiếng Việt" if lang == "vi" else "English",
            ward=ward.name.get(lang) if ward else not_set,
            tdp=r.neighbourhood or not_set,
            sub=self.t(lang, "resident.state_on" if r.subscribed else "resident.state_off"),
            voice=words(lang)[0].capitalize(),
        )
        sub = (
            Button(self.t(lang, "resident.settings_sub_off"), "sub:0")
            if r.subscribed
            else Button(self.t(lang, "resident.settings_sub_on"), "sub:1")
        )
        return [
            Screen(
                text,
                rows(
                    Button(self.t(lang, "resident.settings_lang"), "set:lang"),
                    Button(self.t(lang, "resident.settings_ward"), "set:ward"),
                    Button(self.t(lang, "resident.settings_voice"), "set:voice") if lang == "vi" else None,
                    sub,
                    self._menu_button(r),
                ),
            )
        ]

    def voice(self, r: Resident) -> list[Screen]:
        """/xung_ho: how the bot addresses her (Bác, Anh, Chị, Cô, Chú, Em); see bot.core.voice."""
        return [self._voice_screen(r)]

    def language(self, r: Resident) -> list[Screen]:
        return [self._language_screen(r, welcome=False)]

    def unknown_command(self, r: Resident) -> list[Screen]:
        return [Screen(self.t(r.language, "resident.unknown_command"), rows(self._menu_button(r)))]

    async def non_text(self, r: Resident, caption: str | None = None) -> list[Screen]:
        """A photo, sticker or voice message. Words typed under a photo are still her question."""
        if caption and caption.strip():
            return [Screen(self.t(r.language, "resident.non_text_caption"))] + await self.text(r, caption)
        return [
            Screen(
                self.t(r.language, "resident.non_text"),
                rows(Button(self.t(r.language, "resident.menu_ask"), "ask"), self._menu_button(r)),
            )
        ]

    def contacts(self, r: Resident) -> list[Screen]:
        return [
            Screen(
                self.contacts_text(r),
                rows(Button(self.t(r.language, "resident.menu_ask"), "ask"), self._menu_button(r)),
            )
        ]

    async def text(self, r: Resident, text: str) -> list[Screen]:
        """Free text: a tổ dân phố number during onboarding, otherwise a question for the matcher."""
        text = (text or "")[:MAX_QUESTION_CHARS]
        if r.lang is not None and not r.onboarded and r.ward_id is None and (ward_id := self._ward_named(text)):
            return await self._a_ward(r, ward_id) or [self._ward_screen(r)]
        if r.awaiting_neighbourhood:
            m = TDP_RE.search(text)
            if m and len(text.strip()) <= 20:
                return await self._set_neighbourhood(r, str(int(m.group(1))))
            if len(text.strip()) <= 20:
                return [self._neighbourhood_screen(r, invalid=True)]
        if not text.strip():
            return [Screen(self.t(r.language, "resident.empty_text"), rows(self._menu_button(r)))]
        nav = _nav_word(text)
        if nav is not None:
            return await self._navigate(r, nav)
        if (answer := _yes_no(text)) is not None and (screens := await self._answer_step(r, answer)) is not None:
            return screens
        result = self.matcher.match(text)
        if result.outcome is Outcome.CONFIDENT and result.topic and (g := self.content.guide(result.topic)):
            return await self._matched_guide(r, g)
        if result.outcome is Outcome.NONE and (talk := _small_talk(text)) is not None:
            return await self._small_talk(r, talk)
        async with self.uow() as tx:
            await self._note(tx, r, UsageKind.UNANSWERED)
            if self.on_unanswered is not None:
                await self.on_unanswered(tx, r, result)
        if result.outcome is Outcome.UNSURE and result.topic:
            ids = [result.topic, *[c.guide_id for c in result.alternatives][:2]]
            choices = [
                Button(f"📘 {g.label(r.language)}", f"g:{g.id}:0")
                for gid in ids
                if gid != ASK_STAFF_GUIDE and (g := self.content.guide(gid)) is not None
            ]
            ask = Button(self.t(r.language, "resident.menu_ask"), "ask")
            # the best guess first: when it is "ask ward staff", the ask button leads
            first, rest = ((ask,), choices) if result.topic == ASK_STAFF_GUIDE else ((*choices, ask), [])
            return [Screen(self.t(r.language, "resident.did_you_mean"), rows(*first, *rest, self._menu_button(r)))]
        return [
            Screen(
                self.t(r.language, "resident.decline"),
                rows(Button(self.t(r.language, "resident.menu_ask"), "ask"), self._menu_button(r)),
            )
        ]

    async def guide_for(self, r: Resident, text: str, besides: str | None = None) -> list[Screen] | None:
        """The guide a message clearly asks for (a confident match), opened; None when it asks for none,
        for the help desk itself, or for `besides` (the guide her open question came from: then it is
        more about that question, for staff)."""
        text = (text or "")[:MAX_QUESTION_CHARS]
        if not text.strip() or _nav_word(text) is not None or _yes_no(text) is not None:
            return None
        result = self.matcher.match(text)
        if result.outcome is not Outcome.CONFIDENT or not result.topic or result.score < GUIDE_BESIDE_TICKET_AT:
            return None
        if result.topic in (ASK_STAFF_GUIDE, besides) or (g := self.content.guide(result.topic)) is None:
            return None
        return await self._matched_guide(r, g)

    async def _matched_guide(self, r: Resident, g: Guide) -> list[Screen]:
        """A typed question answered with a guide: "found one" and its first step, in one message (one send
        less for her phone and for the bot's share of Telegram's limits) unless the step is a picture."""
        found = self.t(r.language, "resident.matched")
        screens = await self.open_guide(r, g, 0, matched=True)
        if screens and not screens[0].image:
            first = screens[0]
            return [dataclasses.replace(first, text=f"{found}\n\n{first.text}"), *screens[1:]]
        return [Screen(found), *screens]

    async def act(self, r: Resident, action: str) -> list[Screen]:
        """A button was pressed. Unknown, forged or stale actions get a fresh menu, never an error."""
        return (await self.press(r, action)).screens

    async def press(self, r: Resident, action: str) -> Pressed:
        """`act`, saying whether the button was one we can still follow (a channel may tell her it was not)."""
        verb, _, rest = (action or "").partition(":")
        args = rest.split(":") if rest else []
        handler = self._actions.get(verb)
        if handler is not None:
            try:
                screens = await handler(self, r, *args)
            except (TypeError, ValueError, LookupError):
                screens = None
            if screens is not None:
                return Pressed(screens)
        return Pressed([Screen(self.t(r.language, "resident.stale_button")), await self.menu(r)], stale=True)

    async def _navigate(self, r: Resident, nav: str) -> list[Screen]:
        """Typed "tiếp" / "quay lại" / "bị kẹt" in a guide act like its buttons; otherwise (and "menu"): the menu."""
        last = await self._last_progress(r)
        guide = self.content.guide(last.guide_id) if last is not None else None
        if nav == "menu" or last is None or guide is None:
            return [await self.menu(r)] if nav != "stuck" else self.contacts(r)
        if nav == "stuck":
            return await self._a_stuck(r, guide.id, str(last.step)) or self.contacts(r)
        return await self.open_guide(r, guide, last.step + 1 if nav == "next" else last.step - 1)

    async def _answer_step(self, r: Resident, yes: bool) -> list[Screen] | None:
        """A typed "có rồi" / "chưa" answers the step she is on (read in context, before the matcher):
        yes goes on (or finishes the guide), no is "I'm stuck here"."""
        last = await self._last_progress(r)
        if last is None or (guide := self.content.guide(last.guide_id)) is None:
            return None
        if last.updated_at is not None and self.clock.now() - last.updated_at > ANSWER_WINDOW:
            return None  # an old guide: "không" today is not about a step from last week
        step = max(0, min(last.step, len(guide.steps) - 1))
        if step == len(guide.steps) - 1:
            return await self._a_done(r, guide.id, "1" if yes else "0")
        if yes:  # at a step that asks nothing, "rồi" / "xong" still means she did it: go on
            return await self.open_guide(r, guide, step + 1)
        return await self._a_stuck(r, guide.id, str(step))

    async def _small_talk(self, r: Resident, talk: str) -> list[Screen]:
        lang = r.language
        if talk == "hello":
            return [Screen(self.t(lang, "resident.small_talk_hello")), await self.menu(r)]
        resume = None
        last = await self._last_progress(r)
        if last is not None and (g := self.content.guide(last.guide_id)) is not None:
            resume = Button(
                self.t(lang, "resident.menu_resume", title=g.label(lang)),
                f"g:{g.id}:{last.step}",
            )
        return [Screen(self.t(lang, f"resident.small_talk_{talk}"), rows(resume, self._menu_button(r)))]

    # --- guides -----------------------------------------------------------------------

    async def open_guide(self, r: Resident, guide: Guide, step: int, *, matched: bool = False) -> list[Screen]:
        """Show one step and save her place; `matched`: a typed question brought her here."""
        step = max(0, min(step, len(guide.steps) - 1))
        async with self.uow() as tx:
            await tx.progress.save(r.id, guide.id, step, self.clock.now())
            kind = UsageKind.STEP if step else UsageKind.MATCHED if matched else UsageKind.STARTED
            await self._note(tx, r, kind, guide.id, step)
        screens = [self._step_screen(r, guide, step)]
        if guide.id == "ward-contact" and step == 0:
            screens.insert(0, Screen(self.contacts_text(r)))  # the card first; the step keeps its buttons last
        return screens

    def _step_screen(self, r: Resident, guide: Guide, n: int) -> Screen:
        lang = r.language
        step = guide.steps[n]
        last = n == len(guide.steps) - 1
        parts = [
            self.t(lang, "resident.step_header", title=guide.title.get(lang), step=self._step_label(r, guide, n)),
            address(step.text.get(lang), lang),
        ]
        if step.link:
            parts.append(self.t(lang, "resident.link_label", url=step.link))
        if step.check and not last:
            parts.append("❓ " + address(step.check.get(lang), lang))
        if last:
            check = address(step.check.get(lang), lang) if step.check else self.t(lang, "resident.last_step_question")
            parts.append("❓ " + check)
        back = Button(self.t(lang, "resident.btn_back"), f"g:{guide.id}:{n - 1}") if n > 0 else None
        nav: list[list[Button]]
        if last:
            nav = [
                [
                    Button(self.t(lang, "resident.btn_done_yes"), f"done:{guide.id}:1"),
                    Button(self.t(lang, "resident.btn_done_no"), f"done:{guide.id}:0"),
                ],
                _row(back),
            ]
        elif step.check:
            nav = [
                [Button(self.t(lang, "resident.btn_ok_next"), f"g:{guide.id}:{n + 1}")],
                _row(back, Button(self.t(lang, "resident.btn_not_ok"), f"stuck:{guide.id}:{n}")),
            ]
        else:
            nav = [_row(back, Button(self.t(lang, "resident.btn_next"), f"g:{guide.id}:{n + 1}"))]
        share = Button(self.t(lang, "resident.btn_share"), f"share:{guide.id}") if n == 0 or last else None
        # the guide about asking staff tells her to press "Hỏi cán bộ phường": the button is right here
        ask = Button(self.t(lang, "resident.menu_ask"), "ask") if guide.id == ASK_STAFF_GUIDE else None
        visit = self._home_visit_button(r) if guide.id == ASK_STAFF_GUIDE else None
        return Screen(
            "\n\n".join(parts),
            rows(
                ask,
                visit,
                *nav,
                *self._branch_buttons(r, guide, n),
                Button(self.t(lang, "resident.btn_stuck"), f"stuck:{guide.id}:{n}"),
                share,
                self._menu_button(r),
            ),
            image=str(self.content.root / step.image) if step.image else None,
        )

    def _step_label(self, r: Resident, guide: Guide, n: int) -> str:
        return self.t(r.language, "resident.step_label", n=n + 1, total=len(guide.steps))

    async def _last_progress(self, r: Resident) -> Progress | None:
        async with self.uow() as tx:
            row = await tx.progress.latest_unfinished(r.id)
            if row is None or self.content.guide(row.guide_id) is None:
                return None
            return Progress(row.guide_id, row.step, row.updated_at)

    def contacts_text(self, r: Resident) -> str:
        return contacts_text(self.content, self.t, r.language, r.ward_id)

    # --- button actions ---------------------------------------------------------------

    async def _a_menu(self, r: Resident) -> list[Screen]:
        return [await self.menu(r)]

    async def _a_category(self, r: Resident, cat_id: str) -> list[Screen] | None:
        cat = next((c for c in self.content.categories if c.id == cat_id), None)
        if cat is None:
            return None
        guides = self.content.guides_in(cat_id)
        return [
            Screen(
                self.t(r.language, "resident.category_title", icon=cat.icon, title=cat.title.get(r.language)),
                rows(*[Button(f"📘 {g.label(r.language)}", f"g:{g.id}:0") for g in guides], self._menu_button(r)),
            )
        ]

    async def _a_guide(self, r: Resident, guide_id: str, step: str = "0") -> list[Screen] | None:
        guide = self.content.guide(guide_id)
        if guide is None or not step.lstrip("-").isdigit():
            return None
        return await self.open_guide(r, guide, int(step))

    async def _a_done(self, r: Resident, guide_id: str, worked: str) -> list[Screen] | None:
        guide = self.content.guide(guide_id)
        if guide is None or worked not in ("0", "1"):
            return None
        last = len(guide.steps) - 1
        async with self.uow() as tx:
            await tx.progress.finish(r.id, guide.id, worked == "1", self.clock.now())
            kind = UsageKind.FINISHED if worked == "1" else UsageKind.STUCK
            await self._note(tx, r, kind, guide.id, last)
        if worked == "0":
            return self._stuck_screens(r, guide, last)
        lang = r.language
        related = [g for gid in guide.related if (g := self.content.guide(gid)) is not None]
        text = self.t(lang, "resident.done_yes", title=guide.title.get(lang))
        if related:
            text += "\n\n" + self.t(lang, "resident.done_related")
        return [
            Screen(text, rows(*[Button(f"📘 {g.label(lang)}", f"g:{g.id}:0") for g in related], self._menu_button(r)))
        ]

    async def _a_stuck(self, r: Resident, guide_id: str, step: str) -> list[Screen] | None:
        guide = self.content.guide(guide_id)
        if guide is None or not step.isdigit():
            return None
        n = min(int(step), len(guide.steps) - 1)
        async with self.uow() as tx:
            await self._note(tx, r, UsageKind.STUCK, guide.id, n)
        return self._stuck_screens(r, guide, n)

    def _stuck_screens(self, r: Resident, guide: Guide, n: int) -> list[Screen]:
        lang = r.language
        screens = []
        if guide.steps[n].branches:  # a known snag first: its detour may spare her the wait for staff
            screens.append(Screen(self.t(lang, "branch.stuck_intro"), rows(*self._branch_buttons(r, guide, n))))
        return [
            *screens,
            Screen(
                self.t(lang, "resident.stuck", contacts=self.contacts_text(r)),
                rows(
                    Button(self.t(lang, "resident.menu_ask"), f"ask:{guide.id}:{n}"),
                    self._home_visit_button(r),
                    Button(self.t(lang, "resident.btn_review_step"), f"g:{guide.id}:{n}"),
                    self._menu_button(r),
                ),
            ),
        ]

    async def branch(self, r: Resident, guide_id: str, step: int, branch: int, sub: int) -> Pressed:
        """A failure branch's button (Telegram parses it with typed callback data first)."""
        screens = self._branch_screens(r, guide_id, step, branch, sub)
        if screens is None:
            return Pressed([Screen(self.t(r.language, "resident.stale_button")), await self.menu(r)], stale=True)
        return Pressed(screens)

    async def _a_branch(
        self, r: Resident, guide_id: str, step: str, branch: str, sub: str = "0"
    ) -> list[Screen] | None:
        return self._branch_screens(r, guide_id, int(step), int(branch), int(sub))

    def _branch_screens(self, r: Resident, guide_id: str, n: int, b: int, sub: int) -> list[Screen] | None:
        """Sub-step `sub` of branch `b` under step `n`: Tiếp / Quay lại inside the detour, "back to the step"
        always; at its end, back to the step and the staff button carrying the guide and the step."""
        guide = self.content.guide(guide_id)
        if guide is None or not 0 <= n < len(guide.steps):
            return None
        step: Step = guide.steps[n]
        if not 0 <= b < len(step.branches) or not 0 <= sub < len(step.branches[b].steps):
            return None
        branch: Branch = step.branches[b]
        lang = r.language
        here = self._step_label(r, guide, n)
        sub_step = branch.steps[sub]
        parts = [
            self.t(
                lang,
                "branch.header",
                title=guide.title.get(lang),
                step=here,
                label=branch.label.get(lang),
                n=sub + 1,
                total=len(branch.steps),
            ),
            address(sub_step.text.get(lang), lang),
        ]
        if sub_step.link:
            parts.append(self.t(lang, "resident.link_label", url=sub_step.link))
        back = Button(self.t(lang, "resident.btn_back"), branch_action(guide.id, n, b, sub - 1)) if sub > 0 else None
        to_step = Button(self.t(lang, "branch.btn_to_step", step=here), f"g:{guide.id}:{n}")
        staff = Button(self.t(lang, "resident.menu_ask"), f"ask:{guide.id}:{n}")
        if sub < len(branch.steps) - 1:
            nav = rows(
                _row(back, Button(self.t(lang, "resident.btn_next"), branch_action(guide.id, n, b, sub + 1))),
                to_step,
                staff,  # stuck inside the detour too: staff are one press away
            )
        else:
            parts.append(self.t(lang, "branch.end_staff" if branch.then == "staff" else "branch.end_back"))
            fixed = Button(self.t(lang, "branch.btn_fixed", step=here), f"g:{guide.id}:{n}")
            nav = rows(staff, back, to_step) if branch.then == "staff" else rows(fixed, staff, back)
        return [Screen("\n\n".join(parts), (*nav, *rows(self._menu_button(r))))]

    def _branch_buttons(self, r: Resident, guide: Guide, n: int) -> list[Button]:
        lang = r.language
        return [
            Button(self.t(lang, "branch.button", label=br.label.get(lang)), branch_action(guide.id, n, i))
            for i, br in enumerate(guide.steps[n].branches)
        ]

    async def _a_share(self, r: Resident, guide_id: str) -> list[Screen] | None:
        guide = self.content.guide(guide_id)
        if guide is None:
            return None
        lang = r.language
        link = f"{self.deep_link_base}?start={deep_link_payload(guide.id)}"
        return [
            Screen(self.t(lang, "resident.share_intro")),
            Screen(
                self.t(lang, "resident.share_card", title=guide.title.get(lang), link=link),
                rows(Button(f"📘 {guide.label(lang)}", url=link)),
            ),
        ]

    async def _a_ask(self, r: Resident, *context: str) -> list[Screen]:
        """Fallback when no help desk is wired in: show who to contact."""
        return self.contacts(r)

    async def _a_contact(self, r: Resident) -> list[Screen]:
        return self.contacts(r)

    async def _a_settings(self, r: Resident, what: str | None = None) -> list[Screen] | None:
        if what is None:
            return await self.settings(r)
        if what == "lang":
            return self.language(r)
        if what == "ward":
            return [self._ward_screen(r)]
        if what == "voice":
            return [self._voice_screen(r)]
        return None

    async def _a_lang(self, r: Resident, lang: str) -> list[Screen] | None:
        if lang not in ("vi", "en"):
            return None
        r = await self.residents.update(r.id, lang=lang)
        if not r.onboarded and r.ward_id is None:  # first time: in Vietnamese, how to address her comes next
            then = self._voice_screen(r) if lang == "vi" else self._ward_screen(r)
            return [Screen(self.t(lang, "resident.lang_saved")), then]
        return [Screen(self.t(lang, "resident.lang_saved")), await self.menu(r)]

    async def _a_voice(self, r: Resident, value: str) -> list[Screen] | None:
        if value not in set(Voice):
            return None
        r = await self.residents.update(r.id, voice=value)
        saved = Screen(self.t(r.language, "resident.voice_saved"))
        if not r.onboarded and r.ward_id is None:
            return [saved, self._ward_screen(r)]
        return [saved, await self.menu(r)]

    async def _a_ward(self, r: Resident, ward_id: str) -> list[Screen] | None:
        if ward_id == "other":  # no ward notices outside our wards: nothing to subscribe to
            first_time = not r.onboarded
            r = await self.residents.update(r.id, ward_id=None, neighbourhood=None, subscribed=False, onboarded=True)
            done = self.t(r.language, "resident.onboard_done" if first_time else "resident.saved")
            return [Screen(self.t(r.language, "resident.ward_other_note")), Screen(done), await self.menu(r)]
        if self.content.ward(ward_id) is None:
            return None
        r = await self.residents.update(r.id, ward_id=ward_id, neighbourhood=None, onboarded=False)
        return [self._neighbourhood_screen(r)]

    async def _a_neighbourhood(self, r: Resident, value: str) -> list[Screen] | None:
        if r.ward_id is None:
            return None
        if value == "?":
            return await self._set_neighbourhood(r, "?")
        ward = self.content.ward(r.ward_id)
        known = ward.neighbourhoods if ward and isinstance(ward.neighbourhoods, list) else None
        if known is not None and value not in known:
            return None
        return await self._set_neighbourhood(r, value)

    async def _a_subscribe(self, r: Resident, on: str) -> list[Screen] | None:
        if on not in ("0", "1"):
            return None
        first_time = not r.onboarded
        r = await self.residents.update(r.id, subscribed=on == "1", onboarded=True)
        if first_time:
            return [Screen(self.t(r.language, "resident.onboard_done")), await self.menu(r)]
        return [Screen(self.t(r.language, "resident.saved"))] + await self.settings(r)

    _actions: dict[str, Callable[..., Awaitable[list[Screen] | None]]] = {
        "menu": _a_menu,
        "cat": _a_category,
        "g": _a_guide,
        "done": _a_done,
        "stuck": _a_stuck,
        "share": _a_share,
        BRANCH: _a_branch,
        "ask": _a_ask,
        "contact": _a_contact,
        "settings": _a_settings,
        "set": _a_settings,
        "lang": _a_lang,
        "voice": _a_voice,
        "ward": _a_ward,
        "tdp": _a_neighbourhood,
        "sub": _a_subscribe,
    }

    # --- onboarding -------------------------------------------------------------------

    async def _set_neighbourhood(self, r: Resident, value: str) -> list[Screen]:
        r = await self.residents.update(r.id, neighbourhood=value)
        return await self._finish_place(r)

    async def _finish_place(self, r: Resident) -> list[Screen]:
        if not r.onboarded:
            lang = r.language
            return [
                Screen(
                    self.t(lang, "resident.ask_subscribe"),
                    rows(
                        Button(self.t(lang, "resident.sub_yes"), "sub:1"),
                        Button(self.t(lang, "resident.sub_no"), "sub:0"),
                    ),
                )
            ]
        return [Screen(self.t(r.language, "resident.saved")), await self.menu(r)]

    def _language_screen(self, r: Resident, welcome: bool) -> Screen:
        text = self.t(r.language, "resident.welcome") if welcome else "🌐 Chọn ngôn ngữ / Choose your language:"
        return Screen(text, rows(Button("🇻🇳 Tiếng Việt", "lang:vi"), Button("🇬🇧 English", "lang:en")))

    def _voice_screen(self, r: Resident) -> Screen:
        """Six buttons, the current choice (Bác unless she chose) ticked; typing on instead keeps it."""
        lang, current = r.language, voice_of(r.language)
        buttons = [
            Button(("✅ " if v is current else "") + WORDS[v][0].capitalize(), f"voice:{v.value}") for v in Voice
        ]
        return Screen(self.t(lang, "resident.ask_voice"), rows(buttons[:3], buttons[3:]))

    def _ward_named(self, text: str) -> str | None:
        """A ward typed at the ward question ("Phú Thượng", "phuong tay ho", "p. Tây Hồ"), else None."""
        typed = " ".join(_plain_words(text))
        if not typed or len(typed) > 40:
            return None
        typed = re.sub(r"^(phuong|p|ward)\s+", "", typed)
        for ward in self.content.wards.values():
            names = {" ".join(strip_diacritics(ward.name.get(lang).casefold()).split()) for lang in ("vi", "en")}
            names |= {re.sub(r"^(phuong|ward)\s+|\s+ward$", "", n) for n in names}
            if typed in names or typed.replace(" ", "") in {n.replace(" ", "") for n in names}:
                return ward.id
        return None

    def _ward_screen(self, r: Resident) -> Screen:
        lang = r.language
        return Screen(
            self.t(lang, "resident.ask_ward"),
            rows(
                *[Button(f"🏘 {w.name.get(lang)}", f"ward:{w.id}") for w in self.content.wards.values()],
                Button(self.t(lang, "resident.ward_other"), "ward:other"),
            ),
        )

    def _neighbourhood_screen(self, r: Resident, invalid: bool = False) -> Screen:
        lang = r.language
        ward = self.content.ward(r.ward_id)
        unknown = Button(self.t(lang, "resident.tdp_unknown"), "tdp:?")
        if ward and isinstance(ward.neighbourhoods, list):
            return Screen(
                self.t(lang, "resident.ask_tdp_pick"),
                rows(*[Button(n, f"tdp:{n}") for n in ward.neighbourhoods], unknown),
            )
        key = "resident.tdp_invalid" if invalid else "resident.ask_tdp_type"
        return Screen(self.t(lang, key), rows(unknown))

    def _home_visit_button(self, r: Resident) -> Button | None:
        """ "🏠 Nhờ người đến nhà" (bot.app.visits): on Telegram, for residents of a pilot ward."""
        if r.channel != "telegram" or self.content.ward(r.ward_id) is None:
            return None
        return Button(self.t(r.language, "visits.btn_start"), HOME_VISIT)

    def _menu_button(self, r: Resident) -> Button:
        return Button(self.t(r.language, "resident.back_menu"), "menu")

    async def _note(
        self, tx: UnitOfWork, r: Resident, kind: UsageKind, guide_id: str | None = None, step: int | None = None
    ) -> None:
        """A usage event, in the transaction the update already uses (no extra commit)."""
        if self.usage is not None:
            await self.usage.add(tx, kind, r, self.clock.now(), guide_id, step)


def _row(*buttons: Button | None) -> list[Button]:
    return [b for b in buttons if b is not None]


NAV_FILLER = {"bac", "toi", "chau", "em", "con", "minh", "a", "oi", "nhe", "roi", "qua", "lam", "that"}


def _plain_words(text: str) -> list[str]:
    """Words as residents type them, compared without case, diacritics or punctuation."""
    return re.sub(r"[^\w\s]", " ", strip_diacritics(text.casefold())).split()


def _nav_word(text: str) -> str | None:
    words = _plain_words(text)
    plain = " ".join(words)
    core = " ".join(w for w in words if w not in NAV_FILLER)
    return next((nav for nav, known in NAV_WORDS.items() if plain in known or core in known), None)


YES_WORDS = {
    "co",
    "co roi",
    "roi",
    "duoc",
    "duoc roi",
    "da",
    "da roi",
    "da xong",
    "xong",
    "xong roi",
    "lam duoc",
    "lam duoc roi",
    "ok",
    "oke",
    "okay",
    "u",
    "vang",
    "vang a",
    "da co",
    "co a",
    "yes",
    "yep",
    "done",
    "it worked",
}
NO_WORDS = {
    "chua",
    "chua duoc",
    "chua a",
    "khong",
    "khong duoc",
    "ko",
    "k",
    "kg",
    "khong a",
    "van chua",
    "chua co",
    "no",
    "not yet",
    "didn t work",
    "it didn t work",
    "nope",
}
ANSWER_WINDOW = dt.timedelta(hours=2)


def _yes_no(text: str) -> bool | None:
    """ "có rồi ạ" -> True, "chưa được" -> False, anything longer or different -> None."""
    words = _plain_words(text)
    core = " ".join(w for w in words if w not in NAV_FILLER or w in {"roi", "a"})
    plain = " ".join(words)
    for candidate in (plain, core, " ".join(w for w in words if w not in NAV_FILLER)):
        if candidate in YES_WORDS:
            return True
        if candidate in NO_WORDS:
            return False
    return None


def _small_talk(text: str) -> str | None:
    """ "cảm ơn cháu nhé" -> "thanks", "chào cháu" -> "hello", "vâng ạ" or 👍 -> "ok"; a question -> None."""
    if len(text) > SMALL_TALK_MAX_CHARS:
        return None
    if not any(ch.isalnum() for ch in text):  # 👍, 😀, "..."
        return "ok"
    rest = " ".join(_plain_words(text))
    found = set()
    for kind, cues in SMALL_TALK_CUES.items():
        for cue in sorted(cues, key=len, reverse=True):  # "cam on" before "on"
            rest, n = re.subn(rf"(?<!\S){cue}(?!\S)", " ", rest)
            if n:
                found.add(kind)
    if any(w not in SMALL_TALK_FILLER for w in rest.split()):
        return None
    return next((kind for kind in ("thanks", "hello", "ok") if kind in found), None)  # "ok cảm ơn": thanks
