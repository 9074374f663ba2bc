"""Text normalisation for matching residents' questions against guides.

A question and a guide's phrasings go through the same steps, so both sides meet in the same words:

1. bound the work: at most ``MAX_CHARS`` characters are looked at;
2. Unicode NFKC (canonical composition as NFC, plus compatibility forms such as full-width
   letters some keyboards produce), control and zero-width characters dropped, case folded,
   Cyrillic/Greek look-alike letters mapped to Latin, old/new tone placement unified (hòa = hoà);
3. words split on anything that is not a letter or digit (emoji, punctuation, "i-hanoi");
4. brand spellings folded ("i hà nội" -> "ihanoi"), chat abbreviations and teencode expanded
   ("ntn" -> "như thế nào"), polite fillers dropped ("bác", "ạ", "nhé").

The result has two views of the same words: ``text`` keeps the diacritics, ``plain`` has them
removed (đ -> d), which is how many residents type. The word lists are data, in ``lexicon/*.yaml``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import compress
from pathlib import Path
from typing import Any

import yaml

LEXICON_DIR = Path(__file__).parent / "lexicon"
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Long input is cut here (a question is a sentence or two; a pasted article is not a question).
MAX_CHARS = 300

_WORD_RE = re.compile(r"[^\W_]+")
# C0/C1 controls become spaces; format characters (zero-width space/joiners, bidi marks, BOM,
# soft hyphen) vanish, so "i\u200bhanoi" is still "ihanoi".
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_FORMAT_RE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")

# Letters from other scripts that look like Latin ones, seen in copied or spoofed text.
_CONFUSABLES = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "х": "x",
        "у": "y",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "һ": "h",
        "ӏ": "l",
        "к": "k",
        "м": "m",
        "н": "h",
        "т": "t",
        "в": "b",
        "ο": "o",
        "α": "a",
        "ι": "i",
        "ν": "v",
        "ρ": "p",
        "κ": "k",
        "τ": "t",
        "υ": "u",
        "ε": "e",
    }
)

_MARKS_RE = re.compile("[\u0300-\u036f]")
_NOT_LATIN_RE = re.compile("[^\x00-\x7f\u0300-\u036f]")  # what strip_diacritics keeps besides ASCII


def strip_diacritics(text: str) -> str:
    """'Đăng nhập' -> 'Dang nhap'."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    if not _NOT_LATIN_RE.search(decomposed):  # ASCII letters and marks only: drop the marks in one go
        return decomposed.encode("ascii", "ignore").decode("ascii")
    return _MARKS_RE.sub("", decomposed)


# Old and new tone placement in open syllables: "hòa"/"hoà", "khỏe"/"khoẻ", "thủy"/"thuỷ".
# Both are correct Vietnamese; we keep the mark on the last vowel.
_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}


_LOOKALIKE_SCRIPTS = re.compile("[\u0370-\u052f]")  # Greek and Cyrillic


def _move_tone(m: re.Match[str]) -> str:
    return _moved_tone(m.group(1))


@lru_cache(maxsize=256)
def _moved_tone(pair: str) -> str:
    first, second = pair[0], pair[1]
    decomposed = unicodedata.normalize("NFD", first)
    tone = "".join(c for c in decomposed if c in _TONES)
    bare = "".join(c for c in decomposed if c not in _TONES)
    return unicodedata.normalize("NFC", bare + second + tone)


# an open syllable: the vowel pair is not followed by another letter
_TONE_RE = re.compile(r"([òóỏõọ][ae]|[ùúủũụ]y)(?![^\W\d_])")


def _unify_tones(text: str) -> str:
    return _TONE_RE.sub(_move_tone, text)


def clean(text: str, limit: int | None = MAX_CHARS) -> str:
    """Composed, case-folded text with control characters removed (no word rules), cut to `limit`
    characters (None: uncut, for our own texts)."""
    if not isinstance(text, str):
        return ""
    if limit is not None:
        text = text[: 4 * limit]  # so that control characters and emoji cannot hide the length
    text = _FORMAT_RE.sub("", text)
    text = _CONTROL_RE.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    if _LOOKALIKE_SCRIPTS.search(text):
        text = text.translate(_CONFUSABLES)
    text = _unify_tones(text)
    if limit is not None and len(text) > limit:
        cut = text[:limit]
        # do not keep half a word
        if text[limit].isalnum():
            cut = cut.rsplit(None, 1)[0] if " " in cut else cut
        text = cut
    return text


def words(text: str) -> list[str]:
    """Words of cleaned text: runs of letters or digits in any script."""
    return _WORD_RE.findall(text)


def fold_english(word: str) -> str:
    """'bills' -> 'bill', 'paying' -> 'pay', 'updated' -> 'updat': one form per English word.

    Only for words of ASCII letters; Vietnamese syllables typed without diacritics never end in
    -s, -ing or -ed, so they pass unchanged."""
    if len(word) <= 3 or word[-1] not in "sgde" or not word.isascii() or not word.isalpha():
        return word  # (only -s, -ing, -ed and a final -e change anything)
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # scann(ing) -> scan, logg(ed) -> log
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]  # update, updating, updated -> updat
    return word


