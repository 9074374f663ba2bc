"""Diacritics restoration learned from our own guides: a second reading for unaccented questions."""

from __future__ import annotations

import pytest

from bot.core.accents import Restorer, has_diacritics
from bot.core.content import load_valid_content
from bot.core.matching import Matcher
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.build(load_valid_content(PROJECT_ROOT / "content").guides.values())


def restorer() -> Restorer:
    return Restorer.learn(
        [
            "Đăng ký tạm trú qua VNeID",
            "Quên mật khẩu VNeID thì làm sao",
            "Quét mã QR để chuyển tiền",
            "Mã QR của cửa hàng",
            "Đăng ký tạm trú cho người thuê nhà",
        ]
    )


def test_word_pairs_bring_back_the_accents_residents_leave_out() -> None:
    assert restorer().restore("dang ky tam tru") == "đăng ký tạm trú"
    assert restorer().restore("quet ma qr") == "quét mã qr"


def test_the_words_around_decide_between_spellings() -> None:
    r = Restorer.learn(["Mã QR của cửa hàng", "Quét mã QR", "bấm vào đây mà xem", "mà không được"])
    assert r.restore("quet ma qr") == "quét mã qr"
    assert r.restore("ma khong duoc") == "mà không được"


def test_a_question_typed_with_any_diacritic_is_left_as_typed() -> None:
    assert restorer().restore("đăng ky tam tru") == "đăng ky tam tru"
    assert has_diacritics("mã") and not has_diacritics("ma")


def test_unknown_words_stay_as_typed() -> None:
    assert restorer().restore("gia vang hom nay") == "gia vang hom nay"


def test_an_unaccented_question_is_answered_like_the_accented_one(matcher: Matcher) -> None:
    accented = matcher.match("quên mật khẩu vneid thì lấy lại thế nào")
    plain = matcher.match("quen mat khau vneid thi lay lai the nao")
    assert accented.topic == plain.topic == "vneid-recover"
