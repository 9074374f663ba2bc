"""Home visits (issue 13): a resident asks for someone to come and help at home; the community digital
team covering her tổ takes it, agrees a time with her, goes, fills the visit log; she rates the visit.

Use cases return screens for the person who acted, and reach others through a `VisitSender`. Who may
press a card's button is decided here: the card's own group only (a forged or foreign payload is
"Nút này không còn dùng được"), and after "Nhận" only the member who took it, or ward staff.
Phone numbers are shown only to that member (in an alert nobody else sees) and to ward staff.
"""

from __future__ import annotations

from bot.app.visit_base import Answer, VisitDraft, VisitSender
from bot.app.visit_progress import ProgressVisits
from bot.app.visit_resident import ResidentVisits
from bot.app.visit_team import TeamVisits


class VisitService(ResidentVisits, TeamVisits, ProgressVisits):
    """Every home-visit use case, on one unit-of-work factory, clock, texts and content."""


__all__ = ["Answer", "VisitDraft", "VisitSender", "VisitService"]