@dataclass(frozen=True)
class Normalized:
    """Two views of the same words: with diacritics (`text`) and without (`plain`)."""

    text: str
    plain: str

    @property
    def tokens(self) -> list[str]:
        return self.text.split()

    @property
    def plain_tokens(self) -> list[str]:
        return self.plain.split()

    def __bool__(self) -> bool:
        return bool(self.text)


def _typed_plain(key: tuple[str, ...]) -> tuple[str, ...] | None:
    """The form of a key that matches words typed without diacritics, or None.

    A key written without diacritics is that form. A key of several words written with diacritics
    ("tài khoản") also matches them typed without ("tai khoan"): de-accented Vietnamese is ambiguous
    word by word ("ma" is "mà" or "mã"), hardly ever phrase by phrase. A one-word key with
    diacritics matches only itself; list the plain spelling too where it is safe.
    """
    plain = tuple(strip_diacritics(w) for w in key)
    return plain if plain == key or len(key) > 1 else None


class PhraseTable:
    """Word sequences replaced by other words (possibly none).

    Which typed words a key matches: see `_typed_plain`; with `ignore_accents` (brands) any
    accents match.
    """

    def __init__(
        self,
        entries: dict[str, str],
        ignore_accents: bool = False,
        fold: Callable[[str], str] = str,
        join: bool = False,
    ):
        """`join`: instead of replacing a key, keep its words as one ("như thế nào" stays one unit)."""
        self.ignore_accents = ignore_accents
        self.join = join
        self._exact: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._plain: dict[tuple[str, ...], tuple[str, ...]] = {}
        for key, value in entries.items():
            k = tuple(fold(w) for w in words(clean(key)))
            v = tuple(words(clean(value)))
            if not k:
                continue
            pk = tuple(strip_diacritics(w) for w in k) if ignore_accents else _typed_plain(k)
            self._exact[k] = v
            if pk is not None:
                self._plain.setdefault(pk, v)
        # first word of a key -> the lengths of the keys it starts, longest first
        lengths: dict[str, set[int]] = {}
        for k in (*self._exact, *self._plain):
            lengths.setdefault(k[0], set()).add(len(k))
        self._lengths = {w: sorted(ls, reverse=True) for w, ls in lengths.items()}
        self._starts = set(self._lengths)
        # what a key can begin with beyond its first word: a word that starts only keys of several
        # words is worth a look only where the next word can be their second
        keys = (*self._exact, *self._plain)
        self._alone = {k[0] for k in keys if len(k) == 1}
        self._seconds = {k[1] for k in keys if len(k) > 1}

    def apply(self, toks: list[str], plain: list[str]) -> tuple[list[str], list[str]]:
        starts = self._starts
        # most words start no key: look only where one might
        if starts.isdisjoint(toks) and starts.isdisjoint(plain):
            return toks, plain
        # where a key might start, found in C (map/compress) rather than word by word in Python
        positions = range(min(len(toks), len(plain)))
        hits = sorted(
            {
                *compress(positions, map(starts.__contains__, toks)),
                *compress(positions, map(starts.__contains__, plain)),
            }
        )
        if not hits:
            return toks, plain
        lengths, alone, seconds = self._lengths, self._alone, self._seconds
        last = min(len(toks), len(plain)) - 1
        out: list[str] = []
        out_plain: list[str] = []
        done = 0
        for i in hits:
            if i < done:
                continue
            if (
                i < last
                and toks[i + 1] not in seconds
                and plain[i + 1] not in seconds
                and toks[i] not in alone
                and plain[i] not in alone
            ):
                continue  # only keys of several words start here, and the next word is none of their second
            mine, theirs = lengths.get(toks[i]), lengths.get(plain[i])
            if mine is None or theirs is None or mine is theirs:  # (each list is sorted already)
                sizes = mine or theirs or ()
            else:
                sizes = sorted(set(mine) | set(theirs), reverse=True)
            for size in sizes:
                if i + size > len(toks):
                    continue
                window = tuple(toks[i : i + size])
                pwindow = tuple(plain[i : i + size])
                hit = self._exact.get(window)
                if hit is None and (self.ignore_accents or window == pwindow):
                    hit = self._plain.get(pwindow)
                if hit is not None:
                    out.extend(toks[done:i])
                    out_plain.extend(plain[done:i])
                    if self.join:
                        out.append(" ".join(window))
                        out_plain.append(" ".join(pwindow))
                    else:
                        out.extend(hit)
                        out_plain.extend(strip_diacritics(w) for w in hit)
                    done = i + size
                    break
        out.extend(toks[done:])
        out_plain.extend(plain[done:])
        return out, out_plain


