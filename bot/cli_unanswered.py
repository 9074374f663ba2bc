"""`bot unanswered`: the most asked questions the bot declined or was unsure about, grouped."""

from __future__ import annotations

from typing import TextIO

from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.app.unanswered import UnansweredGroup, UnansweredLog
from bot.settings import Settings


def _line(n: int, g: UnansweredGroup) -> str:
    what = "declined" if g.declined == g.count else f"unsure, {g.declined} declined" if g.declined else "unsure"
    parts = [f"{n:3}. {g.count:4}× {g.people:3} people  {g.text}"]
    if g.examples:
        parts.append("       also: " + " | ".join(g.examples))
    detail = f"       {what}; last {g.last_seen:%Y-%m-%d %H:%M} UTC"
    if g.guess:
        detail += f"; closest guide {g.guess}"
    if g.wards:
        detail += f"; wards {', '.join(g.wards)}"
    parts.append(detail)
    return "\n".join(parts)


async def run_unanswered(settings: Settings, stdout: TextIO, limit: int = 20) -> int:
    db = Database(settings.database_url)
    try:
        await db.migrate()
        groups = await UnansweredLog(SqlTransactions(db), settings.hash_salt.get_secret_value()).report(limit)
    finally:
        await db.close()
    if not groups:
        stdout.write("No unanswered questions recorded yet.\n")
        return 0
    stdout.write(f"Most asked questions without a good answer (top {len(groups)}):\n")
    for n, g in enumerate(groups, 1):
        stdout.write(_line(n, g) + "\n")
    return 0
