"""Usage events: what residents do with the guides, for the ward's overview (bot.app.stats reads them).

Recorded by the resident flow (and the help desk when a question goes to staff) inside the transaction
the update already uses, so the hot path keeps one commit per update. A resident appears only as a
salted hash of her channel and id (the same HMAC as the unanswered log: `settings.hash_salt`), with her
ward and tổ dân phố: enough to count people per step, not to tell who they are. `day` is the Hà Nội
date of the event, so a day's figures are grouped without time-zone arithmetic in SQL.

One row per update at most on the busy paths: a question answered with a guide is one MATCHED row
(with step 0), read as "started" as well, rather than two rows.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from bot.app.ports import UnitOfWork
from bot.app.residents import Resident
from bot.app.unanswered import user_hash
from bot.core.working_hours import HANOI


class UsageKind(StrEnum):
    STARTED = "started"  # step 1 of a guide shown (from the menu, a deep link, staff)
    STEP = "step"  # a later step shown; `step` is its index (0-based)
    STUCK = "stuck"  # "Tôi bị kẹt ở bước này" (pressed or typed), or "it did not work" at the end
    ASKED = "asked"  # a question went to ward staff (a ticket opened), with the step she was on if any
    FINISHED = "finished"  # "it worked" at the last step
    MATCHED = "matched"  # a typed question answered with a guide: its step 1 shown (counts as STARTED too)
    UNANSWERED = "unanswered"  # a typed question the bot declined or was unsure about


STARTS = (UsageKind.STARTED.value, UsageKind.MATCHED.value)  # rows that mean "step 1 shown"
# The overview's drop-off chart counts people per guide, step and funnel label, a person once across the
# kinds of one label: "reached" a step (step 1 by a start or a matched question, later steps by STEP),
# pressed "stuck", asked staff, finished. Written with each event, so the count reads one index in order.
FUNNEL: dict[str, str] = {
    UsageKind.STARTED.value: "reached",
    UsageKind.MATCHED.value: "reached",
    UsageKind.STEP.value: "reached",
    UsageKind.STUCK.value: "stuck",
    UsageKind.ASKED.value: "asked",
    UsageKind.FINISHED.value: "finished",
}
FUNNEL_LABELS = ("reached", "stuck", "asked", "finished")


def hanoi_day(at: dt.datetime) -> dt.date:
    return at.astimezone(HANOI).date()


def pseudonym(salt: str, person: str) -> int:
    """The first 64 bits of the salted HMAC of `channel:id`, as a signed integer: counting people over
    100,000 rows is several times faster on an integer than on a 64-character hex string, and 64 bits
    keep collisions out of any ward's figures."""
    n = int(user_hash(salt, person)[:16], 16)
    return n - (1 << 64) if n >= 1 << 63 else n


def user_key(salt: str, r: Resident) -> int:
    return pseudonym(salt, f"{r.channel}:{r.external_id}")


class UsageLog:
    def __init__(self, salt: str):
        if not salt:
            raise ValueError("a hash salt is needed to store residents as hashes")
        self._salt = salt

    async def add(
        self,
        tx: UnitOfWork,
        kind: UsageKind,
        r: Resident,
        now: dt.datetime,
        guide_id: str | None = None,
        step: int | None = None,
    ) -> None:
        await tx.usage.add(
            kind=kind.value,
            funnel=FUNNEL.get(kind.value) if guide_id is not None and step is not None else None,
            user_key=user_key(self._salt, r),
            ward_id=r.ward_id,
            neighbourhood=r.neighbourhood,
            guide_id=guide_id,
            step=step,
            at=now,
            day=hanoi_day(now),
        )
