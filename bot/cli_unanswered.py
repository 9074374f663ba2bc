"""`bot unanswered`: the most asked questions the bot declined or was unsure about, grouped; and the
learning loop's commands: `assign <n> <guide>` teaches group n's phrasings to a guide (pending review),
`review` lists the pending phrasings and `review --accept 3 4 --reject 5` decides them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.app.learning import Learning
from bot.app.unanswered import UnansweredGroup, UnansweredLog
from bot.core.clock import SystemClock
from bot.core.content import load_valid_content_cached
from bot.settings import CACHE_DIR, Settings


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


def _log(db: Database, settings: Settings) -> UnansweredLog:
    return UnansweredLog(SqlTransactions(db), settings.hash_salt.get_secret_value())


def _learning(db: Database, settings: Settings) -> Learning:
    content = load_valid_content_cached(settings.content_dir, CACHE_DIR)
    return Learning(SqlTransactions(db), content, SystemClock(), on_matcher=lambda _m: None)


async def run_unanswered(settings: Settings, stdout: TextIO, limit: int = 20) -> int:
    db = Database(settings.database_url)
    try:
        await db.migrate()
        groups = await _log(db, settings).report(limit)
    finally:
        await db.close()
    if not groups:
        stdout.write("No unanswered questions recorded yet.\n")
        return 0
    stdout.write(f"Most asked questions without a good answer (top {len(groups)}):\n")
    for n, g in enumerate(groups, 1):
        stdout.write(_line(n, g) + "\n")
    stdout.write("Teach one to a guide: bot unanswered assign <n> <guide id>\n")
    return 0


async def run_assign(settings: Settings, stdout: TextIO, number: int, guide_id: str, limit: int = 20) -> int:
    """Suggest group `number` of the report (its phrasing and examples) for a guide."""
    db = Database(settings.database_url)
    try:
        await db.migrate()
        learning = _learning(db, settings)
        if learning.content.guide(guide_id) is None:
            stdout.write(f"Unknown guide {guide_id!r}. Guide ids: {', '.join(sorted(learning.content.guides))}\n")
            return 2
        groups = await _log(db, settings).report(max(limit, number))
        if not 1 <= number <= len(groups):
            stdout.write(f"There is no group {number}: the report has {len(groups)} (see `bot unanswered`).\n")
            return 2
        g = groups[number - 1]
        added = await learning.suggest(guide_id, [g.text, *g.examples], "cli")
    finally:
        await db.close()
    stdout.write(
        f"{added} new phrasing(s) of “{g.text}” suggested for {guide_id}; accept them with `bot unanswered review`.\n"
    )
    return 0


async def run_review(settings: Settings, stdout: TextIO, accept: Sequence[str], reject: Sequence[str]) -> int:
    db = Database(settings.database_url)
    try:
        await db.migrate()
        learning = _learning(db, settings)
        pending = await learning.pending(500)
        if not accept and not reject:
            if not pending:
                stdout.write("No phrasings waiting for review.\n")
                return 0
            stdout.write("Phrasings waiting for review (accept: --accept ID…, reject: --reject ID…, or 'all'):\n")
            for p in pending:
                stdout.write(f"{p.id:5}. [{p.guide_id}] {p.text}   ({p.source}, {p.created_at:%Y-%m-%d})\n")
            return 0
        ids = {p.id for p in pending}

        def chosen(values: Sequence[str]) -> list[int] | None:
            if list(values) == ["all"]:
                return sorted(ids)
            try:
                return [int(v) for v in values]
            except ValueError:
                return None

        to_accept, to_reject = chosen(accept), chosen(reject)
        if to_accept is None or to_reject is None:
            stdout.write("Give phrasing ids (numbers from `bot unanswered review`) or 'all'.\n")
            return 2
        status = 0
        for pid, ok in [(i, True) for i in to_accept] + [(i, False) for i in to_reject]:
            decided = await learning.decide(pid, ok)
            if decided is None:
                stdout.write(f"{pid}: no such phrasing waiting for review\n")
                status = 2
            else:
                verb = "accepted" if ok else "rejected"
                stdout.write(f"{pid}: {verb} [{decided.guide_id}] {decided.text}\n")
    finally:
        await db.close()
    if to_accept:
        stdout.write("The running bot picks up accepted phrasings within a minute, without a restart.\n")
    return status
