"""What the help desk's buttons carry: one function per payload, no framework.

Each payload is `prefix:field:field…`, the layout of typed callback-data factories; the Telegram adapter
parses them with the matching factories in `bot.adapters.telegram.helpdesk_callbacks` (a test packs
and unpacks every one of them). Keep the two in step; old buttons already in chats keep these shapes.
"""

from __future__ import annotations

from enum import StrEnum

ASK = "ask"  # "Hỏi cán bộ phường" from the menu; `ask:<guide>:<step>` from a guide step (resident flow)


class DraftAction(StrEnum):
    """Buttons under a question being written: `hd:<action>`."""

    SEND = "send"
    REWRITE = "rewrite"
    CANCEL = "cancel"


class TicketAction(StrEnum):
    """A resident's buttons about one of her tickets: `hd:<action>:<ticket>`."""

    CLOSE = "close"  # asks "Bác chắc chắn muốn đóng câu hỏi?"
    CLOSE_YES = "closey"
    CLOSE_NO = "closen"
    SEND_MORE = "more"  # "Gửi thêm cho cán bộ": the message that got a guide goes to the ticket too


class TicketAnswer(StrEnum):
    """A resident's answer about a closed ticket: `hd:<action>:<ticket>:<value>`."""

    SOLVED = "ok"  # value 1 = solved, 0 = not solved
    RATE = "rate"  # value 1..5 stars


class StaffAction(StrEnum):
    """Buttons on a ticket in the staff group: `tk:<action>:<ticket>`."""

    CLAIM = "claim"
    CLOSE = "close"  # asks "Đóng câu hỏi #12 của cư dân? Việc này không hoàn tác được."
    CLOSE_YES = "closey"
    CLOSE_NO = "closen"
    MOVE = "move"


class GroupAdminAction(StrEnum):
    """An admin's confirmation in a staff group: `ga:<action>:<user id, 0 for none>`."""

    UNBIND = "unbind"  # /unbind_ward, confirmed
    REVOKE = "revoke"  # /revoke_staff, confirmed (the user's internal id)
    KEEP = "keep"  # "Không": nothing changes


MOVE_TO = "mv"  # `tk:mv:<ticket>:<ward>`: the ward chosen after "Chuyển phường"


def draft(action: DraftAction) -> str:
    return f"hd:{action.value}"


def ticket(action: TicketAction, ticket_id: int) -> str:
    return f"hd:{action.value}:{ticket_id}"


def answer(action: TicketAnswer, ticket_id: int, value: int) -> str:
    return f"hd:{action.value}:{ticket_id}:{value}"


def staff(action: StaffAction, ticket_id: int) -> str:
    return f"tk:{action.value}:{ticket_id}"


def move_to(ticket_id: int, ward_id: str) -> str:
    return f"tk:{MOVE_TO}:{ticket_id}:{ward_id}"


def group_admin(action: GroupAdminAction, user_id: int = 0) -> str:
    return f"ga:{action.value}:{user_id}"
