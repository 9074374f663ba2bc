"""The guide index behind the matcher: how a question is read and scored against every guide.

* Both sides are normalised the same way (`normalize.py`) and cut into *units*: de-accented words,
  except that a phrase of the stopword/generic lists ("như thế nào", "điện thoại") is one unit.
  Stopwords are dropped, generic units count little, English is read through a small glossary.
* Features are the units and each pair of neighbouring units ("tien|dien", "ma|qr"), weighted by
  how rare they are across guides (IDF), so "cài" or "app" never decide alone.
* Coverage: the share of the question's weight a guide explains. Words no guide uses count against
  every guide; that is what turns "giá vàng hôm nay" into a decline. So do known words that no guide
  uses side by side ("tổng thống"), and a word counts a little less for a guide that never uses it
  next to any of its neighbours in the question.
* A word no guide knows gets a second chance: a close spelling ("ihanio" -> "ihanoi") or words run
  together ("dangnhap" -> "dang nhap").
* Diacritics typed by the resident that contradict the guide's ("mất" for "mật") make another word.
* The best few guides are re-ranked with rapidfuzz against their titles and example phrasings.
* Guides are indexed from their titles, keywords, examples, summary and, weakly, their steps (the
  steps teach the index the words residents use around a topic: "samsung", "khuôn mặt").

For speed at a thousand guides: every feature keeps its guides ordered by weight, candidates come
from the heads of those lists, and only the best candidates are scored in full.
"""

from __future__ import annotations

import gc
import heapq
import math
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import chain, compress, count, filterfalse, pairwise, repeat
from operator import add, is_not, itemgetter
from typing import cast

from rapidfuzz import fuzz, process

from bot.core.content import Guide
from bot.core.normalize import Normalized, Normalizer, PhraseTable, fold_english

GENERIC_WEIGHT = 0.3  # "cài", "app", "điện thoại", digits
PAIR_WEIGHT = 0.6  # a pair of neighbouring units, relative to a single unit
UNKNOWN = 1.3  # weight of a word no guide uses, relative to the rarest word guides use
ORPHAN = 0.85  # a word a guide uses, but never next to any of its neighbours in the question
NOVEL_PAIR = 0.3  # two known words never seen together in a guide ("tổng thống"), against all guides
# How often a guide says a word, counted per place: title and keywords, examples, summary, steps.
# (The first two are counted in halves: keep them multiples of 0.5.)
TITLE_COUNT, SUMMARY_COUNT, STEP_COUNT = 2.0, 0.5, 0.3
STEP_MAX = 0.3  # however often the steps say a word, it adds at most this much
TF_HALF = 0.8  # weighted count at which a word counts half
OMITTED_ACCENT = 0.6  # "nhâp" typed where the guide says "nhập": marks left out
CONFLICTING_ACCENT = 0.1  # "mất" typed where the guide says "mật": another word
# A long message (a story around the question) is judged by the part a guide explains best:
# coverage is measured against at most this much question weight.
LONG_QUESTION = 6.0
LONG_TEXT = 100  # characters (normalised) from which a question counts as a long message
SENTENCE = 20  # characters from which a phrasing is a sentence (not a keyword) to compare long messages with
SIMILARITY_FLOOR = 0.4  # fuzzy similarity below this is what unrelated sentences get
COVERAGE_SHARE = 0.5  # the rest of the score is the best fuzzy phrasing similarity
MAX_UNITS = 40  # units looked at in one question (the input is already cut to 300 characters)
MAX_REPAIRS = 6  # unknown words we try to repair per question
FUZZY_WORD_AT = 80  # rapidfuzz ratio for "ihanio" ~ "ihanoi"
FUZZY_WORD_LEN = 5  # shorter words are too easily confused (Vietnamese syllables)
HEAD = 128  # guides taken from the head of each feature's list when collecting candidates
CANDIDATES = 24  # candidates scored in full
RERANK = 6  # best guides re-ranked with rapidfuzz


@dataclass(frozen=True, slots=True)
class Scored:
    guide: int
    score: float  # 0-100
    coverage: float
    similarity: float
    evidence: float  # distinctive words matched: needed to be confident
    support: float  # all words matched, generic ones as if they were not: needed to be offered


