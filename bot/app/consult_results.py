"""A consultation's results: votes per option, per tổ and overall, turnout, and the CSV export.

Pure: built from vote counts and (where a ward has entered them) adults per tổ. Turnout is shown
against adults only for a tổ whose adult count is known; otherwise as the number of voters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.app.ports.consultations import VoteCount


def _tdp_key(tdp: str) -> tuple[int, str]:
    return (int(tdp), "") if tdp.isdigit() else (10**6, tdp)


@dataclass(frozen=True)
class Row:
    """One tổ (or the whole audience): votes per option (index 0 = option 1), voters, adults if known."""

    neighbourhood: str  # "" for the overall row
    votes: tuple[int, ...]
    adults: int | None

    @property
    def voters(self) -> int:
        return sum(self.votes)

    @property
    def turnout(self) -> float | None:
        """Voters per adult, 0..1 (more voters than counted adults shows above 1, not hidden)."""
        return self.voters / self.adults if self.adults else None

    def share(self, option: int) -> float | None:
        """Option `option` (1-based) as a part of this row's votes."""
        return self.votes[option - 1] / self.voters if self.voters else None


@dataclass(frozen=True)
class Results:
    consultation_id: int
    question: str
    options: tuple[str, ...]
    by_tdp: tuple[Row, ...]
    overall: Row

    @staticmethod
    def build(
        consultation_id: int,
        question: str,
        options: Sequence[str],
        counts: Sequence[VoteCount],
        adults: Mapping[str, int],
        neighbourhoods: Sequence[str] = (),
    ) -> Results:
        """`neighbourhoods`: the audience's tổ, shown even with no vote yet (a ward audience: those with votes)."""
        per: dict[str, list[int]] = {n: [0] * len(options) for n in neighbourhoods}
        for c in counts:
            if 1 <= c.option <= len(options):
                per.setdefault(c.neighbourhood, [0] * len(options))[c.option - 1] += c.votes
        rows = tuple(Row(n, tuple(v), adults.get(n)) for n, v in sorted(per.items(), key=lambda kv: _tdp_key(kv[0])))
        total = tuple(sum(r.votes[i] for r in rows) for i in range(len(options)))
        known = [r.adults for r in rows if r.adults]
        overall = Row("", total, sum(known) if known and len(known) == len(rows) else None)
        return Results(consultation_id, question, tuple(options), rows, overall)


def percent(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%".replace(".", ",")


def results_csv(r: Results) -> str:
    """One line per tổ and one for the whole audience: votes per option, voters, adults, turnout."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["to_dan_pho", *r.options, "nguoi_tra_loi", "nguoi_truong_thanh", "ti_le_tham_gia"])
    for row in (*r.by_tdp, r.overall):
        turnout = "" if row.turnout is None else f"{row.turnout * 100:.1f}"
        adults = "" if row.adults is None else str(row.adults)
        w.writerow([row.neighbourhood or "tong", *row.votes, row.voters, adults, turnout])
    return out.getvalue()
