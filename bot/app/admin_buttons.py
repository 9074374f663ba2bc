"""What admins' confirmation buttons carry (unbinding a group, removing a role): one function per payload.

`ub:<answer>:<what>:<chat id>` and `rv:<answer>:<user id>:<role>:<ward>`, the layout of the typed
callback-data factories in `bot.adapters.telegram.admin_callbacks` (a test packs and unpacks each).
"""

from __future__ import annotations

from enum import StrEnum


class Answer(StrEnum):
    NO = "no"  # "Không": nothing changes
    YES = "yes"  # the destructive one, alone on its row


class Unbind(StrEnum):
    WARD = "ward"  # a staff group from its ward (/unbind_ward)
    GROUP = "group"  # a neighbourhood group from its ward / tổ dân phố (/unbind_group)


class Revocable(StrEnum):
    STAFF = "staff"  # /revoke_staff in the staff group
    OFFICIAL = "official"  # /revoke_official in private


def unbind(answer: Answer, what: Unbind, chat_id: int) -> str:
    return f"ub:{answer.value}:{what.value}:{chat_id}"


def revoke(answer: Answer, user_id: int, role: Revocable, ward_id: str) -> str:
    return f"rv:{answer.value}:{user_id}:{role.value}:{ward_id}"
