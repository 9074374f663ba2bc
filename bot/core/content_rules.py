"""The content check's rules beyond the schema: short steps, vi and en saying the same facts, links only
to official sites, sources that say when they were checked. Each rule returns `Finding`s located by the
YAML path of the value (the loader turns the path into `file:line`).

Why these rules: residents (many elderly) read one step per message, so a step names one action
(at most two short sentences, a "⚠️" warning line apart); a phone number or web address that differs
between Vietnamese and English is a mistake in one of them; a link a resident taps must be https and on
the allow-list of official domains (content/allowed_domains.yaml); a source checked more than a year
ago is reported so somebody checks it again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.core.markup import plain

if TYPE_CHECKING:
    from bot.core.content import Guide

MAX_STEP_SENTENCES = 2  # the action part of a step; a "⚠️" line is counted apart, with the same limit
MAX_STEP_CHARS = 320  # a whole step text, warning included
SOURCE_MAX_AGE = dt.timedelta(days=365)


WARNING_MARK = "⚠️"
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)»]*\s+")
# "Xong!" / "Done!" open a last step; a one-word exclamation is not an instruction of its own.
_INTERJECTION = re.compile(r"^\w+!$")
# a web address written in a text, with or without its scheme
_ADDRESS = re.compile(
    r"(?<![\w@.-])(?P<scheme>https?://)?(?P<host>(?:[a-z0-9-]+\.)+(?:vn|com|net|org|gov|info|io|me))(?![\w-])",
    re.IGNORECASE,
)
# a phone number or other number worth comparing across languages: 3 digits or more; spaces, dots and
# commas inside are separators (500.000 đồng is 500,000 dong)
_NUMBER = re.compile(r"(?<![\w.,])\d[\d .,]{1,14}\d(?![\w])")


@dataclass(frozen=True)
class Finding:
    loc: tuple[Any, ...]  # YAML path of the value, e.g. ("steps", 2, "text", "vi")
    message: str
    warning: bool = False


def sentences(text: str) -> int:
    """Sentences in a text, each line at least one; a lone "Xong!" does not count. A "•" list (with the
    line ending in ":" that introduces it) counts as one: Android / iPhone alternatives, a list of hotlines."""
    n = 0
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    in_list = False
    for k, line in enumerate(lines):
        bullet = line.startswith("•")
        intro = line.endswith(":") and k + 1 < len(lines) and lines[k + 1].startswith("•")
        if bullet or intro:
            n += 0 if in_list else 1
            in_list = True
            continue
        in_list = False
        n += sum(1 for part in _split_sentences(line) if not _INTERJECTION.match(part))
    return n


def _split_sentences(line: str) -> list[str]:
    """A sentence ends at . ! ? or … followed by a space and a capital letter or a digit ("Money…) là" goes on)."""
    parts, start = [], 0
    for m in _SENTENCE_END.finditer(line):
        nxt = line[m.end() : m.end() + 1]
        if nxt.isupper() or nxt.isdigit() or nxt in '⚠•"“':
            parts.append(line[start : m.start()].strip())
            start = m.end()
    parts.append(line[start:].strip())
    return [p for p in parts if p]


def _split_warning(text: str) -> tuple[str, list[str]]:
    lines = text.split("\n")
    action = "\n".join(line for line in lines if not line.strip().startswith(WARNING_MARK))
    warnings = [line for line in lines if line.strip().startswith(WARNING_MARK)]
    return action, warnings


def step_length(text: str) -> str | None:
    """Why a step text is too long to be one action (or its bold markers are broken), or None."""
    if plain(text).count("**"):
        return "a ** without its pair: bold a label as **Label**"
    action, warnings = _split_warning(plain(text))
    if (n := sentences(action)) > MAX_STEP_SENTENCES:
        return f"{n} sentences; a step names one action in at most {MAX_STEP_SENTENCES} short sentences: split it"
    for w in warnings:
        if (n := sentences(w.strip().removeprefix(WARNING_MARK))) > MAX_STEP_SENTENCES:
            return f"its ⚠️ line has {n} sentences; keep a warning to {MAX_STEP_SENTENCES}"
    if len(text) > MAX_STEP_CHARS:
        return f"{len(text)} characters; a step is at most {MAX_STEP_CHARS}: split it"
    return None


def addresses(text: str) -> list[tuple[str, str]]:
    """(scheme, host) of every web address written in a text ("dichvucong.gov.vn", "https://…")."""
    return [((m.group("scheme") or "").lower(), m.group("host").lower().rstrip(".")) for m in _ADDRESS.finditer(text)]


def numbers(text: str) -> list[str]:
    """Numbers of 3 digits or more (phone numbers, short codes, years), digits only, sorted."""
    return sorted(
        re.sub(r"\D", "", m.group()) for m in _NUMBER.finditer(text) if len(re.sub(r"\D", "", m.group())) >= 3
    )


def allowed(host: str, domains: frozenset[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _texts(guide: Guide) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every step-like text of a guide with its YAML path: steps, their checks and branches (label, sub-steps)."""
    for i, step in enumerate(guide.steps):
        yield ("steps", i, "text"), step.text
        for b, branch in enumerate(step.branches):
            for j, sub in enumerate(branch.steps):
                yield ("steps", i, "branches", b, "steps", j, "text"), sub.text


