"""The web console's unanswered questions: the groups a person may see, assigning one to a guide
(its phrasings become learned phrasings waiting for review, bot.app.learning), marking it out of
scope, or starting a new guide draft from it (bot.app.guide_drafts). Each takes the group off that
ward's list and goes to the audit log.

Ward scoping lives here: staff and officials see the questions asked in their wards, admins every
ward (and questions from residents who have not picked a ward). A group is named by its most asked
phrasing, read again from the log at the moment of the action, so a stale page cannot act on a
group that has since changed or gone: that is `GroupGone`.

Grouping the newest 5,000 questions takes tens of milliseconds, so the last lists are kept per
scope and used again while the log's fingerprint (counts and newest ids) has not changed; every
instance checks the fingerprint in the database, so a question or decision anywhere shows at once.
"""

from __future__ import annotations

from bot.app.learning import Learning
from bot.app.ports import Transactions, UnitOfWork
from bot.app.residents import Role
from bot.app.tickets import NotAllowed
from bot.app.unanswered import UnansweredGroup, UnansweredLog
from bot.app.web_signin import ConsoleUser
from bot.core.clock import Clock
from bot.core.guide_draft import TITLE_MAX, clean_title

LIST_LIMIT = 50
CACHED_LISTS = 32
ASSIGNED, OUT_OF_SCOPE, DRAFT_STARTED = "assigned", "out_of_scope", "draft_started"
DRAFT_QUESTIONS = 50  # of a group's phrasings, the most asked, kept in a guide draft


class GroupGone(LookupError):
    """No group with this phrasing in the viewer's list (decided already, or never there)."""


class UnknownGuide(LookupError):
    pass


class UnansweredDesk:
    def __init__(self, uow: Transactions, clock: Clock, log: UnansweredLog, learning: Learning):
        self.uow, self.clock, self.log, self.learning = uow, clock, log, learning
        self._cache: dict[tuple[frozenset[str] | None, int], tuple[tuple[int, ...], list[UnansweredGroup]]] = {}

    @staticmethod
    def wards(user: ConsoleUser) -> set[str] | None:
        """Wards whose questions the user may see and act on: None = all (admin)."""
        if user.is_admin:
            return None
        return user.person.wards_for(Role.STAFF) | user.person.wards_for(Role.OFFICIAL)

    def _scope(self, user: ConsoleUser, ward_id: str | None) -> set[str] | None:
        allowed = self.wards(user)
        if allowed is not None and not allowed:
            raise NotAllowed("no ward")
        if ward_id is None:
            return allowed
        if allowed is not None and ward_id not in allowed:
            raise NotAllowed(ward_id)
        return {ward_id}

    async def groups(self, user: ConsoleUser, ward_id: str | None, limit: int = LIST_LIMIT) -> list[UnansweredGroup]:
        """The largest groups first; `ward_id` None: every ward the user may see."""
        scope = self._scope(user, ward_id)
        key = (frozenset(scope) if scope is not None else None, limit)
        async with self.uow() as tx:
            fingerprint = await tx.unanswered.fingerprint()
        cached = self._cache.get(key)
        if cached is not None and cached[0] == fingerprint:
            return list(cached[1])
        groups = await self.log.report(limit, wards=scope, skip_decided=True)
        if len(self._cache) >= CACHED_LISTS:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = (fingerprint, groups)
        return list(groups)

    async def _group(self, user: ConsoleUser, ward_id: str | None, text: str) -> UnansweredGroup:
        for g in await self.groups(user, ward_id, limit=10_000):
            if g.text == text:
                return g
        raise GroupGone(text)

    async def assign(self, user: ConsoleUser, ward_id: str | None, text: str, guide_id: str) -> int:
        """The group's phrasings suggested for `guide_id` (pending review); how many are new."""
        self._scope(user, ward_id)
        if self.learning.content.guide(guide_id) is None:
            raise UnknownGuide(guide_id)
        g = await self._group(user, ward_id, text)
        added = await self.learning.suggest(guide_id, g.phrasings or (g.text,), f"web:{user.person.id}")
        await self._record(user, ward_id, g, ASSIGNED, guide_id, f"{g.text} → {guide_id} ({added} new)")
        return added

    async def out_of_scope(self, user: ConsoleUser, ward_id: str | None, text: str) -> UnansweredGroup:
        self._scope(user, ward_id)
        g = await self._group(user, ward_id, text)
        await self._record(user, ward_id, g, OUT_OF_SCOPE, None, g.text)
        return g

    async def start_draft(self, user: ConsoleUser, ward_id: str | None, text: str) -> int:
        """A new guide draft holding the group's questions (as the page shows them, most asked first),
        titled by its most asked phrasing; the group leaves the list. The draft's id."""
        self._scope(user, ward_id)
        g = await self._group(user, ward_id, text)
        targets = self._targets(user, ward_id, g)
        mine = self.wards(user)
        # whose draft: the ward picked, or the group's one ward; every ward's (admins only) otherwise
        owner = targets[0] if len(targets) == 1 else next((w for w in g.wards if mine is not None and w in mine), None)
        phrasings = g.phrasings or (g.text,)
        title = clean_title(g.text)[:TITLE_MAX].rstrip()
        now = self.clock.now()
        async with self.uow() as tx:
            draft = await tx.drafts.add(
                ward_id=owner,
                title=title,
                questions=phrasings[:DRAFT_QUESTIONS],
                created_by=user.person.id,
                now=now,
            )
            await self._decide(tx, user, targets, g, DRAFT_STARTED, f"draft:{draft.id}", f"{g.text} → #{draft.id}")
        return draft.id

    @staticmethod
    def _targets(user: ConsoleUser, ward_id: str | None, g: UnansweredGroup) -> list[str | None]:
        """Off the list of the ward picked; of every ward for an admin looking at all of them; of each
        of the group's wards that are the person's own otherwise."""
        mine = UnansweredDesk.wards(user)
        if ward_id is not None:
            return [ward_id]
        if mine is None:
            return [None]
        return [*sorted(set(g.wards) & mine)]

    async def _record(
        self, user: ConsoleUser, ward_id: str | None, g: UnansweredGroup, decision: str, guide: str | None, detail: str
    ) -> None:
        async with self.uow() as tx:
            await self._decide(tx, user, self._targets(user, ward_id, g), g, decision, guide, detail)

    async def _decide(
        self,
        tx: UnitOfWork,
        user: ConsoleUser,
        targets: list[str | None],
        g: UnansweredGroup,
        decision: str,
        guide: str | None,
        detail: str,
    ) -> None:
        now = self.clock.now()
        for w in targets:
            await tx.unanswered.decide(w, g.phrasings or (g.text,), decision, guide, user.person.id, now)
        audit_ward = targets[0] if len(targets) == 1 else None
        await tx.tickets.audit(None, audit_ward, user.person.id, f"unanswered_{decision}", detail, now)
