"""The web console's unanswered questions: the groups a person may see, assigning one to a guide
(its phrasings become learned phrasings waiting for review, bot.app.learning) or marking it out of
scope. Both take the group off that ward's list and go to the audit log.

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
from bot.app.ports import Transactions
from bot.app.residents import Role
from bot.app.tickets import NotAllowed
from bot.app.unanswered import UnansweredGroup, UnansweredLog
from bot.app.web_signin import ConsoleUser
from bot.core.clock import Clock

LIST_LIMIT = 50
CACHED_LISTS = 32
ASSIGNED, OUT_OF_SCOPE = "assigned", "out_of_scope"


class GroupGone(LookupError):
    """No group with this phrasing in the viewer's list (decided already, or never there)."""


class UnknownGuide(LookupError):
    pass


class UnansweredDesk:
    def __init__(self, uow: Transactions, clock: Clock, log: UnansweredLog, learning: Learning):
        self.uow, self.clock, self.log, self.learning = uow, clock, log, learning
        self._cache: dict[tuple[frozenset[str] | None, int], tuple[tuple[int, int, int], list[UnansweredGroup]]] = {}

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

    async def _record(
        self, user: ConsoleUser, ward_id: str | None, g: UnansweredGroup, decision: str, guide: str | None, detail: str
    ) -> None:
        """Off the list of the ward picked; of every ward for an admin looking at all of them; of each
        of the group's wards that are the person's own otherwise."""
        mine = self.wards(user)
        targets: list[str | None]
        if ward_id is not None:
            targets = [ward_id]
        elif mine is None:
            targets = [None]
        else:
            targets = [*sorted(set(g.wards) & mine)]
        now = self.clock.now()
        async with self.uow() as tx:
            for w in targets:
                await tx.unanswered.decide(w, g.phrasings or (g.text,), decision, guide, user.person.id, now)
            audit_ward = targets[0] if len(targets) == 1 else None
            await tx.tickets.audit(None, audit_ward, user.person.id, f"unanswered_{decision}", detail, now)
