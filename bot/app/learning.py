"""The learning loop: residents' own words become part of the matcher once a person has checked them.

1. Staff answer a question with a guide (`/guide <id>` in the ticket's thread) or an editor assigns a
   group of unanswered questions to a guide (`bot unanswered assign <n> <guide>`): the phrasing is
   *suggested* for that guide, normalised, long numbers removed (`bot.app.unanswered.scrub`).
2. A reviewer accepts or rejects each suggestion (`bot unanswered review`): staff may pick the right
   guide for one resident, but not every phrasing they answered should steer everyone's questions.
3. Accepted phrasings join the guide's examples in a rebuilt index. The running bot rebuilds when the
   set changes (`refresh`, called by the learning worker every minute and after a decision made in
   this process), so no restart is needed; several instances each notice the change on their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.app.ports import Transactions
from bot.app.ports.learning import LearnedRecord
from bot.app.unanswered import scrub
from bot.core.clock import Clock
from bot.core.content import Content, Guide
from bot.core.matching import Matcher
from bot.core.normalize import default_normalizer

MAX_PHRASING_CHARS = 200  # a long story is not a phrasing: it would pull every question towards it
ACCEPTED, REJECTED, PENDING = "accepted", "rejected", "pending"


@dataclass(frozen=True)
class Phrasing:
    id: int
    guide_id: str
    text: str
    status: str
    source: str
    created_at: dt.datetime


def with_phrasings(guides: Iterable[Guide], learned: Mapping[str, Sequence[str]]) -> list[Guide]:
    """The guides, each with its accepted phrasings added to its Vietnamese examples."""
    out = []
    for g in guides:
        extra = [t for t in learned.get(g.id, ()) if t not in g.examples.vi]
        if extra:
            g = g.model_copy(update={"examples": g.examples.model_copy(update={"vi": [*g.examples.vi, *extra]})})
        out.append(g)
    return out


class Learning:
    def __init__(self, uow: Transactions, content: Content, clock: Clock, on_matcher: Callable[[Matcher], None]):
        self.uow, self.content, self.clock = uow, content, clock
        self.on_matcher = on_matcher  # hands a rebuilt matcher to whoever matches (the resident flow)
        self._normalize = default_normalizer()
        self._version: tuple[int, dt.datetime | None] | None = None

    def phrasing(self, text: str) -> str | None:
        """What is stored of a question: normalised, no long numbers; None if nothing useful is left."""
        if len(text) > MAX_PHRASING_CHARS * 2:
            return None
        cleaned = scrub(self._normalize(text).text)[:MAX_PHRASING_CHARS]
        return cleaned if len(cleaned.split()) >= 2 else None

    async def suggest(self, guide_id: str, texts: Iterable[str], source: str) -> int:
        """Suggest phrasings for a guide; returns how many are new."""
        if self.content.guide(guide_id) is None:
            raise KeyError(guide_id)
        now = self.clock.now()
        added = 0
        async with self.uow() as tx:
            for text in dict.fromkeys(p for t in texts if (p := self.phrasing(t))):
                added += await tx.learned.suggest(guide_id, text, source[:40], now)
        return added

    async def pending(self, limit: int = 50) -> list[Phrasing]:
        async with self.uow() as tx:
            return [_phrasing(r) for r in await tx.learned.pending(limit)]

    async def decide(self, phrasing_id: int, accept: bool) -> Phrasing | None:
        async with self.uow() as tx:
            row = await tx.learned.decide(phrasing_id, ACCEPTED if accept else REJECTED, self.clock.now())
            decided = _phrasing(row) if row is not None else None
        if decided is not None and accept:
            await self.refresh()
        return decided

    async def refresh(self) -> bool:
        """Rebuild the matcher if the accepted phrasings changed since the last look; True if rebuilt."""
        async with self.uow() as tx:
            version = await tx.learned.version()
            if version == self._version:
                return False
            rows = await tx.learned.accepted()
        learned: dict[str, list[str]] = {}
        for r in rows:
            if self.content.guide(r.guide_id) is not None:  # a guide may have been removed since
                learned.setdefault(r.guide_id, []).append(r.text)
        first = self._version is None
        self._version = version
        if first and not learned:
            return False  # nothing learned yet: the matcher built at start is the right one
        self.on_matcher(Matcher.build(with_phrasings(self.content.guides.values(), learned)))
        return True


def _phrasing(r: LearnedRecord) -> Phrasing:
    return Phrasing(r.id, r.guide_id, r.text, r.status, r.source, r.created_at)