# A unit: plain, accented, weight (1, or GENERIC_WEIGHT), generic
Unit = tuple[str, str, float, bool]
# A feature: plain key, accented (None when typed without diacritics), weight, generic
Feature = tuple[str, str | None, float, bool]


def _marks(word: str) -> tuple[frozenset[str], ...]:
    """The diacritics on each letter ("đ" counts as d with a stroke)."""
    return tuple(
        frozenset({"stroke"}) if ch in "đĐ" else frozenset(unicodedata.normalize("NFD", ch)[1:]) for ch in word
    )


_SEP = "\x1f"  # between the spellings of one feature
_BREAK = "zqxbreakxqz"  # a word no text has, between texts normalised in one call


@lru_cache(maxsize=65536)
def accent_agreement(typed: str, forms: str) -> float:
    """How far diacritics typed by a resident agree with a guide's spellings (joined by _SEP) of the
    same letters: marks left out ("nhâp" for "nhập") are a slip; marks that differ ("mất"/"mật")
    are another word."""
    spellings = forms.split(_SEP)
    if typed in spellings:
        return 1.0
    mine = _marks(typed)
    for form in spellings:
        theirs = _marks(form)
        if len(theirs) == len(mine) and all(m <= t for m, t in zip(mine, theirs, strict=False)):
            return OMITTED_ACCENT
    return CONFLICTING_ACCENT


def _saturate(count: float) -> float:
    """A weighted count of mentions -> 0-1; a title or keyword mention alone is 1."""
    return min(1.0, (count / (count + TF_HALF)) / (TITLE_COUNT / (TITLE_COUNT + TF_HALF)))


def pair_key(a: str, b: str) -> str:
    """Neighbouring units, in either order ("app ihanoi" = "ihanoi app")."""
    return f"{a}|{b}" if a <= b else f"{b}|{a}"


