"""`:demo` and `:tick` steps of the local chat for the help desk.

`:demo` makes persona "staff" (2001) a staff member of Tây Hồ and binds its group (-1002000000001,
a forum) to Tây Hồ, so one can ask as the resident, answer as staff and rate as the resident.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.telegram.desk_sender import DeskSender
from bot.adapters.telegram.middlewares import CHANNEL
from bot.app.residents import Role

STAFF_ID = 2001
STAFF_GROUP = -1002000000001
WARD = "tay-ho"

HOWTO = """— Bàn hỏi đáp: “Cán bộ Hà” (2001) là cán bộ phường Tây Hồ; nhóm cán bộ {group} (có chủ đề) nhận câu hỏi của phường Tây Hồ.
  Thử: là cư dân bấm “🙋 Hỏi cán bộ phường”, gõ câu hỏi, bấm “Gửi cho cán bộ”;
  rồi  :as staff  →  :topic <số chủ đề>  → gõ câu trả lời (hoặc  :reply <câu trả lời>);
  bấm “Đóng” rồi “Có, đóng”;  :as resident  → bấm “Đã xong” và chấm điểm.
"""


async def demo(chat: Any, rest: str) -> None:
    app = chat.app
    staff = await app.residents.identify(CHANNEL, STAFF_ID, "Cán bộ Hà")
    await app.residents.grant(staff.id, Role.STAFF, WARD, None)
    chat.fake.forum_chats.add(STAFF_GROUP)
    await app.tickets.bind_group(STAFF_GROUP, WARD, True, None)
    chat.out.write(HOWTO.format(group=STAFF_GROUP))


async def tick(chat: Any, rest: str) -> None:
    n = await chat.app.sla.tick(DeskSender(chat.bot))
    chat.out.write(f"— Bàn hỏi đáp: {n} tin nhắc việc / tổng hợp.\n")
