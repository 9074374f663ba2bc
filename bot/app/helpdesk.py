"""The help desk: carries questions from residents to their ward's staff group and answers back.

Channel-independent. Rules and records live in `TicketService` (bot.app.tickets); the use cases are
split by who acts:

    helpdesk_base      DeskBase: shared services, delivery of tickets to the staff group, rendering
    helpdesk_resident  ResidentDesk: ask, confirm, submit, follow-ups, /mytickets, close, resolve, rate
    helpdesk_staff     StaffDesk: answer, claim, close, move, /note, /guide
    helpdesk_admin     AdminDesk: /bind_ward, /grant_staff, /sla, /hours
    helpdesk_sla       SlaDesk: queued tickets, reminders, escalations, daily digests

`HelpDesk` is all of them in one object (what the composition root builds and the Telegram routers
receive). Everything reaches people through a `Sender` (Telegram: bot.adapters.telegram.desk_sender).
Resident-facing methods return the Screens to show; staff-facing ones return a short reply text.
"""

from __future__ import annotations

from bot.app.helpdesk_admin import AdminDesk
from bot.app.helpdesk_base import (
    CHANNEL,
    MAX_DRAFT_PARTS,
    MEDIA_KINDS,
    STAFF_LANG,
    Delivered,
    Delivery,
    DeskBase,
    Draft,
    Sender,
    StaffAnswer,
)
from bot.app.helpdesk_resident import ResidentDesk
from bot.app.helpdesk_sla import SlaDesk
from bot.app.helpdesk_staff import StaffDesk


class HelpDesk(ResidentDesk, StaffDesk, AdminDesk, SlaDesk):
    """Every help-desk use case on one object (they share `DeskBase.__init__`)."""


__all__ = [
    "CHANNEL",
    "MAX_DRAFT_PARTS",
    "MEDIA_KINDS",
    "STAFF_LANG",
    "AdminDesk",
    "Delivered",
    "Delivery",
    "DeskBase",
    "Draft",
    "HelpDesk",
    "ResidentDesk",
    "Sender",
    "SlaDesk",
    "StaffAnswer",
    "StaffDesk",
]
