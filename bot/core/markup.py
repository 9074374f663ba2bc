"""The one piece of markup content may use: **bold** around a button or menu label, exactly as the app
shows it (and only when a source shows that label). Channels that can bold it (Telegram, as message
entities) do; the others show the plain text.
"""

from __future__ import annotations

import re

BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def plain(text: str) -> str:
    """The text without bold markers."""
    return BOLD.sub(r"\1", text)


def bold_spans(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The plain text and its bold parts as (offset, length) in UTF-16 code units (Telegram's measure)."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0  # UTF-16 units written so far
    last = 0
    for m in BOLD.finditer(text):
        before = text[last : m.start()]
        out.append(before)
        pos += _utf16_len(before)
        inner = m.group(1)
        spans.append((pos, _utf16_len(inner)))
        out.append(inner)
        pos += _utf16_len(inner)
        last = m.end()
    out.append(text[last:])
    return "".join(out), spans


def _utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2
