"""`bot stats tickets`: help-desk tickets by ward and status, and the median time to the first answer."""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.app.tickets import Status, TicketService, WardStats
from bot.core.clock import SystemClock


def _duration(d: dt.timedelta | None) -> str:
    if d is None:
        return "-"
    minutes = int(d.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def format_ticket_stats(stats: list[WardStats]) -> str:
    statuses = [s.value for s in Status]
    header = ["ward", *statuses, "total", "median first answer"]
    lines = [header]
    totals = dict.fromkeys(statuses, 0)
    for w in stats:
        counts = [w.by_status.get(s, 0) for s in statuses]
        for s, n in zip(statuses, counts, strict=False):
            totals[s] += n
        lines.append([w.ward_id, *map(str, counts), str(sum(counts)), _duration(w.median_first_answer)])
    lines.append(["all", *(str(totals[s]) for s in statuses), str(sum(totals.values())), ""])
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in lines)


async def run_ticket_stats(database_url: str, out: TextIO) -> int:
    db = Database(database_url)
    try:
        await db.migrate()
        stats = await TicketService(SqlTransactions(db), SystemClock()).stats()
    finally:
        await db.close()
    out.write(format_ticket_stats(stats) + "\n")
    return 0


async def run_reply_stats(database_url: str, out: TextIO, days: int = 7, limit: int = 10) -> int:
    """`bot stats replies`: replies Telegram would not take in time, stored and sent later by the reply worker."""
    from bot.app.replies import StoredReplies

    db = Database(database_url)
    try:
        await db.migrate()
        tx = SqlTransactions(db)
        report = await StoredReplies(tx, SystemClock()).report(days)
        async with tx() as t:
            recent = [r for r in await t.replies.recent(limit) if r.status != "sent"]
    finally:
        await db.close()
    if not report.stored:
        out.write(f"No reply had to be stored in the last {days} days: every reply went out at once.\n")
        return 0
    counts = ", ".join(f"{status} {n}" for status, n in sorted(report.counts.items()))
    out.write(f"Replies stored in the last {days} days: {report.stored} ({counts})\n")
    if report.oldest_waiting is not None:
        out.write(f"Oldest still waiting: {_duration(report.oldest_waiting)}\n")
    for r in recent:
        out.write(f"  #{r.id} {r.created_at:%Y-%m-%d %H:%M} chat {r.chat_id} {r.method} {r.status}: {r.error or ''}\n")
    return 0
