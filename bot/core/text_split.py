"""Cutting a long text into messages a chat app accepts (Telegram: 4,096 characters, Zalo: 2,000).

One function for every channel: at paragraph breaks, else line breaks, else sentence ends, else spaces,
else anywhere; the parts of a split end with "(1/2)", "(2/2)" so a reader knows more is coming.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A message this long is one a resident may fear was cut: she is told it went to staff whole.
LONG_TEXT = 2000

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def _split_on(sep: str) -> Callable[[str], tuple[list[str], str]]:
    return lambda text: (text.split(sep), sep)


def _sentences(text: str) -> tuple[list[str], str]:
    return _SENTENCE_END.split(text), " "


# each returns the pieces and what joins two of them back
_SPLITTERS: tuple[Callable[[str], tuple[list[str], str]], ...] = (
    _split_on("\n\n"),
    _split_on("\n"),
    _sentences,
    _split_on(" "),
)


def _chunks(text: str, budget: int, splitters: tuple[Callable[[str], tuple[list[str], str]], ...]) -> list[str]:
    if len(text) <= budget:
        return [text]
    if not splitters:
        return [text[i : i + budget] for i in range(0, len(text), budget)]
    pieces, sep = splitters[0](text)
    out: list[str] = []
    cur: str | None = None
    for piece in pieces:
        if len(piece) > budget:
            if cur is not None:
                out.append(cur)
            sub = _chunks(piece, budget, splitters[1:])
            out.extend(sub[:-1])
            cur = sub[-1]
            continue
        joined = piece if cur is None else cur + sep + piece
        if len(joined) <= budget:
            cur = joined
        else:
            if cur is not None:
                out.append(cur)
            cur = piece
    if cur is not None:
        out.append(cur)
    return out


def split_text(text: str, limit: int) -> list[str]:
    """`text` in parts of at most `limit` characters (marker included); [] for blank text."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    n = 2
    while True:
        marker_len = len(f"\n({n}/{n})")
        parts = [p.strip() for p in _chunks(text, limit - marker_len, _SPLITTERS)]
        parts = [p for p in parts if p]
        if len(str(len(parts))) <= len(str(n)):
            break
        n = len(parts)
    total = len(parts)
    return [f"{p}\n({i}/{total})" for i, p in enumerate(parts, 1)]