class _Memo(dict[Hashable, object]):
    """key -> fn(key), computed once: looked up again in C (`map(memo.__getitem__, ...)`), which is
    what makes reading a thousand guides word by word cheap."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[..., object]):
        super().__init__()
        self.fn = fn

    def __missing__(self, key: Hashable) -> object:
        value = self[key] = self.fn(key)
        return value


MEMO_MAX = 1 << 16  # words a Reader remembers; questions bring new ones without end, so it starts over
CHUNK = 1024  # guide texts read in one call when building the index
_not_none = partial(is_not, None)
_first = itemgetter(0)


class Reader:
    """Text -> weighted units, with the lexicon's English glossary, stopword and generic lists."""

    def __init__(self, normalizer: Normalizer):
        self.normalize = normalizer
        lex = normalizer.lexicon
        self.english = lex.english
        self._stop, self._stop_plain = lex.stopwords.exact, lex.stopwords.plain
        self._generic, self._generic_plain = lex.generic.exact, lex.generic.plain
        # the phrases of several words in either list are kept as one unit ("như thế nào", "điện thoại")
        phrases = (p for p in (*lex.stopwords.exact, *lex.generic.exact) if " " in p)
        self._phrases = PhraseTable({p: p for p in phrases}, join=True)
        # Everything below depends on a word (or a pair of views of it) alone: worked out once per
        # word, then looked up.
        # English is folded only in words typed in ASCII, where both views are the same word
        # (fold_english leaves every other word as it is)
        self._folded = _Memo(fold_english)
        self._plain_view = _Memo(lambda tp: self._folded[tp[0]] if tp[0].isascii() else tp[1])
        self._unit = _Memo(self._unit_of)
        # in a question in Vietnamese, "the", "can", "so"... are Vietnamese words, not English stopwords
        self._english_words, self._also_vi = lex.english_words - lex.also_vietnamese, lex.also_vietnamese
        self._unit_vi = _Memo(partial(self._unit_of, vietnamese=True))
        self._spelled = _Memo(lambda u: (u[0], u[1]) if u[1] != u[0] else None)
        self._pair = _Memo(lambda ab: pair_key(*ab))
        self._memos = (self._folded, self._plain_view, self._unit, self._unit_vi, self._spelled, self._pair)
        # pure, and questions repeat
        self.units = lru_cache(maxsize=4096)(self._units)

    def _unit_of(self, ap: tuple[str, str], vietnamese: bool = False) -> Unit | None:
        """A word (accented, plain) -> its unit, or None for a stopword or a lone letter.

        `vietnamese`: the question is not in English, so an English stopword that is also a Vietnamese
        word typed without diacritics ("the" = thẻ) is that word."""
        a, p = ap
        if vietnamese and a in self._also_vi:
            if a in self._generic_plain:
                return (p, a, GENERIC_WEIGHT, True)
            return (p, a, 1.0, False)
        if a in self._stop or (a == p and p in self._stop_plain) or (len(p) == 1 and not p.isdigit()):
            return None
        if a in self._generic or (a == p and p in self._generic_plain) or p.isdigit():
            return (p, a, GENERIC_WEIGHT, True)
        return (p, a, 1.0, False)

    def _units(self, norm: Normalized, limit: int | None = MAX_UNITS) -> tuple[Unit, ...]:
        toks = norm.tokens
        return self._units_of_words(toks, norm.plain_tokens, limit, not self.in_english(toks))

    def in_english(self, toks: Sequence[str]) -> bool:
        """At least as many English words as other words (not counting those both languages have)."""
        also = self._also_vi
        english = sum(map(self._english_words.__contains__, map(self._folded.__getitem__, toks)))
        others = len(toks) - english - sum(map(also.__contains__, toks))
        return english > 0 and english >= others

    def _units_of_words(
        self, toks: list[str], plain_toks: list[str], limit: int | None, vietnamese: bool = False
    ) -> tuple[Unit, ...]:
        if len(self._unit) > MEMO_MAX or len(self._plain_view) > MEMO_MAX or len(self._pair) > MEMO_MAX:
            for memo in self._memos:
                memo.clear()
        folded = cast("list[str]", list(map(self._folded.__getitem__, toks)))
        plain = cast("list[str]", list(map(self._plain_view.__getitem__, zip(toks, plain_toks, strict=False))))
        toks, plain = self._phrases.apply(*self.english.apply(folded, plain))
        units = map((self._unit_vi if vietnamese else self._unit).__getitem__, zip(toks, plain, strict=False))
        out = cast("list[Unit]", list(filter(_not_none, units)))
        return tuple(out[:limit] if limit is not None else out)

    def read_texts(self, texts: Sequence[str]) -> list[tuple[list[str], frozenset[tuple[str, str]], list[str]]]:
        """Guide texts -> for each: its feature keys, one per mention (single units, then the pairs of
        neighbouring units), the spellings with diacritics of its words, and its plain text.

        The texts are read in one call, kept apart by a break word: many short texts cost more in
        calls than in words. Each comes out as if it had been read alone."""
        joined = f" {_BREAK} ".join(texts)
        toks, plain_toks = self.normalize.words_of(joined, None)
        plain_text = " ".join(plain_toks)
        if "" in toks or "" in plain_toks:  # (never seen: a word that is nothing but marks)
            norm = self.normalize(joined, None)
            toks, plain_toks, plain_text = norm.tokens, norm.plain_tokens, norm.plain
        units = self._units_of_words(toks, plain_toks, None)
        keys: list[str] = list(map(_first, units))
        spelled = cast("list[tuple[str, str] | None]", list(map(self._spelled.__getitem__, units)))
        pairs: list[str] = list(map(self._pair.__getitem__, pairwise(keys)))  # type: ignore[arg-type]
        breaks = list(compress(count(), map(_BREAK.__eq__, keys)))
        plains = [t.strip() for t in plain_text.split(_BREAK)]
        segments = []
        for start, end in zip([-1, *breaks], [*breaks, len(keys)], strict=False):
            start += 1
            mine = keys[start:end]
            if end - start > 1:
                mine += pairs[start : end - 1]
            segments.append((mine, frozenset(filter(None, spelled[start:end]))))
        if len(segments) == len(texts) and len(plains) == len(texts):
            return [(k, a, [t]) for (k, a), t in zip(segments, plains, strict=False)]
        if len(texts) > 1:  # a text says the break word itself: read them one by one
            return [read for t in texts for read in self.read_texts([t])]
        return [
            (list(chain.from_iterable(k for k, _ in segments)), frozenset().union(*(a for _, a in segments)), plains)
        ]


