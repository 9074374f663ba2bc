"""`bot match`: match questions read from stdin, one per line, with the bot's own matcher and content."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from bot.domain.content import load_valid_content
from bot.domain.matching import Matcher, MatchResult


def _human(result: MatchResult) -> str:
    alts = ", ".join(f"{c.guide_id} {c.score:.0f}" for c in result.alternatives)
    return f"{result.outcome.value:9} {result.topic or '-':15} {result.score:5.1f}  {result.query}" + (f"  (or: {alts})" if alts else "")


def run_match(content_dir: Path, json_out: bool, stdin: TextIO, stdout: TextIO) -> int:
    """One answer per input line, in order; JSON lines follow shared/topics.md."""
    matcher = Matcher.build(load_valid_content(content_dir).guides.values())
    for line in stdin:
        result = matcher.match(line.rstrip("\r\n"))
        stdout.write((json.dumps(result.to_json(), ensure_ascii=False) if json_out else _human(result)) + "\n")
    stdout.flush()
    return 0
