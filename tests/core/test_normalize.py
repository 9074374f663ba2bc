"""Normalisation: what residents type becomes the words guides use."""

from __future__ import annotations

import pytest

from bot.core.normalize import MAX_CHARS, Lexicon, Normalizer, clean, fold_english, normalize, strip_diacritics


def test_diacritics_removed_for_the_plain_view_including_d_with_stroke():
    n = normalize("Đăng nhập Dịch Vụ Công")
    assert n.text == "đăng nhập dịch vụ công"
    assert n.plain == "dang nhap dich vu cong"
    assert strip_diacritics("ĐỒNG Ý") == "DONG Y"


def test_decomposed_input_is_composed_first():
    decomposed = "qu\u0065\u0301t ma\u0303"  # "quét mã" typed with combining marks
    assert normalize(decomposed).text == "quét mã"


def test_old_and_new_tone_placement_are_the_same_word():
    assert normalize("hòa thủy khỏe").text == normalize("hoà thuỷ khoẻ").text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("cai ihanoi ntn", "cai ihanoi như thế nào"),
        ("k vào đc", "không vào được"),
        ("ko dc", "không được"),
        ("hok bít", "không biết"),
        ("quen mk", "quen mật khẩu"),
        ("sdt cua phuong", "số điện thoại cua phuong"),
        ("đăng kí tk", "đăng ký tài khoản"),
    ],
)
def test_chat_abbreviations_and_teencode_are_expanded(typed, expected):
    assert normalize(typed).text == expected


@pytest.mark.parametrize("typed", ["i hà nội", "I-Hanoi", "i ha noi", "iHanoi", "i.hanoi"])
def test_brand_spellings_fold_to_one_word(typed):
    assert normalize(typed).text == "ihanoi"


def test_other_brands_fold_too():
    assert normalize("VN eID").text == "vneid"
    assert normalize("za lo").text == "zalo"
    assert normalize("vss id").text == "vssid"


def test_polite_fillers_carry_no_meaning():
    assert normalize("bác ơi cháu hỏi cái này với ạ, quét mã nhé").text == "hỏi quét mã"


def test_unaccented_words_that_mean_something_are_not_fillers():
    # "ma" is "mã" typed without diacritics, "ho so" is "hồ sơ", "the" is "thẻ"
    assert normalize("quet ma qr").plain == "quet ma qr"
    assert normalize("ho so the atm").plain == "ho so the atm"


def test_look_alike_letters_and_invisible_characters():
    assert normalize("ihаnoi").text == "ihanoi"  # Cyrillic "а"
    assert normalize("i\u200bha\u200dnoi").text == "ihanoi"  # zero-width space and joiner
    assert normalize("ｉｈａｎｏｉ").text == "ihanoi"  # full-width letters


@pytest.mark.parametrize("junk", ["", "   ", "😀😀😀", "!!!???...", "\x00\x01\x1b\x7f", "\u202e\u200f", "\n\t\r"])
def test_emoji_punctuation_and_control_characters_leave_nothing(junk):
    n = normalize(junk)
    assert n.text == "" and n.plain == "" and not n


def test_mixed_scripts_keep_their_words():
    n = normalize("ihanoi 你好 привет")
    assert n.tokens[0] == "ihanoi"
    assert len(n.tokens) == 3


def test_long_input_is_cut():
    long = "cài ihanoi thế nào " * 400  # about 7,600 characters
    n = normalize(long)
    assert len(n.text) <= MAX_CHARS
    assert len(clean("x" * 5000)) == MAX_CHARS
    # a word is not cut in half
    assert all(w in {"cài", "ihanoi", "như", "thế", "nào"} for w in n.tokens)


def test_non_text_input_is_treated_as_empty():
    assert not normalize(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("word", "folded"),
    [
        ("bills", "bill"),
        ("paying", "pay"),
        ("scanning", "scan"),
        ("updated", "updat"),
        ("update", "updat"),
        ("address", "address"),
        ("status", "status"),
        ("khoan", "khoan"),
        ("nghe", "nghe"),
        ("đăng", "đăng"),
    ],
)
def test_english_inflections_fold_but_vietnamese_words_do_not(word, folded):
    assert fold_english(word) == folded


def test_tables_are_data_files(tmp_path):
    for name, body in {
        "brands.yaml": "brands: {acme: [a c m e]}",
        "abbreviations.yaml": "abbreviations: {plz: please}",
        "fillers.yaml": "fillers: [uhm]",
        "english.yaml": "english: {}",
        "generic.yaml": "stopwords: {en: [the]}\ngeneric: {en: [app]}",
    }.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    n = Normalizer(Lexicon.load(tmp_path))
    assert n("uhm A-C-M-E plz").text == "acme please"
