"""`:demo` and `:tick` steps of the local chat for ward notices.

`:demo` makes "Chủ tịch phường" (3001) and "Phó chủ tịch" (3002) officials of Tây Hồ, binds the
group of tổ dân phố 5 (-1003000000005) and a group of tổ 7 (-1003000000007) to Tây Hồ, and signs
up "Ông Minh" (1002) of tổ 7 for notices. `:tick [phút]` moves the notices' clock forward and runs
what the background does: due firings are queued, sent, and the author gets the report.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.telegram.middlewares import CHANNEL
from bot.app.residents import Role

WARD = "tay-ho"
GROUPS = {-1003000000005: "5", -1003000000007: "7"}

HOWTO = """— Thông báo phường: “Chủ tịch phường” (3001) và “Phó chủ tịch” (3002) soạn được thông báo phường Tây Hồ;
  nhóm tổ 5 ({g5}) và nhóm tổ 7 ({g7}) đã gắn với phường; ông Minh (tổ 7) đã đăng ký nhận thông báo.
  Thử:  :as official  →  /thongbao  → gõ nội dung → “Tổ dân phố” → 5, 7 → “Chọn ngày giờ” → giờ sắp tới
  → “Xác nhận”;  rồi  :tick 60  để đồng hồ chạy tới giờ gửi và nhận báo cáo. /announcements để xem, sửa, huỷ, thu hồi.
"""


async def demo(chat: Any, rest: str) -> None:
    app = chat.app
    for uid, name in ((3001, "Chủ tịch phường"), (3002, "Phó chủ tịch")):
        official = await app.residents.identify(CHANNEL, uid, name)
        await app.residents.grant(official.id, Role.OFFICIAL, WARD, None)
        if official.lang is None:
            await app.residents.update(official.id, lang="vi")
    minh = await app.residents.identify(CHANNEL, 1002, "Ông Minh")
    if not minh.onboarded:
        await app.residents.update(minh.id, lang="vi", ward_id=WARD, neighbourhood="7", onboarded=True, subscribed=True)
    chairman = await app.residents.identify(CHANNEL, 3001, "Chủ tịch phường")  # an official of the ward now
    for chat_id, tdp in GROUPS.items():
        await app.announcements.bind_group(chairman, chat_id, WARD, tdp, f"Tổ dân phố {tdp}")
    chat.chat_names.setdefault(-1003000000007, "Nhóm tổ dân phố 7")
    chat.out.write(HOWTO.format(g5=-1003000000005, g7=-1003000000007))


async def tick(chat: Any, rest: str) -> None:
    runner = chat.app.notices
    minutes = float(rest.strip()) if rest.strip().replace(".", "", 1).isdigit() else 0.0
    clock = runner.clock
    # Walk the clock in steps shorter than the grace time, as a bot that was running all along would:
    # one big jump would look like downtime, and a notice due on the way would be reported missed.
    step = 5.0
    while minutes > 0 and hasattr(clock, "advance"):
        clock.advance(minutes=min(step, minutes))
        minutes -= step
        await runner.pump()
    await runner.pump()
    from bot.core.schedule import format_local

    chat.out.write(f"— Thông báo: đồng hồ thông báo chỉ {format_local(clock.now())} (giờ Hà Nội).\n")
