"""The home visits' button payloads. `bot.adapters.telegram.visit_callbacks` parses exactly these
with typed CallbackData factories (a test packs and unpacks each)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

START = "hv"  # "🏠 Nhờ người đến nhà" on the stuck screen and in the guide about asking staff


class RequestAction(StrEnum):
    """The resident's buttons about one of her requests (`/hen`, a proposed time, the rating)."""

    CANCEL = "x"  # asks for confirmation
    CANCEL_YES = "xy"
    CANCEL_NO = "xn"
    EDIT_TIME = "et"
    EDIT_DESCRIPTION = "ed"
    EDIT_PHONE = "ep"
    RATE = "rt"


class TeamAction(StrEnum):
    TAKE = "take"  # "Nhận"
    PROPOSE = "prop"  # "Hẹn lịch"
    DONE = "done"  # "Xong"


class LogAction(StrEnum):
    TOGGLE = "t"
    NOTE = "n"
    SAVE = "s"


def my_to(to: str) -> str:
    """Her saved tổ pressed instead of typed."""
    return f"hvo:{to}"


def day_part(part: str) -> str:
    return f"hvp:{part}"


def day_kind(kind: str) -> str:
    return f"hvk:{kind}"


def send(yes: bool) -> str:
    """The summary's "Có, gửi đi" (1) or "Không" (0)."""
    return f"hvs:{int(yes)}"


def request(action: RequestAction, request_id: int, value: int = 0) -> str:
    return f"hvr:{action.value}:{request_id}:{value}"


def team(action: TeamAction, request_id: int) -> str:
    return f"vt:{action.value}:{request_id}"


def propose_at(request_id: int, at: dt.datetime) -> str:
    """A proposed time as minutes since the epoch (checked again when pressed)."""
    return f"vta:{request_id}:{minutes(at)}"


def time_answer(request_id: int, ok: bool, at: dt.datetime) -> str:
    """Her answer to one proposed time: a later proposal makes this button stale."""
    return f"hvt:{request_id}:{int(ok)}:{minutes(at)}"


def minutes(at: dt.datetime) -> int:
    return int(at.timestamp() // 60)


def log(action: LogAction, request_id: int, bits: int) -> str:
    return f"vl:{action.value}:{request_id}:{bits}"


def minutes_to_time(minutes: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(minutes * 60, tz=dt.UTC)
