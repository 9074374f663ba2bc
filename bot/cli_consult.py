"""`bot consult results ID [--csv]`: a consultation's results per option, per tổ and overall, with turnout."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from bot.adapters.db.consultations import SqlConsultations
from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.app.announcements import AnnouncementService
from bot.app.consultations import ConsultationService
from bot.core.clock import SystemClock
from bot.core.content import load_valid_content_cached
from bot.core.i18n import Texts
from bot.core.schedule import format_local


async def run_consult_results(
    database_url: str, content_dir: Path, cache_dir: Path, consultation_id: int, as_csv: bool, out: TextIO, err: TextIO
) -> int:
    content = load_valid_content_cached(content_dir, cache_dir)
    db = Database(database_url)
    try:
        await db.migrate()
        clock, texts = SystemClock(), Texts()
        notices = AnnouncementService(SqlTransactions(db), clock, texts, content)
        service = ConsultationService(SqlConsultations(db), notices, clock, texts, content, deep_link_base="")
        c = await service.get(consultation_id)
        results = await service.results(consultation_id) if c else None
    finally:
        await db.close()
    if c is None or results is None:
        err.write(f"no consultation #{consultation_id}\n")
        return 1
    if as_csv:
        out.write(service.csv_of(results))
        return 0
    state = "open" if c.open_at(clock.now()) else "closed"
    out.write(f"#{c.id} {c.ward_id} ({state}, closes {format_local(c.closes_at)})\n")
    out.write(service.results_text(results, "vi") + "\n")
    return 0