def _read(directory: Path, name: str) -> dict[str, Any]:
    # libyaml's loader when PyYAML has it (the same data, several times faster than the pure-Python one)
    data = yaml.load((directory / name).read_text(encoding="utf-8"), Loader=_YamlLoader) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{directory / name}: expected a mapping")
    return data


@dataclass(frozen=True)
class WordList:
    """Words and phrases, matched with the same accent rule as PhraseTable ("my" is not "mỹ")."""

    exact: frozenset[str]
    plain: frozenset[str]

    @classmethod
    def of(cls, items: Iterable[object]) -> WordList:
        phrases = {tuple(fold_english(w) for w in words(clean(str(x)))) for x in items}
        phrases.discard(())
        plain = {_typed_plain(p) for p in phrases}
        return cls(frozenset(" ".join(p) for p in phrases), frozenset(" ".join(p) for p in plain if p))

    def has(self, accented: str, plain: str) -> bool:
        return accented in self.exact or (accented == plain and plain in self.plain)


@dataclass(frozen=True)
class Lexicon:
    """The word lists of `lexicon/*.yaml`, ready to apply."""

    brands: PhraseTable
    abbreviations: PhraseTable
    fillers: PhraseTable
    english: PhraseTable  # English words -> the Vietnamese ones guides use; keys folded by fold_english
    stopwords: WordList  # carry no topic
    generic: WordList  # shared by many guides
    # names of products and services (the brands' canonical names, then `products`), as written
    products: tuple[str, ...] = ()
    # words that move a conversation on ("tiếp", "next"): a message of nothing else is no question
    commands: WordList = WordList(frozenset(), frozenset())
    # English words that say a question is in English (stopwords, generic words, the glossary's)
    english_words: frozenset[str] = frozenset()
    # English stopwords that are also Vietnamese typed without diacritics ("the" = thẻ, "can" = căn):
    # dropped only in a question that is in English
    also_vietnamese: frozenset[str] = frozenset()

    @classmethod
    def load(cls, directory: Path = LEXICON_DIR) -> Lexicon:
        brands_file = _read(directory, "brands.yaml")
        brands_raw = brands_file.get("brands") or {}
        products = tuple(dict.fromkeys([*map(str, brands_raw), *map(str, brands_file.get("products") or [])]))
        brand_map = {variant: canon for canon, variants in brands_raw.items() for variant in [canon, *variants]}
        abbreviations = _read(directory, "abbreviations.yaml").get("abbreviations") or {}
        fillers = _read(directory, "fillers.yaml").get("fillers") or []
        english = _read(directory, "english.yaml").get("english") or {}
        generic_file = _read(directory, "generic.yaml")
        stop = generic_file.get("stopwords") or {}
        generic = generic_file.get("generic") or {}
        return cls(
            brands=PhraseTable({str(k): str(v) for k, v in brand_map.items()}, ignore_accents=True),
            abbreviations=PhraseTable({str(k): str(v) for k, v in abbreviations.items()}),
            fillers=PhraseTable({str(f): "" for f in fillers}),
            english=PhraseTable({str(k): str(v) for k, v in english.items()}, fold=fold_english),
            stopwords=WordList.of(w for ws in stop.values() for w in ws),
            generic=WordList.of(w for ws in generic.values() for w in ws),
            products=products,
            commands=WordList.of(generic_file.get("commands") or []),
            english_words=frozenset(
                fold_english(w)
                for w in (*map(str, stop.get("en") or []), *map(str, generic.get("en") or []), *map(str, english))
                if " " not in w
            ),
            also_vietnamese=frozenset(map(str, generic_file.get("also_vietnamese") or [])),
        )


class Normalizer:
    """Applies a Lexicon to text. Pure: the same text always gives the same result (so it is cached)."""

    def __init__(self, lexicon: Lexicon, cache_size: int = 4096):
        self.lexicon = lexicon
        self._cached = lru_cache(maxsize=cache_size)(self._normalize)

    def __call__(self, text: str, limit: int | None = MAX_CHARS) -> Normalized:
        """`limit`: characters looked at; None for guide texts, which we wrote ourselves."""
        return self._cached(text if isinstance(text, str) else "", limit)

    def _normalize(self, text: str, limit: int | None) -> Normalized:
        toks, plain = self.words_of(text, limit)
        return Normalized(" ".join(toks), " ".join(plain))

    def words_of(self, text: str, limit: int | None = MAX_CHARS) -> tuple[list[str], list[str]]:
        """The words of both views, not cached (for a long text read once: the index's guide texts)."""
        toks = words(clean(text if isinstance(text, str) else "", limit))
        plain = strip_diacritics(" ".join(toks)).split(" ") if toks else []
        lex = self.lexicon
        for table in (lex.brands, lex.abbreviations, lex.fillers):
            toks, plain = table.apply(toks, plain)
        return toks, plain


@cache
def default_normalizer() -> Normalizer:
    """The normaliser over the packaged lexicon, loaded once per process."""
    return Normalizer(Lexicon.load())


def normalize(text: str) -> Normalized:
    return default_normalizer()(text)
