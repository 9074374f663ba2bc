"""The unanswered log: every declined or unsure question, so editors know which guide to write next.

`record` keeps the ward, the normalised question, the time, the outcome and the matcher's best guess.
The resident is kept only as a salted hash (HMAC-SHA256 with `settings.hash_salt`), enough to count
how many different people asked, not who. Numbers of four digits or more (phone, CCCD, OTP, card)
never help choose a guide and may identify someone, so they are dropped before storing.

`report` groups similar questions with rapidfuzz and lists the largest groups first. Questions are
compared by their content words (stopwords dropped, diacritics ignored), word by word: two
questions that differ by one letter ("giá vàng" / "giá xăng") are different questions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.app.ports import Transactions, UnitOfWork
from bot.app.ports.unanswered import UnansweredRecord
from bot.core.matching import MatchResult, Outcome
from bot.core.normalize import Normalizer, default_normalizer, strip_diacritics

SIMILAR_AT = 75  # rapidfuzz token_set_ratio over content words for two questions to be one group
MAX_ROWS = 5000  # newest questions a report looks at
MAX_EXAMPLES = 3
_LONG_NUMBER = re.compile(r"\d{4,}")


@dataclass(frozen=True)
class UnansweredGroup:
    text: str  # the most asked phrasing
    count: int  # questions in the group
    people: int  # different residents who asked
    declined: int  # of `count`, how many the bot declined (the rest it was unsure about)
    guess: str | None  # the guide the matcher leaned to most often, if any
    wards: tuple[str, ...]
    examples: tuple[str, ...]  # other phrasings, most asked first
    last_seen: dt.datetime
    phrasings: tuple[str, ...] = ()  # every phrasing in the group, the most asked first


def user_hash(salt: str, user_key: str) -> str:
    return hmac.new(salt.encode("utf-8"), user_key.encode("utf-8"), hashlib.sha256).hexdigest()


def scrub(text: str) -> str:
    """Drop long numbers; keep short ones ("tổ 5", "mức 2")."""
    return " ".join(_LONG_NUMBER.sub(" ", text).split())


class UnansweredLog:
    def __init__(self, uow: Transactions, salt: str, normalizer: Normalizer | None = None):
        if not salt:
            raise ValueError("a hash salt is needed to store residents as hashes")
        self.uow = uow
        self._salt = salt
        self._stopwords = (normalizer or default_normalizer()).lexicon.stopwords

    async def record(self, ward_id: str | None, user_key: str, result: MatchResult, now: dt.datetime) -> bool:
        """Store a declined or unsure question; confident answers and empty questions are not stored."""
        if not self._worth_storing(result):
            return False
        async with self.uow() as tx:
            return await self.add(tx, ward_id, user_key, result, now)

    async def add(
        self, tx: UnitOfWork, ward_id: str | None, user_key: str, result: MatchResult, now: dt.datetime
    ) -> bool:
        """`record` in the caller's transaction (the resident flow's, which also notes the usage event)."""
        if not self._worth_storing(result):
            return False
        await tx.unanswered.add(
            ward_id=ward_id,
            user_hash=user_hash(self._salt, user_key),
            text=scrub(result.normalized)[:300],
            outcome=result.outcome.value,
            topic=result.topic,
            score=round(result.score, 1),
            created_at=now,
        )
        return True

    @staticmethod
    def _worth_storing(result: MatchResult) -> bool:
        return result.outcome is not Outcome.CONFIDENT and bool(scrub(result.normalized)[:300])

    async def report(
        self,
        limit: int = 20,
        since: dt.datetime | None = None,
        wards: Collection[str] | None = None,
        skip_decided: bool = False,
    ) -> list[UnansweredGroup]:
        """The `limit` largest groups of similar questions (then the most people, the most recent),
        from `wards` only (None: all); with `skip_decided`, without the phrasings the console has
        assigned or marked out of scope for the question's ward or for every ward."""
        async with self.uow() as tx:
            rows = await tx.unanswered.recent(MAX_ROWS, since, wards)
            decided = await tx.unanswered.decided(wards) if skip_decided else set()
        by_text: dict[str, list[UnansweredRecord]] = {}
        for row in rows:
            if (None, row.text) in decided or (row.ward_id, row.text) in decided:
                continue
            by_text.setdefault(row.text, []).append(row)
        # the most asked phrasings found the groups (written with diacritics first: easier to read);
        # the rest join the closest one
        texts = sorted(by_text, key=lambda t: (-len(by_text[t]), strip_diacritics(t) == t, t))
        codes: dict[str, str] = {}
        keys: list[str] = []  # the coded content words of groups founded by a question of two or more
        keyed: list[int] = []  # their groups
        exact: dict[str, int] = {}  # groups of questions of one content word (or none): by that word
        members: list[list[str]] = []
        for text in texts:
            key, n_words = self._key(text, codes)
            if n_words > 1:  # one word alone would be "similar" to every question containing it
                hit = process.extractOne(
                    key, keys, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=SIMILAR_AT
                )
                group = keyed[hit[2]] if hit else None
            else:
                group = exact.get(key)
            if group is None:
                group = len(members)
                members.append([])
                if n_words > 1:
                    keys.append(key)
                    keyed.append(group)
                else:
                    exact[key] = group
            members[group].append(text)
        groups = [self._group(phrasings, by_text) for phrasings in members]
        groups.sort(key=lambda g: (-g.count, -g.people, -g.last_seen.timestamp(), g.text))
        return groups[:limit]

    def _key(self, text: str, codes: dict[str, str]) -> tuple[str, int]:
        """The question's content words, each coded as one character so rapidfuzz compares words,
        and how many there are (none: the text itself is the key)."""
        words = []
        for w in text.split():
            plain = strip_diacritics(w)
            if not self._stopwords.has(w, plain):
                words.append(codes.setdefault(plain, chr(0xF0000 + len(codes) % 0xFFFE)))  # private use
        distinct = sorted(set(words))
        return (" ".join(distinct), len(distinct)) if distinct else (text, 0)

    @staticmethod
    def _group(phrasings: list[str], by_text: dict[str, list[UnansweredRecord]]) -> UnansweredGroup:
        rows = [r for t in phrasings for r in by_text[t]]
        guesses = Counter(r.topic for r in rows if r.topic)
        return UnansweredGroup(
            text=phrasings[0],
            count=len(rows),
            people=len({r.user_hash for r in rows}),
            declined=sum(r.outcome == Outcome.NONE.value for r in rows),
            guess=guesses.most_common(1)[0][0] if guesses else None,
            wards=tuple(sorted({r.ward_id for r in rows if r.ward_id})),
            examples=tuple(phrasings[1 : 1 + MAX_EXAMPLES]),
            last_seen=max(r.created_at for r in rows),
            phrasings=tuple(phrasings),
        )
