"""`bot visits import-targets|targets` and `bot stats visits`: the community digital teams' progress per tổ
against the ward's targets (issue 13)."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import TextIO

from bot.adapters.db.db import Database
from bot.adapters.db.visits import SqlVisitTransactions
from bot.app.visits import VisitService
from bot.core import visits as core
from bot.core.clock import SystemClock
from bot.core.content import load_valid_content_cached
from bot.core.i18n import Texts
from bot.settings import CACHE_DIR, Settings


def format_visit_stats(w: core.WardProgress) -> str:
    lines = [list(core.STATS_HEADER), *core.stats_rows(w)]
    widths = [max(len(row[i]) for row in lines) for i in range(len(core.STATS_HEADER))]
    title = f"ward {w.ward_id}: targets {w.smartphone_target}% smartphone users, {w.epay_target}% e-payment accounts"
    table = "\n".join("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip() for row in lines)
    return title + "\n" + table


class _Ward:
    """The service on the settings' database, after checking the ward id against content/wards.yaml."""

    def __init__(self, settings: Settings, ward: str, err: TextIO):
        self.settings, self.ward, self.err = settings, ward, err
        self.db: Database | None = None

    async def __aenter__(self) -> VisitService | None:
        content = load_valid_content_cached(self.settings.content_dir, CACHE_DIR)
        if content.ward(self.ward) is None:
            self.err.write(f"unknown ward {self.ward!r}; ward ids: {', '.join(content.wards)}\n")
            return None
        self.db = Database(self.settings.database_url)
        await self.db.migrate()
        return VisitService(SqlVisitTransactions(self.db), SystemClock(), Texts(), content)

    async def __aexit__(self, *exc: object) -> None:
        if self.db is not None:
            await self.db.close()


async def run_visit_stats(settings: Settings, out: TextIO, err: TextIO, ward: str, as_csv: bool) -> int:
    async with _Ward(settings, ward, err) as visits:
        if visits is None:
            return 2
        w = await visits.progress(ward)
    if as_csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(core.STATS_HEADER)
        writer.writerows(core.stats_rows(w))
    else:
        out.write(format_visit_stats(w) + "\n")
    return 0


async def run_import_targets(settings: Settings, out: TextIO, err: TextIO, ward: str, path: str) -> int:
    """Every row or none: a file with any problem imports nothing and lists them all as file:line."""
    file = Path(path)
    try:
        text = await asyncio.to_thread(file.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        err.write(f"{path}: cannot read: {e}\n")
        return 1
    try:
        targets = core.parse_targets(text, path)
    except core.TargetsError as e:
        err.write(f"{e}\nNothing was imported.\n")
        return 1
    async with _Ward(settings, ward, err) as visits:
        if visits is None:
            return 2
        await visits.import_targets(ward, targets)
    households = sum(t.households for t in targets)
    adults = sum(t.adults for t in targets)
    out.write(f"{ward}: {len(targets)} tổ imported ({households} households, {adults} adults)\n")
    return 0


async def run_set_targets(
    settings: Settings, out: TextIO, err: TextIO, ward: str, smartphone: int | None, epay: int | None
) -> int:
    for name, value in (("--smartphone", smartphone), ("--epay", epay)):
        if value is not None and not 0 <= value <= 100:
            err.write(f"{name} must be a percentage between 0 and 100 (got {value})\n")
            return 2
    async with _Ward(settings, ward, err) as visits:
        if visits is None:
            return 2
        now = await visits.progress(ward)
        s = now.smartphone_target if smartphone is None else smartphone
        e = now.epay_target if epay is None else epay
        await visits.set_ward_targets(ward, s, e)
    out.write(f"{ward}: targets {s}% smartphone users, {e}% e-payment accounts\n")
    return 0