def check_guide(guide: Guide, domains: frozenset[str], today: dt.date | None = None) -> list[Finding]:
    out: list[Finding] = []
    for loc, text in _texts(guide):
        for lang in ("vi", "en"):
            if (why := step_length(text.get(lang))) is not None:
                out.append(Finding((*loc, lang), f"{'.'.join(map(str, (*loc, lang)))}: {why}"))
            for scheme, host in addresses(text.get(lang)):
                if scheme == "http://":
                    out.append(
                        Finding((*loc, lang), f"{'.'.join(map(str, loc))}.{lang}: link http://{host} is not https")
                    )
                if not allowed(host, domains):
                    out.append(
                        Finding(
                            (*loc, lang),
                            f"{'.'.join(map(str, loc))}.{lang}: {host} is not an official domain "
                            "(content/allowed_domains.yaml)",
                        )
                    )
        vi_n, en_n = numbers(text.vi), numbers(text.en)
        if vi_n != en_n:
            out.append(
                Finding(
                    (*loc, "en"),
                    f"{'.'.join(map(str, loc))}: vi and en give different numbers "
                    f"(vi {', '.join(vi_n) or 'none'}; en {', '.join(en_n) or 'none'})",
                )
            )
        vi_a, en_a = sorted(h for _, h in addresses(text.vi)), sorted(h for _, h in addresses(text.en))
        if vi_a != en_a:
            out.append(
                Finding(
                    (*loc, "en"),
                    f"{'.'.join(map(str, loc))}: vi and en give different web addresses "
                    f"(vi {', '.join(vi_a) or 'none'}; en {', '.join(en_a) or 'none'})",
                )
            )
    links: list[tuple[tuple[Any, ...], str | None]] = [
        (("steps", i, "link"), s.link) for i, s in enumerate(guide.steps)
    ]
    links += [
        (("steps", i, "branches", b, "steps", j, "link"), sub.link)
        for i, s in enumerate(guide.steps)
        for b, br in enumerate(s.branches)
        for j, sub in enumerate(br.steps)
    ]
    for loc, link in links:
        if link is None:
            continue
        where = ".".join(map(str, loc))
        if not link.startswith("https://"):
            out.append(Finding(loc, f"{where}: link {link} is not https"))
        host = addresses(link)[0][1] if addresses(link) else link
        if not allowed(host, domains):
            out.append(Finding(loc, f"{where}: {host} is not an official domain (content/allowed_domains.yaml)"))
    if today is not None:
        for k, src in enumerate(guide.sources):
            if today - src.checked > SOURCE_MAX_AGE:
                out.append(
                    Finding(
                        ("sources", k),
                        f"source checked {src.checked.isoformat()}, more than 12 months ago: "
                        f"check it again ({src.url})",
                        warning=True,
                    )
                )
            elif src.published is not None and today - src.published > SOURCE_MAX_AGE:
                out.append(
                    Finding(
                        ("sources", k),
                        f"source published {src.published.isoformat()}, more than 12 months ago: "
                        f"the fact may have changed ({src.url})",
                        warning=True,
                    )
                )
    return out
