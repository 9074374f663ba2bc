"""`bot match`: match questions read from stdin, one per line, with the bot's own matcher and content."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TextIO

from bot.core.content import load_valid_content
from bot.core.matching import Matcher, MatchResult


def _human(result: MatchResult) -> str:
    alts = ", ".join(f"{c.guide_id} {c.score:.0f}" for c in result.alternatives)
    line = f"{result.outcome.value:9} {result.topic or '-':15} {result.score:5.1f}  {result.query}"
    return line + (f"  (or: {alts})" if alts else "")


def _utf8(stream: TextIO, write: bool) -> TextIO:
    """The same byte stream as UTF-8 whatever the locale, lines split on "\\n" only (a stray "\\r" in a
    question must not make two answers), undecodable bytes replaced rather than fatal."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # already text (a StringIO in tests)
        return stream
    if write:
        stream.flush()
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace", newline="\n", write_through=write)


def run_match(content_dir: Path, json_out: bool, stdin: TextIO, stdout: TextIO) -> int:
    """One answer per input line, in order; JSON lines follow shared/topics.md."""
    matcher = Matcher.build(load_valid_content(content_dir).guides.values())
    inp, out = _utf8(stdin, write=False), _utf8(stdout, write=True)
    try:
        for line in inp:
            result = matcher.match(line.rstrip("\r\n"))
            out.write((json.dumps(result.to_json(), ensure_ascii=False) if json_out else _human(result)) + "\n")
        out.flush()
    finally:
        for wrapper, original in ((inp, stdin), (out, stdout)):
            if wrapper is not original and isinstance(wrapper, io.TextIOWrapper):
                wrapper.detach()  # leave the process's own streams open
    return 0
