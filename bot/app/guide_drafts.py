"""Guide drafts in the web console: started from a group of unanswered questions
(`UnansweredDesk.start_draft`), listed newest first, renamed, downloaded as the YAML skeleton of a
guide an editor completes (`bot.core.guide_draft`), or discarded.

Scoped like the unanswered questions: staff and officials see the drafts of their wards, admins
every draft. Another ward's draft, or a discarded one, is `DraftNotFound`, as if it did not exist.
Downloading marks a draft exported; discarding it puts its questions back on the unanswered list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.app.ports import Transactions
from bot.app.ports.drafts import GuideDraftRecord
from bot.app.unanswered_desk import DRAFT_STARTED, UnansweredDesk
from bot.app.web_signin import ConsoleUser
from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.guide_draft import TITLE_MAX, clean_title, skeleton
from bot.core.working_hours import HANOI

DRAFT, EXPORTED, DISCARDED = "draft", "exported", "discarded"
LIST_LIMIT = 200


class DraftNotFound(LookupError):
    """No such draft for this person: another ward's, discarded, or never there."""


class BadTitle(ValueError):
    def __init__(self, code: str):  # "empty" | "too_long"
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class GuideDraft:
    id: int
    ward_id: str | None
    title: str
    questions: tuple[str, ...]
    author: str  # who started it ("" when no longer known)
    created_at: dt.datetime
    status: str


def _draft(r: GuideDraftRecord, names: dict[int, str]) -> GuideDraft:
    author = names.get(r.created_by, "") if r.created_by is not None else ""
    return GuideDraft(r.id, r.ward_id, r.title, tuple(r.question_list), author, r.created_at, r.status)


class GuideDrafts:
    def __init__(self, uow: Transactions, clock: Clock, content: Content):
        self.uow, self.clock, self.content = uow, clock, content

    @staticmethod
    def _visible(user: ConsoleUser, r: GuideDraftRecord | None) -> bool:
        if r is None or r.status == DISCARDED:
            return False
        allowed = UnansweredDesk.wards(user)
        return allowed is None or (r.ward_id is not None and r.ward_id in allowed)

    async def drafts(self, user: ConsoleUser, limit: int = LIST_LIMIT) -> list[GuideDraft]:
        """The drafts the person may see that are not discarded, newest first."""
        allowed = UnansweredDesk.wards(user)
        if allowed is not None and not allowed:
            return []
        async with self.uow() as tx:
            rows = await tx.drafts.listed(allowed, (DRAFT, EXPORTED), limit)
            names = await tx.console.names({r.created_by for r in rows if r.created_by is not None})
            return [_draft(r, names) for r in rows]

    async def get(self, user: ConsoleUser, draft_id: int) -> GuideDraft:
        async with self.uow() as tx:
            r = await tx.drafts.get(draft_id)
            if r is None or not self._visible(user, r):
                raise DraftNotFound(draft_id)
            names = await tx.console.names({r.created_by} if r.created_by is not None else set())
            return _draft(r, names)

    async def rename(self, user: ConsoleUser, draft_id: int, title: str) -> GuideDraft:
        """A new title: one line, 1 to TITLE_MAX characters (BadTitle otherwise)."""
        title = clean_title(title)
        async with self.uow() as tx:
            r = await tx.drafts.get(draft_id)
            if r is None or not self._visible(user, r):
                raise DraftNotFound(draft_id)
            if not title:
                raise BadTitle("empty")
            if len(title) > TITLE_MAX:
                raise BadTitle("too_long")
            if r.title != title:
                await tx.tickets.audit(
                    None, r.ward_id, user.person.id, "guide_draft_renamed", f"#{r.id}: {title}", self.clock.now()
                )
                r.title = title
        return await self.get(user, draft_id)

    async def discard(self, user: ConsoleUser, draft_id: int) -> int:
        """The draft is discarded and its questions go back on the unanswered list: how many rows."""
        async with self.uow() as tx:
            r = await tx.drafts.get(draft_id)
            if r is None or not self._visible(user, r):
                raise DraftNotFound(draft_id)
            r.status = DISCARDED
            back = await tx.unanswered.undecide(DRAFT_STARTED, f"draft:{r.id}")
            await tx.tickets.audit(
                None, r.ward_id, user.person.id, "guide_draft_discarded", f"#{r.id}: {r.title}", self.clock.now()
            )
            return back

    def skeleton(self, draft: GuideDraft) -> str:
        started = draft.created_at.astimezone(HANOI).date()
        return skeleton(draft.id, draft.title, draft.questions, started, [c.id for c in self.content.categories])

    async def export(self, user: ConsoleUser, draft_id: int) -> tuple[GuideDraft, str]:
        """The YAML skeleton to download; the draft counts as exported from then on."""
        async with self.uow() as tx:
            r = await tx.drafts.get(draft_id)
            if r is None or not self._visible(user, r):
                raise DraftNotFound(draft_id)
            if r.status == DRAFT:
                r.status = EXPORTED
                await tx.tickets.audit(
                    None, r.ward_id, user.person.id, "guide_draft_exported", f"#{r.id}: {r.title}", self.clock.now()
                )
        draft = await self.get(user, draft_id)
        return draft, self.skeleton(draft)
