"""How the bot and a resident address each other in Vietnamese ("xưng hô").

A resident picks how the bot calls them (Bác, Anh, Chị, Cô, Chú, Em); the bot's word for itself
follows one simple, respectful rule: "cháu" to the generation of one's parents and grandparents
(Bác, Cô, Chú), "em" to Anh and Chị, and the neutral "mình" to someone the bot calls Em.

Resident texts in the locales say `{ban}` / `{Ban}` for the resident and `{toi}` / `{Toi}` for the bot
(capitalised forms at the start of a sentence). `Texts` fills them from the language it is given:
a `Lang` carries the resident's choice, a plain "vi" means the default, Bác. Guide content in
content/guides keeps the plain words "Bác" and "cháu"; `address` rewrites them the same way.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Voice(StrEnum):
    BAC = "bac"
    ANH = "anh"
    CHI = "chi"
    CO = "co"
    CHU = "chu"
    EM = "em"


DEFAULT = Voice.BAC
# (what the bot calls the resident, what the bot calls itself), lower case
WORDS: dict[Voice, tuple[str, str]] = {
    Voice.BAC: ("bác", "cháu"),
    Voice.ANH: ("anh", "em"),
    Voice.CHI: ("chị", "em"),
    Voice.CO: ("cô", "cháu"),
    Voice.CHU: ("chú", "cháu"),
    Voice.EM: ("em", "mình"),
}


class Lang(str):
    """A language code ("vi", "en") that also carries the resident's form of address.
    It is equal to, and hashes like, the plain code, so every `content.get(lang)` keeps working."""

    voice: Voice

    def __new__(cls, code: str, voice: Voice | str | None = None) -> Lang:
        self = super().__new__(cls, code)
        self.voice = parse(voice)
        return self


def parse(value: object) -> Voice:
    """A stored or typed value -> a Voice; anything unknown is the default (Bác)."""
    try:
        return Voice(str(value))
    except ValueError:
        return DEFAULT


def voice_of(lang: str | None) -> Voice:
    return lang.voice if isinstance(lang, Lang) else DEFAULT


def words(lang: str | None) -> tuple[str, str]:
    return WORDS[voice_of(lang)]


def fill(text: str, lang: str | None) -> str:
    """Fills `{ban}` `{Ban}` `{toi}` `{Toi}` in a locale text."""
    if "{" not in text:
        return text
    ban, toi = words(lang)
    return (
        text.replace("{ban}", ban)
        .replace("{Ban}", ban.capitalize())
        .replace("{toi}", toi)
        .replace("{Toi}", toi.capitalize())
    )


# "Bác" and "cháu" as forms of address, not "bác sĩ" (doctor), "bác bỏ" (reject), "con cháu"
# (descendants) or "cháu nội / ngoại" (grandchild).
_BAC = re.compile(r"(?<![\w])([Bb])ác(?![\w])(?! sĩ)(?! bỏ)")
_CHAU = re.compile(r"(?<!con )(?<!Con )(?<![\w])([Cc])háu(?![\w])(?! nội)(?! ngoại)")
_SENTENCE_START = re.compile(r"(^|[.!?:\n•…]\s*|[\"“(]\s*)$")


def _swap(word: str, text: str, m: re.Match[str]) -> str:
    before = text[: m.start()]
    if _SENTENCE_START.search(before) or m.group(1).isupper():
        return word.capitalize()
    return word


def address(text: str, lang: str | None) -> str:
    """Guide content written for Bác, rewritten for this resident's form of address.
    A capital stays a capital (the guides capitalise "Bác" at the start of a sentence)."""
    voice = voice_of(lang)
    if voice is DEFAULT or not text:
        return text
    ban, toi = WORDS[voice]
    text = _BAC.sub(lambda m: _swap(ban, m.string, m), text)
    return _CHAU.sub(lambda m: _swap(toi, m.string, m), text)
