"""Splitting long text into messages (Zalo: 2,000 characters, Telegram: 4,096): paragraphs, then lines,
then sentences, then words; one function for both channels."""

from __future__ import annotations

import functools

from bot.core import text_split

MAX_TEXT = 2000  # Zalo's limit; Telegram's below
split_text = functools.partial(text_split.split_text, limit=MAX_TEXT)


def _body(part: str) -> str:
    return part.rsplit("\n", 1)[0]


def test_short_text_is_one_part_without_marker() -> None:
    assert split_text("Xin chào") == ["Xin chào"]
    assert split_text("x" * MAX_TEXT) == ["x" * MAX_TEXT]
    assert split_text("   ") == []


def test_two_paragraphs_become_two_marked_parts() -> None:
    a, b = "A" * 1500, "B" * 1500
    parts = split_text(f"{a}\n\n{b}")
    assert parts == [f"{a}\n(1/2)", f"{b}\n(2/2)"]


def test_small_paragraphs_are_packed_together() -> None:
    paras = [f"Đoạn {i} " + "y" * 480 for i in range(8)]  # 8 × ~488 characters
    parts = split_text("\n\n".join(paras))
    assert all(len(p) <= MAX_TEXT for p in parts)
    assert len(parts) == 2  # 4 + 4 paragraphs, not 8 messages
    assert _body(parts[0]).count("\n\n") == 3


def test_a_huge_paragraph_is_cut_at_lines_then_words() -> None:
    lines = "\n".join(f"dòng {i} " + "z" * 90 for i in range(40))  # one paragraph, ~4,000 characters
    parts = split_text(lines)
    assert all(len(p) <= MAX_TEXT for p in parts)
    for p in parts:
        assert _body(p).startswith("dòng ")  # cut between lines, never inside one
    words = " ".join(["chữ"] * 1500)  # no line breaks at all
    parts = split_text(words)
    assert all(len(p) <= MAX_TEXT for p in parts)
    assert all(not _body(p).endswith(("ch", "c")) for p in parts)  # never inside a word
    assert " ".join(_body(p) for p in parts) == words


def test_a_word_longer_than_a_message_is_cut_anyway() -> None:
    parts = split_text("u" * 5000)
    assert len(parts) == 3
    assert all(len(p) <= MAX_TEXT for p in parts)
    assert "".join(_body(p) for p in parts) == "u" * 5000


def test_markers_count_all_parts_even_past_nine() -> None:
    parts = split_text("\n\n".join("p" * 1900 for _ in range(12)))
    assert len(parts) == 12
    assert parts[0].endswith("(1/12)") and parts[-1].endswith("(12/12)")
    assert all(len(p) <= MAX_TEXT for p in parts)


def test_a_paragraph_without_line_breaks_is_cut_between_sentences() -> None:
    sentences = [f"Câu số {i} nói về thủ tục ở phường." for i in range(200)]  # ~7,000 characters, one line
    parts = text_split.split_text(" ".join(sentences), 4096)
    assert [p[-6:] for p in parts] == ["\n(1/2)", "\n(2/2)"]
    assert all(len(p) <= 4096 for p in parts)
    assert all(_body(p).endswith("phường.") for p in parts)  # never in the middle of a sentence
    assert " ".join(_body(p) for p in parts) == " ".join(sentences)


def test_the_zalo_client_uses_the_same_function() -> None:
    from bot.adapters.zalo import client

    assert client.split_text is text_split.split_text