def features(units: Sequence[Unit]) -> tuple[list[Feature], list[Feature]]:
    """The units, and the pairs of neighbouring units (pair i joins units i and i+1)."""
    singles: list[Feature] = [(p, a if a != p else None, w, g) for p, a, w, g in units]
    pairs: list[Feature] = []
    for (p1, a1, _, g1), (p2, a2, _, g2) in pairwise(units):
        if p2 < p1:
            p1, a1, p2, a2 = p2, a2, p1, a1
        key = f"{p1}|{p2}"
        accented = f"{a1}|{a2}"
        pairs.append(
            (
                key,
                accented if accented != key else None,
                PAIR_WEIGHT * (GENERIC_WEIGHT if g1 and g2 else 1.0),
                g1 and g2,
            )
        )
    return singles, pairs


class GuideIndex:
    """Features -> guides, built once from the guides.

    Kept in few containers (per guide one dict of floats, per feature two tuples of numbers), so the
    garbage collector has little to walk through and a thousand guides cost no pauses."""

    def __init__(
        self,
        reader: Reader,
        by_guide: list[dict[str, float]],
        df: dict[str, float],
        forms: dict[str, str],
        guide_forms: list[dict[str, str]],
        phrasings: list[list[str]],
        named: dict[tuple[str, ...], tuple[int, ...]] | None = None,
    ):
        self.reader = reader
        self._named = named or {}  # a product's units -> the guides naming it in title or keywords
        self._by_guide = by_guide  # feature -> how much the guide is about it, 0-1
        self._forms = forms  # feature -> its spellings with diacritics in all guides, joined by _SEP
        self._guide_forms = guide_forms  # the same per guide, only where guides spell a feature differently
        self._phrasings = phrasings
        self._sentences = [[p for p in ps if len(p) >= SENTENCE] for ps in phrasings]
        n = max(len(by_guide), 1)
        norm = math.log(1 + n)
        self._idf = {k: min(1.0, math.log(1 + n / max(d, 0.5)) / norm) for k, d in df.items()}
        guides: dict[str, list[int]] = {key: [] for key in df}
        weights: dict[str, list[float]] = {key: [] for key in df}
        for gi, feats in enumerate(by_guide):
            for key, weight in feats.items():
                guides[key].append(gi)
                weights[key].append(weight)
        # tuples of numbers the guides share (a question walks them without making a number per guide;
        # the collector stops tracking them after its first look)
        self._heads: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {}
        for key, gis in guides.items():
            ws = weights[key]
            if len(gis) > HEAD:  # keep the guides most about it
                top = heapq.nlargest(HEAD, range(len(gis)), key=ws.__getitem__)
                self._heads[key] = (tuple(map(gis.__getitem__, top)), tuple(map(ws.__getitem__, top)))
            else:
                self._heads[key] = (tuple(gis), tuple(ws))
        words = [k for k in df if "|" not in k and " " not in k and not k.isdigit() and len(k) >= 3]
        self._near: dict[int, list[str]] = {}
        for w in words:
            for size in range(len(w) - 2, len(w) + 3):
                self._near.setdefault(size, []).append(w)

    @classmethod
    def build(cls, guides: Iterable[Guide], normalizer: Normalizer) -> GuideIndex:
        # Building allocates hundreds of thousands of small objects and frees few: the cyclic
        # garbage collector would walk them again and again for nothing (about a tenth of the time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return cls._build(guides, normalizer)
        finally:
            if collecting:
                gc.enable()

    @classmethod
    def _build(cls, guides: Iterable[Guide], normalizer: Normalizer) -> GuideIndex:
        reader = Reader(normalizer)
        # each guide's texts, per place: title and keywords, examples, summary, steps (all as one text)
        places = [
            (
                (g.title.vi, g.title.en, *g.keywords),
                (*g.examples.vi, *g.examples.en),
                (g.summary.vi, g.summary.en),
                ("\n".join(st.text.vi for st in g.steps), "\n".join(st.text.en for st in g.steps)),
            )
            for g in guides
        ]
        # every distinct text read once ("thanh toán", "zalo" and whole phrasings repeat across guides)
        distinct = list(dict.fromkeys(chain.from_iterable(chain.from_iterable(places))))
        keys_of: dict[str, list[str]] = {}
        accents_of: dict[str, frozenset[tuple[str, str]]] = {}
        texts_of: dict[str, list[str]] = {}
        for i in range(0, len(distinct), CHUNK):
            chunk = distinct[i : i + CHUNK]
            for text, (keys, spelled, plain) in zip(chunk, reader.read_texts(chunk), strict=False):
                keys_of[text], accents_of[text], texts_of[text] = keys, spelled, plain
        # counts repeat: 1, 2, 0.3, 2.5, ...
        saturate = _Memo(lambda n: _saturate(n / 2))
        saturate_steps = _Memo(lambda cn: _saturate(cn[0] / 2 + min(cn[1] * STEP_COUNT, STEP_MAX)))
        keys_in, texts_in = keys_of.__getitem__, texts_of.__getitem__
        strong_times, summary_times = int(2 * TITLE_COUNT), int(2 * SUMMARY_COUNT)
        by_guide: list[dict[str, float]] = []
        df: dict[str, float] = {}
        phrasings: list[list[str]] = []
        for strong_texts, example_texts, summary_texts, step_texts in places:
            # weighted mentions of each feature key, counted in C: each title/keyword mention is
            # TITLE_COUNT examples, a summary mention SUMMARY_COUNT of one (so everything is counted in halves)
            mentioned = strong_texts * strong_times + example_texts * 2 + summary_texts * summary_times
            counts = Counter(chain.from_iterable(map(keys_in, mentioned)))
            weights: dict[str, float] = dict(zip(counts, map(saturate.__getitem__, counts.values()), strict=False))  # type: ignore[arg-type]
            df.update(zip(weights, map(add, map(df.get, weights, repeat(0.0)), weights.values()), strict=False))
            in_steps = Counter(chain.from_iterable(map(keys_in, step_texts)))
            weights.update(
                zip(
                    in_steps,
                    map(
                        saturate_steps.__getitem__,  # type: ignore[arg-type]
                        zip(map(counts.get, in_steps, repeat(0)), in_steps.values(), strict=False),
                    ),
                    strict=False,
                )
            )
            for key in filterfalse(df.__contains__, in_steps):
                df[key] = 0.0
            by_guide.append(weights)
            texts = dict.fromkeys(chain.from_iterable(map(texts_in, chain(strong_texts, example_texts))))
            texts.pop("", None)
            phrasings.append(list(texts))
        all_forms: dict[str, set[str]] = {}
        for key, spelling in frozenset().union(*accents_of.values()):  # (every text is some guide's)
            all_forms.setdefault(key, set()).add(spelling)
        joined = {key: _SEP.join(sorted(f)) for key, f in all_forms.items()}
        ambiguous = {key for key, f in all_forms.items() if len(f) > 1}
        accents_in = accents_of.__getitem__
        guide_forms: list[dict[str, str]] = []
        for texts_of_guide in places:  # where guides spell a word differently, each guide's own spellings
            mine: dict[str, set[str]] = {}
            for key, spelling in [
                a for a in frozenset().union(*map(accents_in, chain.from_iterable(texts_of_guide))) if a[0] in ambiguous
            ]:
                mine.setdefault(key, set()).add(spelling)
            guide_forms.append({key: _SEP.join(sorted(f)) for key, f in mine.items()})
        return cls(
            reader, by_guide, df, joined, guide_forms, phrasings, cls._products(reader, [p[0] for p in places], keys_in)
        )

    @staticmethod
    def _products(
        reader: Reader, strong: list[tuple[str, ...]], keys_in: Callable[[str], list[str]]
    ) -> dict[tuple[str, ...], tuple[int, ...]]:
        """Each product name of the lexicon (its units) -> the guides whose title or keywords name it."""
        wanted: dict[tuple[str, ...], frozenset[str]] = {}
        for name in reader.normalize.lexicon.products:
            keys = tuple(map(_first, reader._units_of_words(*reader.normalize.words_of(name, None), None)))
            if keys:
                wanted[keys] = frozenset([*keys, *map(pair_key, keys, keys[1:])])
        named: dict[tuple[str, ...], list[int]] = {k: [] for k in wanted}
        for gi, texts in enumerate(strong):
            mine = set(chain.from_iterable(map(keys_in, texts)))
            for keys, needed in wanted.items():
                if needed <= mine:
                    named[keys].append(gi)
        return {k: tuple(gis) for k, gis in named.items() if gis}

    # --- a question, before it is scored ---------------------------------------------------

    def named_guides(self, norm: Normalized) -> tuple[int, ...]:
        """The guides naming a product, when the question is nothing but that product's name
        ("vneid", "dịch vụ công là gì"); otherwise none."""
        keys = tuple(map(_first, self.reader.units(norm)))
        return self._named.get(keys, ()) if keys else ()

    def says_nothing(self, norm: Normalized) -> bool:
        """The question has words, but only numbers and words that move a conversation on
        ("1", "12.", "tiếp", "next"): it asks nothing a guide could answer."""
        units = self.reader.units(norm)
        if not units:
            return False
        if all(u[0].isdigit() for u in units):
            return True
        commands = self.reader.normalize.lexicon.commands
        words = [u for u in units if not u[0].isdigit()]
        return commands.has(" ".join(u[1] for u in words), " ".join(u[0] for u in words))

    # --- a question ---------------------------------------------------------------------

    def _agreement(self, key: str, accented: str, own: dict[str, str] | None = None) -> float:
        """accent_agreement against the spellings of a guide (`own`, where guides differ) or of all
        guides; a pair agrees as far as both its words do."""
        if "|" in key:
            (k1, k2), (a1, a2) = key.split("|"), accented.split("|")
            return min(self._agreement(k1, a1, own), self._agreement(k2, a2, own))
        if accented == key:  # this word of the pair was typed without diacritics
            return 1.0
        forms = (own.get(key) if own else None) or self._forms.get(key, key)
        return accent_agreement(accented, forms)

    def _known(self, key: str, accented: str | None) -> bool:
        if key not in self._idf:
            return False
        # "khoán" is not "khoản": a spelling no guide has, with contradicting marks, is a word no guide uses
        return accented is None or self._agreement(key, accented) > CONFLICTING_ACCENT

    def _repair(self, units: Sequence[Unit]) -> list[Unit]:
        """Give words no guide knows a second chance: a close spelling, or words run together."""
        out: list[Unit] = []
        tries = 0
        for u in units:
            plain, _, weight, generic = u
            if plain in self._idf or " " in plain or plain.isdigit() or tries >= MAX_REPAIRS:
                out.append(u)
                continue
            tries += 1
            split = self._split(plain)
            if split:
                out.extend((w, w, 1.0, False) for w in split)
                continue
            if len(plain) >= FUZZY_WORD_LEN:
                hit = process.extractOne(
                    plain, self._near.get(len(plain), ()), scorer=fuzz.ratio, processor=None, score_cutoff=FUZZY_WORD_AT
                )
                if hit:
                    out.append((hit[0], hit[0], weight * hit[1] / 100, generic))
                    continue
            out.append(u)
        return out

    def _split(self, word: str) -> list[str] | None:
        """'dangnhap' -> ['dang', 'nhap'] when the guides use that phrase."""
        known = self._idf
        for i in range(2, len(word) - 1):
            a, b = word[:i], word[i:]
            if pair_key(a, b) in known:
                return [a, b]
            if a in known and len(b) >= 4:
                for j in range(2, len(b) - 1):
                    if pair_key(a, b[:j]) in known and pair_key(b[:j], b[j:]) in known:
                        return [a, b[:j], b[j:]]
        return None

    def rank(self, text: str) -> tuple[Normalized, list[Scored]]:
        """The best guides for a question, best first (at most RERANK)."""
        norm = self.reader.normalize(text)
        singles, pairs = features(self._repair(self.reader.units(norm)))
        # What the question weighs, and which features count (a word said twice counts once).
        total = 0.0
        seen: set[str] = set()
        counted: list[tuple[int, str, str | None, float, bool]] = []  # position (pairs: -1 - j), key, ...
        known_pairs: list[tuple[int, str, str | None]] = []
        for j, (key, accented, weight, generic) in enumerate(pairs):
            if not self._known(key, accented):
                a, b = key.split("|")
                if key not in seen and a in self._idf and b in self._idf:
                    total += weight * NOVEL_PAIR  # known words, never side by side in a guide
                seen.add(key)
                continue
            known_pairs.append((j, key, accented))
            if key not in seen:
                seen.add(key)
                w = weight * self._idf[key]
                total += w
                counted.append((-1 - j, key, accented, w, generic))
        for i, (key, accented, weight, generic) in enumerate(singles):
            if key in seen:
                continue
            seen.add(key)
            if not self._known(key, accented):
                total += weight * UNKNOWN  # a word no guide uses counts against all of them
                continue
            w = weight * self._idf[key]
            total += w
            counted.append((i, key, accented, w, generic))
        if not counted:
            return norm, []

        # Candidates from the heads of the features' lists, then the best of them in full.
        rough: dict[int, float] = {}
        get = rough.get
        for _, key, _, w, _ in counted:
            gis, weights = self._heads[key]
            for gi, v in zip(gis, map(w.__mul__, weights), strict=False):
                rough[gi] = get(gi, 0.0) + v
        candidates = heapq.nlargest(CANDIDATES, rough.items(), key=itemgetter(1))
        # how far the diacritics typed agree with all guides' spellings; a guide's own spellings
        # (where guides differ) only matter to a guide that has some for the words of the feature
        agreements = [
            None if accented is None else (self._agreement(key, accented), tuple(key.split("|")))
            for _, key, accented, _, _ in counted
        ]
        full = [self._score(gi, counted, agreements, known_pairs, len(pairs)) for gi, _ in candidates]
        full.sort(key=lambda x: -x[1])

        ranked: list[Scored] = []
        # a long message is compared with whole sentences (not keywords) by its best matching part
        long = len(norm.plain) > LONG_TEXT
        scorer = fuzz.partial_token_sort_ratio if long else fuzz.token_sort_ratio
        for gi, s, evidence, support in full[:RERANK]:
            coverage = min(s / min(total, LONG_QUESTION), 1.0)
            phrasings = self._sentences[gi] if long else self._phrasings[gi]
            hit = process.extractOne(norm.plain, phrasings, scorer=scorer, processor=None)
            similarity = max(0.0, (hit[1] / 100 - SIMILARITY_FLOOR) / (1 - SIMILARITY_FLOOR)) if hit else 0.0
            score = 100 * (COVERAGE_SHARE * coverage + (1 - COVERAGE_SHARE) * similarity)
            ranked.append(Scored(gi, score, coverage, similarity, evidence, support))
        ranked.sort(key=lambda r: -r.score)
        return norm, ranked

    def _score(
        self,
        gi: int,
        counted: list[tuple[int, str, str | None, float, bool]],
        agreements: list[tuple[float, tuple[str, ...]] | None],
        known_pairs: list[tuple[int, str, str | None]],
        n_pairs: int,
    ) -> tuple[int, float, float, float]:
        feats = self._by_guide[gi]
        spellings = self._guide_forms[gi]
        # which neighbours the guide also puts side by side (repeated pairs included)
        paired = [False] * n_pairs
        for j, key, _ in known_pairs:
            if key in feats:
                paired[j] = True
        score = evidence = support = 0.0
        for (pos, key, accented, w, generic), agreement in zip(counted, agreements, strict=False):
            weight = feats.get(key)
            if weight is None:
                continue
            v = w * weight
            if agreement is not None:
                everyone, words = agreement
                if spellings and any(map(spellings.__contains__, words)):
                    v *= self._agreement(key, accented, spellings)  # type: ignore[arg-type]
                else:
                    v *= everyone
            if pos >= 0 and n_pairs and not ((pos > 0 and paired[pos - 1]) or (pos < n_pairs and paired[pos])):
                v *= ORPHAN  # the guide uses the word, but never next to these neighbours
            score += v
            if generic:
                support += v / GENERIC_WEIGHT
            else:
                evidence += v
                support += v
        return gi, score, evidence, support
