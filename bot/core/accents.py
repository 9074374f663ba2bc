"""Diacritics restoration: "dang ky tam tru" is read as "đăng ký tạm trú" as well.

Many residents type without diacritics. De-accented Vietnamese is ambiguous word by word ("ma" is
"mà", "mã" or "má"), much less so two words at a time ("ma qr" is "mã qr"). The restorer learns
from our own Vietnamese texts (guides' titles, keywords, examples, summaries and steps) which
accented spelling each plain word pair, then each plain word, stands for, and proposes that reading.
The matcher keeps the plain words as they were typed and adds the accents as a second opinion
(`Matcher.match` reads the restored text; its plain view is the typed one).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise

from bot.core.normalize import clean, strip_diacritics, words

DOMINANT = 0.75  # a plain word is restored only when one spelling has this share of its uses
MIN_USES = 2  # ... and was seen at least this often


def has_diacritics(text: str) -> bool:
    return strip_diacritics(text) != text


class Restorer:
    def __init__(self, pairs: dict[tuple[str, str], tuple[str, str]], singles: dict[str, str]):
        self._pairs = pairs
        self._singles = singles

    @classmethod
    def learn(cls, texts: Iterable[str]) -> Restorer:
        pair_counts: Counter[tuple[str, str]] = Counter()
        for text in texts:
            toks = words(text.lower())
            if toks:
                pair_counts.update(pairwise(toks))
                pair_counts.update((t, "") for t in toks)
        by_plain: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
        plain = {w: strip_diacritics(w) for pair in pair_counts for w in pair}
        for (a, b), n in pair_counts.items():
            by_plain[(plain[a], plain[b])][(a, b)] = n
        pairs: dict[tuple[str, str], tuple[str, str]] = {}
        singles: dict[str, str] = {}
        for (pa, pb), counts in by_plain.items():
            if not _dominant(counts):
                continue
            best = counts.most_common(1)[0][0]
            if pb:
                pairs[(pa, pb)] = best
            elif best[0] != pa:
                singles[pa] = best[0]
        return cls(pairs, singles)

    def restore(self, text: str) -> str:
        """The accented reading of an unaccented text; a text with any diacritic is returned as typed."""
        if has_diacritics(text):
            return text
        toks = words(clean(text, None))
        out = list(toks)
        fixed = [False] * len(toks)
        for i in range(len(toks) - 1):  # word pairs first: they carry the context
            hit = self._pairs.get((toks[i], toks[i + 1]))
            if hit is None:
                continue
            if not fixed[i]:
                out[i], fixed[i] = hit[0], True
            if not fixed[i + 1]:
                out[i + 1], fixed[i + 1] = hit[1], True
        for i, tok in enumerate(toks):
            if not fixed[i] and tok in self._singles:
                out[i] = self._singles[tok]
        return " ".join(out)


def _dominant(counts: Counter[tuple[str, str]]) -> bool:
    total = sum(counts.values())
    best = counts.most_common(1)[0][1]
    return total >= MIN_USES and best / total >= DOMINANT
