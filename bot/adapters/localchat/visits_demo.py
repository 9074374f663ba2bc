"""`:demo` and `:tick` steps of the local chat for home visits: persona "team" (Chị Mai, 4001) is in the
community digital team group -1004000000001, bound to every tổ of Tây Hồ."""

from __future__ import annotations

from typing import Any

from bot.adapters.telegram.visits import VisitSender
from bot.app.residents import Resident

TEAM_GROUP = -1004000000001
WARD = "tay-ho"
ADMIN = Resident(0, "telegram", 0, "demo", "vi", None, None, True, False, frozenset({("admin", "*")}))

HOWTO = """— Tổ chuyển đổi số: nhóm {group} phụ trách mọi tổ của phường Tây Hồ.
  Thử: là cư dân gõ /hen, bấm “🏠 Nhờ người đến nhà”, trả lời các câu hỏi, bấm “Có, gửi đi”;
  rồi  :as team  → bấm “Nhận”, “Hẹn lịch”, chọn giờ;  :as resident  → “Có, đồng ý”;
  :as team  → “Xong”, đánh dấu nhật ký, “Lưu”;  :as resident  → chấm sao. Cư dân xem lại: /hen.
"""


async def demo(chat: Any, rest: str) -> None:
    await chat.app.extra["visits"].bind_team(ADMIN, TEAM_GROUP, WARD)
    chat.out.write(HOWTO.format(group=TEAM_GROUP))


async def tick(chat: Any, rest: str) -> None:
    n = await chat.app.extra["visit_reminders"].tick(VisitSender(chat.bot))
    chat.out.write(f"— Tổ chuyển đổi số: {n} tin nhắc việc / tiến độ tuần.\n")
