"""`bot stats tickets` prints counts by ward and status and the median time to the first answer."""

from __future__ import annotations

import io

from bot.app.tickets import Incoming
from bot.cli import build_parser
from bot.cli_stats import run_ticket_stats
from tests.db.test_tickets import setup


async def test_stats_tickets_by_ward_status_and_median_first_answer(sqlite_url):
    db, clock, svc, lan, (ha, _, _), _admin = await setup(sqlite_url)
    for minutes in (10, 30, 50):
        t, _ = await svc.open(lan, Incoming("text", "hỏi"))
        clock.advance(minutes=minutes)
        await svc.reply(t.id, ha, Incoming("text", "trả lời"))
        await svc.close_by_staff(t.id, ha)
    await svc.open(lan, Incoming("text", "chưa ai trả lời"))
    await db.close()
    out = io.StringIO()
    assert await run_ticket_stats(sqlite_url, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:5] == ["ward", "open", "assigned", "closed", "total"]
    assert lines[1].split() == ["tay-ho", "1", "0", "3", "4", "30m"]
    assert lines[2].split() == ["all", "1", "0", "3", "4"]
    assert build_parser().parse_args(["stats", "tickets"]).func.__name__ == "_stats"
