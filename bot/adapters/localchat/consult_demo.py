"""`:demo` and `:tick` steps of the local chat for consultations (lấy ý kiến).

`:demo` only says how to try it: the notices' demo has already made "Chủ tịch phường" an official of
Tây Hồ, bound the groups of tổ 5 and 7 and signed up ông Minh (tổ 7). `:tick` closes what is due and
sends the author the final result (the notices' `:tick` has moved the shared clock first).
"""

from __future__ import annotations

from typing import Any

HOWTO = """— Lấy ý kiến cư dân: :as official  →  /lay_y_kien  → gõ câu hỏi → “Có / Không” → “Cả phường”
  → hạn trả lời (ví dụ 20/12 17:00) → “Có”, “Có” → “Có, gửi”;  :tick 1  gửi thông báo kèm đường link;
  :as resident2  →  /start vote_1  để trả lời như ông Minh;  :as official  →  /ket_qua 1  xem kết quả.
"""


async def demo(chat: Any, rest: str) -> None:
    chat.out.write(HOWTO)


async def tick(chat: Any, rest: str) -> None:
    worker = chat.app.extra["consultation_worker"]
    closed = await worker.tick()
    if closed:
        chat.out.write(f"— Lấy ý kiến: đã kết thúc #{', #'.join(map(str, closed))}; kết quả đã gửi cán bộ tạo.\n")
