"""Match a resident's free-text question to a guide: confident, unsure ("Có phải bác muốn…?") or none.

The same Matcher serves the bot and `python -m bot match --json` (shared/topics.md). How a question
is scored is in `match_index.py`; this module turns the scores into one of three outcomes:

* CONFIDENT: the best guide scores well, clearly ahead of the next, on distinctive words, and the
  question is a question, not a long story -> open it;
* UNSURE: the best guide first, then up to three alternatives -> "Có phải bác muốn…?";
* NONE: no guide explains enough of the question -> a kind decline (weather, lottery, greetings).
  So is a question that names another province and leaves us unsure, and a question of a single
  word the guides know that resembles none of their phrasings ("cách trồng hoa lan").

Evidence is words that mean something; but a question said almost word for word as one of a
guide's phrasings ("hỏi người", "cần người giúp") is evidence too, even when its words are common.

Two kinds of message are settled before scores: one that is only a product's name ("vneid",
"dịch vụ công") offers the guides naming it (opens it when there is one); one of nothing but numbers
and words that move a chat on ("1", "tiếp", "next") is declined.

The thresholds were set on our own question sets (tests/core/match_questions.tsv and others),
not on the shared dev questions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, cached_property

import yaml

from bot.core.accents import Restorer, has_diacritics
from bot.core.content import Guide
from bot.core.i18n import Texts
from bot.core.match_index import LONG_TEXT, GuideIndex
from bot.core.normalize import LEXICON_DIR, Normalizer, default_normalizer, strip_diacritics, words

CONFIDENT_AT = 55.0  # best score at least this ...
CONFIDENT_GAP = 8.0  # ... and this far ahead of the next guide
NONE_BELOW = 42.0  # below this the question is declined
MIN_EVIDENCE = 0.6  # weight of matched words a guide needs to be offered (distinctive ones: to be opened)
WORDED_AT = 0.8  # similarity to one of a guide's phrasings that counts as saying it (see `_match`)
WORDED_GAP = 15.0  # ... when that guide is this far ahead of the next
LONE_SIMILARITY = 0.4  # a question of one word the guides know must resemble a phrasing this much
ALTERNATIVE_AT = 20.0  # a guide must score this to be offered as an alternative
MAX_ALTERNATIVES = 3


LOCAL_ONLY = frozenset({"ward-contact"})  # guides that only know our wards: never answer for elsewhere


@cache
def _elsewhere() -> re.Pattern[str]:
    names = yaml.safe_load((LEXICON_DIR / "places.yaml").read_text(encoding="utf-8"))["elsewhere"]
    return re.compile(r"\b(?:" + "|".join(re.escape(str(n)) for n in names) + r")\b")


def names_elsewhere(text: str) -> bool:
    """The question names a province or city other than Hà Nội ("ubnd phuong o da nang").

    Read from the typed words, not the normalised ones: "bac" in "bac ninh" is not the polite "bác"."""
    return _elsewhere().search(" ".join(words(strip_diacritics(text).lower()))) is not None


@dataclass(frozen=True)
class Candidate:
    guide_id: str
    score: float  # 0-100


class Outcome(StrEnum):
    CONFIDENT = "confident"
    UNSURE = "unsure"
    NONE = "none"


@dataclass(frozen=True)
class MatchResult:
    query: str
    normalized: str
    outcome: Outcome
    topic: str | None  # best guide id when CONFIDENT or UNSURE; None when NONE
    score: float  # best score 0-100
    alternatives: list[Candidate] = field(default_factory=list)  # next best, at most 3, without `topic`
    via: str = "lexical"  # which path answered: "lexical", "accents" (read with restored diacritics), "context"

    def to_json(self) -> dict[str, object]:
        """The `python -m bot match --json` line (shared/topics.md)."""
        return {
            "query": self.query,
            "topic": self.topic,
            "score": round(self.score, 1),
            "alternatives": [{"topic": c.guide_id, "score": round(c.score, 1)} for c in self.alternatives],
            "via": "lexical" if self.via == "accents" else self.via,
        }


class Matcher:
    """Built once from the guides; `match` is pure and takes well under a millisecond."""

    def __init__(self, guide_ids: list[str], index: GuideIndex, texts: Iterable[str] = ()):
        self._ids = guide_ids
        self._index = index
        self._texts = texts  # what the diacritics restorer learns from, on first need

    @classmethod
    def build(cls, guides: Iterable[Guide], normalizer: Normalizer | None = None) -> Matcher:
        guides = list(guides)
        index = GuideIndex.build(guides, normalizer or default_normalizer())
        return cls([g.id for g in guides], index, list(_vietnamese_texts(guides)))

    @cached_property
    def _restorer(self) -> Restorer:
        """Learnt on the first unaccented question that needs it: most questions never do. Besides the
        guides, from the bot's own Vietnamese messages: everyday words ("ở đâu", "được không") that
        guides say less often than residents."""
        return Restorer.learn([*self._texts, *_everyday_texts()])

    def warm(self) -> None:
        """Learn the restorer now (a long-running bot calls this at start, so no resident waits for it)."""
        _ = self._restorer

    @property
    def guide_ids(self) -> list[str]:
        return list(self._ids)

    def match(self, text: str) -> MatchResult:
        """The typed words first; a question typed without diacritics that leaves the matcher unsure is
        read a second time with the diacritics our guides use, and that reading wins if it is sure, or
        unsure but closer to a guide than the typed words."""
        result = self._match(text)
        if result.outcome is Outcome.CONFIDENT or has_diacritics(text):
            return result
        restored = self._restorer.restore(text)
        if restored == " ".join(text.split()):
            return result
        second = self._match(restored)
        if second.outcome is Outcome.NONE or (second.outcome is Outcome.UNSURE and second.score <= result.score):
            return result
        return MatchResult(
            text, second.normalized, second.outcome, second.topic, second.score, second.alternatives, via="accents"
        )

    def _match(self, text: str) -> MatchResult:
        norm, ranked = self._index.rank(text)
        if not ranked or self._index.says_nothing(norm):
            return MatchResult(text, norm.text, Outcome.NONE, None, ranked[0].score if ranked else 0.0, [])
        ranked.sort(key=lambda r: (-r.score, self._ids[r.guide]))
        named = self._index.named_guides(norm)
        if named:  # just a product's name: its guides, best first
            scores = {r.guide: r.score for r in ranked}
            offered = sorted(named, key=lambda gi: (-scores.get(gi, 0.0), self._ids[gi]))
            outcome = Outcome.CONFIDENT if len(offered) == 1 else Outcome.UNSURE
            return MatchResult(
                text,
                norm.text,
                outcome,
                self._ids[offered[0]],
                scores.get(offered[0], 0.0),
                [Candidate(self._ids[gi], scores.get(gi, 0.0)) for gi in offered[1 : 1 + MAX_ALTERNATIVES]],
            )
        best = ranked[0]
        if self._ids[best.guide].split("/")[0] in LOCAL_ONLY and names_elsewhere(text):
            return MatchResult(text, norm.text, Outcome.NONE, None, best.score, [])
        second = ranked[1].score if len(ranked) > 1 else 0.0
        # said almost word for word as one of the guide's phrasings, and clearly that guide's: the
        # words a phrasing is made of ("hỏi người", "cần người giúp") are evidence enough
        worded = best.similarity >= WORDED_AT and best.score - second >= WORDED_GAP
        # one word the guides know ("hoa" in "cách trồng hoa lan") and no likeness to any of their
        # phrasings: too little to go on
        lone = len(self._index.reader.units(norm)) == 1 and best.similarity < LONE_SIMILARITY
        if (best.support < MIN_EVIDENCE and not worded) or best.score < NONE_BELOW or lone:
            return MatchResult(text, norm.text, Outcome.NONE, None, best.score, [])
        alternatives = [
            Candidate(self._ids[r.guide], r.score)
            for r in ranked[1:]
            if r.score >= ALTERNATIVE_AT and r.support >= MIN_EVIDENCE
        ][:MAX_ALTERNATIVES]
        confident = (
            best.score >= CONFIDENT_AT
            and best.score - second >= CONFIDENT_GAP
            and (best.evidence >= MIN_EVIDENCE or worded)  # generic words alone never decide
            and len(norm.plain) <= LONG_TEXT
        )  # a long story gets choices, not a guide
        outcome = Outcome.CONFIDENT if confident else Outcome.UNSURE
        if not confident and names_elsewhere(text):  # unsure, and about somewhere else: not ours to guess
            return MatchResult(text, norm.text, Outcome.NONE, None, best.score, [])
        return MatchResult(text, norm.text, outcome, self._ids[best.guide], best.score, alternatives)


def _everyday_texts() -> list[str]:
    return [_PLACEHOLDER.sub(" ", t) for t in Texts().catalogs["vi"].values()]


_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _vietnamese_texts(guides: Iterable[Guide]) -> Iterable[str]:
    for g in guides:
        yield g.title.vi
        yield g.summary.vi
        yield from g.keywords
        yield from g.examples.vi
        for step in g.steps:
            yield step.text.vi
