"""Secrets typed by residents are masked before staff see them."""

from __future__ import annotations

import pytest

from bot.core.privacy import Secret, mask


@pytest.mark.parametrize(
    "text,kind",
    [
        ("số CCCD của bác là 001234567890", Secret.CCCD),
        ("cccd 001 234 567 890 nhé", Secret.CCCD),
        ("CMND cũ 012345678", Secret.CMND),
        ("thẻ 9704 1234 5678 9012", Secret.CARD),
        ("the 9704-1234-5678-9012-345", Secret.CARD),
        ("mã OTP là 123456", Secret.OTP),
        ("ngân hàng gửi ma xac nhan cua bac 4821", Secret.OTP),
        ("code: 98765", Secret.OTP),
    ],
)
def test_secrets_are_masked(text, kind):
    m = mask(text)
    assert kind in m.found
    digits = [c for c in m.text if c.isdigit()]
    assert len(digits) < 4, m.text


@pytest.mark.parametrize(
    "text",
    [
        "bác ở tổ 5, số nhà 12 ngõ 34",
        "số điện thoại 0912345678",
        "gọi 024.1022 nhánh 7",
        "năm sinh 1955",
        "ngày 12/11/2025",
    ],
)
def test_ordinary_numbers_are_kept(text):
    m = mask(text)
    assert m.text == text and not m.found


def test_otp_warning_is_needed_for_codes_and_cards_only():
    assert mask("mã otp 123456").has_otp_risk
    assert mask("thẻ 9704123456789012").has_otp_risk
    assert not mask("cccd 001234567890").has_otp_risk


def test_text_around_a_secret_is_kept():
    assert mask("CCCD 001234567890 ạ").text == "CCCD [số CCCD đã ẩn] ạ"
