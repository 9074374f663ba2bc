"""Is a resident's message a request to stop ward notices?

Vietnamese without diacritics is ambiguous here: "dung" may be "dừng" (stop) or "đúng" (yes, right),
a very common reply from elderly residents. So the diacritics decide: "dừng" / "DỪNG" / "stop" stop at
once; a bare "dung" with no diacritics is only a maybe, and the resident is asked before anything
changes; "đúng", "dùng", "dũng" are not about notices at all.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

STOP = {
    "dừng",
    "dừng lại",
    "dừng nhận",
    "dừng nhận thông báo",
    "stop",
    "unsubscribe",
    "huỷ đăng ký",
    "hủy đăng ký",
    "tắt thông báo",
    "dung lai",
    "dung nhan thong bao",
    "huy dang ky",
    "tat thong bao",
}
MAYBE = {"dung"}


class StopIntent(StrEnum):
    STOP = "stop"
    MAYBE = "maybe"
    NONE = "none"


def _clean(text: str) -> str:
    t = unicodedata.normalize("NFC", text or "").casefold()
    # the old-style and new-style placement of the tone mark in "huỷ/hủy" both count
    return " ".join(t.split()).strip(" .!?,;:")


def stop_intent(text: str | None) -> StopIntent:
    t = _clean(text or "")
    if t in STOP:
        return StopIntent.STOP
    if t in MAYBE:
        return StopIntent.MAYBE
    return StopIntent.NONE


def is_stop_word(text: str | None) -> bool:
    return stop_intent(text) is StopIntent.STOP


def is_maybe_stop(text: str | None) -> bool:
    return stop_intent(text) is StopIntent.MAYBE
