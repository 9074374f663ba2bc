"""Diacritics restoration: "dang ky tam tru" is read as "đăng ký tạm trú" as well.

Many residents type without diacritics. De-accented Vietnamese is ambiguous word by word ("ma" is
"mà", "mã" or "má"), much less so in context ("ma qr" is "mã qr"). The restorer learns from our own
Vietnamese texts (guides' titles, keywords, examples, summaries and steps, and the bot's own
Vietnamese messages, which are full of the everyday words residents type: "ở đâu", "được không")
how often each accented word follows another, and reads a question as the most likely sequence of
spellings (a bigram model, Viterbi search, interpolated with single-word counts).

A plain word our texts never spell with diacritics stays as typed. The matcher keeps the plain words
as they were typed and adds the accents as a second opinion (`Matcher.match` reads the restored text;
its plain view is the typed one).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise

from bot.core.normalize import clean, strip_diacritics, words

CONTEXT = 0.8  # weight of "this word after that one" against "this word at all"
MAX_FORMS = 4  # spellings of one plain word considered (the most used)
SMOOTHING = 0.1  # added to every count of a single word


def has_diacritics(text: str) -> bool:
    return strip_diacritics(text) != text


class Restorer:
    def __init__(self, unigrams: Counter[str], bigrams: Counter[tuple[str, str]]):
        total = sum(unigrams.values()) + SMOOTHING * (len(unigrams) + 1)
        self._unigram = {w: (n + SMOOTHING) / total for w, n in unigrams.items()}
        self._unseen = SMOOTHING / total
        self._follows: dict[str, dict[str, float]] = defaultdict(dict)  # a -> b -> P(b | a)
        for (a, b), n in bigrams.items():
            self._follows[a][b] = n / unigrams[a]
        forms: dict[str, list[str]] = defaultdict(list)
        for w, _ in unigrams.most_common():
            forms[strip_diacritics(w)].append(w)
        self._forms = {p: tuple(ws[:MAX_FORMS]) for p, ws in forms.items()}

    @classmethod
    def learn(cls, texts: Iterable[str]) -> Restorer:
        unigrams: Counter[str] = Counter()
        bigrams: Counter[tuple[str, str]] = Counter()
        for text in texts:
            toks = words(clean(text, None))
            unigrams.update(toks)
            bigrams.update(pairwise(toks))
        return cls(unigrams, bigrams)

    def restore(self, text: str) -> str:
        """The accented reading of an unaccented text; a text with any diacritic is returned as typed."""
        if has_diacritics(text):
            return text
        toks = words(clean(text, None))
        if not toks:
            return ""
        unigram, unseen, follows = self._unigram, self._unseen, self._follows
        # best[w] = (log probability of the best reading ending in spelling w, that reading)
        best: dict[str, tuple[float, tuple[str, ...]]] = {}
        for i, tok in enumerate(toks):
            forms = self._forms.get(tok, (tok,))
            if i == 0:
                best = {w: (math.log(unigram.get(w, unseen)), (w,)) for w in forms}
                continue
            step: dict[str, tuple[float, tuple[str, ...]]] = {}
            for w in forms:
                alone = unigram.get(w, unseen)
                mixed = (1 - CONTEXT) * alone
                score, path = max(
                    (s + math.log(CONTEXT * follows[a].get(w, 0.0) + mixed if a in follows else alone), p)
                    for a, (s, p) in best.items()
                )
                step[w] = (score, (*path, w))
            best = step
        return " ".join(max(best.values())[1])
