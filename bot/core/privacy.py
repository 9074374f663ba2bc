"""Masks secrets a resident may type before staff see them: ID-card numbers, bank card numbers, OTP codes.

Digits count as one number when separated by at most one space, dot or dash ("0012 3456 7890").
- 12 digits: CCCD (căn cước công dân); 9 digits: old CMND.
- 16–19 digits: a bank card number.
- 4–8 digits within a few words after "otp", "mã", "code", "ma xac nhan"...: a one-time code.
Phone numbers (10–11 digits) and short numbers (tổ dân phố, house numbers) are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Secret(StrEnum):
    CCCD = "cccd"
    CMND = "cmnd"
    CARD = "card"
    OTP = "otp"


LABELS_VI = {
    Secret.CCCD: "[số CCCD đã ẩn]",
    Secret.CMND: "[số CMND đã ẩn]",
    Secret.CARD: "[số thẻ đã ẩn]",
    Secret.OTP: "[mã OTP đã ẩn]",
}

_NUMBER = re.compile(r"(?<![\w])\d(?:[ .\-]?\d)*(?![\w])")
# Words that announce a one-time code, with or without Vietnamese diacritics.
_OTP_CUE = re.compile(
    r"\b(otp|mã|ma|code|mật khẩu|mat khau|pin|xác (?:nhận|thực)|xac (?:nhan|thuc))\W*(?:\w+\W+){0,3}$", re.IGNORECASE
)


@dataclass(frozen=True)
class Masked:
    text: str
    found: frozenset[Secret]

    @property
    def has_otp_risk(self) -> bool:
        """Something the resident must be warned never to send (OTP or a bank card)."""
        return bool(self.found & {Secret.OTP, Secret.CARD})


def _kind(digits: str, before: str) -> Secret | None:
    n = len(digits)
    if 16 <= n <= 19:
        return Secret.CARD
    if n == 12:
        return Secret.CCCD
    if n == 9:
        return Secret.CMND
    if 4 <= n <= 8 and _OTP_CUE.search(before[-40:]):
        return Secret.OTP
    return None


def mask(text: str, labels: dict[Secret, str] | None = None) -> Masked:
    labels = labels or LABELS_VI
    found: set[Secret] = set()
    out: list[str] = []
    pos = 0
    for m in _NUMBER.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        kind = _kind(digits, text[: m.start()])
        if kind is None:
            continue
        found.add(kind)
        out.append(text[pos : m.start()])
        out.append(labels[kind])
        pos = m.end()
    out.append(text[pos:])
    return Masked("".join(out), frozenset(found))
