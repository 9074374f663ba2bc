"""The YAML skeleton of a new guide, made from a group of residents' unanswered questions.

It has the shape of `content/guides/*.yaml` (`bot.core.content.Guide`), with the residents'
questions as `examples.vi` and the draft's title as `title.vi`. Everything else is a `TODO` for an
editor: nothing here is a fact. The placeholders are chosen so that `bot content check` refuses the
file (an unknown id and category, a source that is not a URL, no dates) until every one is filled.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

TITLE_MAX = 80
_YAML_PRINTABLE = re.compile("[\x09\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


def clean_title(text: str) -> str:
    """One line, single spaces."""
    return " ".join(text.split())


def quoted(text: str) -> str:
    """A YAML double-quoted scalar that reads back as `text` exactly (any character, no line break)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif _YAML_PRINTABLE.fullmatch(ch):
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def skeleton(draft_id: int, title: str, questions: Sequence[str], started: dt.date, categories: Sequence[str]) -> str:
    """The draft as a guide file an editor completes. `categories`: the ids an editor may choose from."""
    cats = ", ".join(categories) or "TODO"
    lines = [
        "# BẢN NHÁP HƯỚNG DẪN: chưa dùng được, chưa có thông tin nào ở đây được kiểm chứng.",
        "# DRAFT GUIDE: not usable yet; nothing in it has been checked.",
        "#",
        f"# Bản nháp #{draft_id}, tạo ngày {started.isoformat()} từ trang “Câu hỏi chưa trả lời” của bảng điều khiển.",
        "# examples.vi là câu người dân đã hỏi mà bot chưa trả lời được (đã bỏ số dài).",
        "# Biên tập viên: thay mọi chỗ TODO bằng nội dung lấy từ nguồn chính thức (không đoán), bỏ câu hỏi",
        "# mẫu không hợp, lưu thành content/guides/<id>.yaml (id a/b: a__b.yaml) rồi chạy: bot content check",
        "# `bot content check` báo lỗi cho tới khi mọi chỗ TODO được điền đúng.",
        "#",
        f"# Draft #{draft_id}, started {started.isoformat()} from the console's “Unanswered questions” page.",
        "# examples.vi are questions residents asked that the bot could not answer (long numbers removed).",
        "# Editor: replace every TODO with content from an official source (no guessing), drop example questions",
        "# that do not fit, save as content/guides/<id>.yaml (id a/b: a__b.yaml) and run: bot content check",
        "# `bot content check` reports errors until every TODO is filled in correctly.",
        "",
        'id: "TODO-id"  # chữ thường nối bằng gạch ngang / lowercase words joined by "-", e.g. vneid-activate',
        f'category: "TODO"  # một trong / one of: {cats}',
        "title:",
        f"  vi: {quoted(title)}",
        '  en: "TODO"',
        "summary:",
        '  vi: "TODO: một hai câu: hướng dẫn này giúp làm gì"',
        '  en: "TODO: one or two sentences: what this guide helps with"',
        'keywords: ["TODO"]',
        "examples:",
        "  vi:",
        *(f"    - {quoted(q)}" for q in questions),
        "  en: []  # TODO: a few questions in English",
        "steps:  # TODO: each step one action, from the official source",
        "  - text:",
        '      vi: "TODO: bước 1"',
        '      en: "TODO: step 1"',
        "  - text:",
        '      vi: "TODO: bước 2"',
        '      en: "TODO: step 2"',
        "related: []  # TODO: ids of related guides, if any",
        "sources:  # TODO: the official pages the steps come from, and the day someone checked each",
        '  - url: "TODO: https://…"',
        '    checked: "TODO: YYYY-MM-DD"',
        'reviewed: "TODO: YYYY-MM-DD"',
    ]
    return "\n".join(lines) + "\n"
