"""How a notice looks: to a resident in private (with "Đã hiểu"), in a group, in a summary, in a report.

A mixin of AnnouncementService; `render` is what the delivery worker calls for each outbox row.
"""

from __future__ import annotations

from typing import Protocol

from bot.app.delivery import Item, Outgoing
from bot.app.notice_model import Audience, Notice, OccurrenceReport, Status, notice_of
from bot.app.ports import Transactions
from bot.core.content import Content
from bot.core.i18n import Texts
from bot.core.schedule import Schedule, format_local
from bot.core.screens import Button, Screen, rows

GROUP_LANG = "vi"  # a tổ's group shares one language: the ward's


class ZaloText(Protocol):
    """A notice's text as Zalo shows it (`ConsultationService.zalo_text`): Zalo has no buttons nor deep links."""

    def __call__(self, text: str, *, group: bool = False) -> str: ...


class NoticeViewMixin:
    uow: Transactions
    t: Texts
    content: Content
    _render_cache: dict[tuple[int, str, str], Outgoing]
    private_channels: list[str]
    zalo_link: str | None  # ZALO_BOT_LINK: the bot's Zalo address as the operator gave it, or None
    zalo_text: ZaloText | None

    def outgoing(self, notice: Notice, lang: str, private: bool, outbox_id: int) -> Outgoing:
        ward = self.content.ward(notice.ward_id)
        header = self.t(
            lang,
            "announcements.notice_urgent_header" if notice.urgent else "announcements.notice_header",
            ward=ward.name.get(lang) if ward else notice.ward_id,
        )
        text = f"{header}\n\n{notice.text}" if notice.text else header
        buttons = rows(Button(self.t(lang, "announcements.btn_ack"), f"an:ack:{outbox_id}")) if private else ()
        return Outgoing(Screen(text, buttons), notice.media_kind, notice.media_file_id)

    async def render(self, item: Item) -> Outgoing:
        """The outgoing message for one outbox row (notices cached per occurrence and language)."""
        key = (item.occurrence_id, item.lang, item.recipient_kind)
        base = self._render_cache.get(key)
        if base is None:
            async with self.uow() as tx:
                repo = tx.notices
                occ = await repo.occurrence(item.occurrence_id)
                row = await repo.get(occ.announcement_id) if occ else None
                if row is None:
                    raise LookupError(item.occurrence_id)
                base = self.outgoing(notice_of(row), item.lang, item.recipient_kind == "user", 0)
            if len(self._render_cache) > 256:
                self._render_cache.clear()
            self._render_cache[key] = base
        if item.recipient_kind != "user":
            return base
        return Outgoing(
            Screen(base.screen.text, rows(Button(base.screen.buttons[0][0].label, f"an:ack:{item.id}"))),
            base.media_kind,
            base.media_file_id,
        )

    async def render_zalo(self, item: Item) -> Outgoing:
        """`render` for the Zalo delivery worker: the same message, its text as Zalo shows it."""
        out = await self.render(item)
        if self.zalo_text is None:
            return out
        s = out.screen
        return Outgoing(Screen(self.zalo_text(s.text), s.buttons, s.image), out.media_kind, out.media_file_id)

    def summary(self, n: Notice, lang: str) -> str:
        audience = self.t(lang, f"announcements.audience_{n.audience.value}")
        if n.audience is Audience.NEIGHBOURHOODS:
            audience += " " + ", ".join(n.neighbourhoods)
        when = self.when_text(n.schedule, lang)
        urgent = " ⚡" if n.urgent else ""
        return self.t(lang, "announcements.summary", audience=audience, when=when, urgent=urgent)

    def list_item(self, n: Notice, sent: int, acked: int, lang: str) -> Screen:
        """One line of /announcements, with what may still be done to the notice."""
        body = n.text if len(n.text) <= 120 else n.text[:117] + "…"
        buttons: list[Button] = []
        if n.status in (Status.PENDING_APPROVAL, Status.SCHEDULED):
            if sent == 0:
                buttons.append(Button(self.t(lang, "announcements.btn_edit", id=n.id), f"an:edit:{n.id}"))
            buttons.append(Button(self.t(lang, "announcements.btn_cancel", id=n.id), f"an:cancel:{n.id}"))
        if n.status in (Status.SCHEDULED, Status.SENDING, Status.DONE) and sent:
            buttons.append(Button(self.t(lang, "announcements.btn_withdraw", id=n.id), f"an:wd:{n.id}"))
        return Screen(
            self.t(
                lang,
                "announcements.list_item",
                id=n.id,
                status=self.t(lang, f"announcements.status_{n.status.value}"),
                summary=self.summary(n, lang),
                text=body,
                sent=sent,
                acked=acked,
            ),
            rows(*buttons),  # one per row: "Huỷ" / "Thu hồi" never beside another button
        )

    def when_text(self, s: Schedule, lang: str) -> str:
        key = f"announcements.when_{s.repeat.value}"
        return self.t(lang, key, at=format_local(s.start), until=s.until.strftime("%d/%m/%Y") if s.until else "")

    def report_text(self, r: OccurrenceReport, lang: str) -> str:
        c = r.counts
        text = self.t(
            lang,
            "announcements.report",
            id=r.notice_id,
            at=format_local(r.fire_at),
            sent=c.get("sent", 0),
            failed=c.get("failed", 0),
            blocked=c.get("blocked", 0),
            uncertain=c.get("uncertain", 0),
            acked=r.acked,
        )
        if r.by_channel:  # more than one channel: each one's share
            text += "\n" + "\n".join(
                self.t(lang, "channels.report_line", channel=self.t(lang, f"channels.name_{ch}"), sent=s, total=n)
                for ch, (s, n) in sorted(r.by_channel.items())
            )
        if r.reasons:
            text += (
                "\n"
                + self.t(lang, "announcements.report_reasons")
                + "\n"
                + "\n".join(f"• {reason}: {n}" for reason, n in sorted(r.reasons.items(), key=lambda kv: -kv[1]))
            )
        return text

    async def zalo_group_texts(self, n: Notice, lang: str) -> tuple[str, str] | None:
        """For the official, when the Zalo channel runs and the ward has Zalo subscribers or known tổ:
        a note that the bot cannot post in Zalo groups (a basic Zalo bot has `can_join_groups: false`),
        and the text to paste into each tổ's Zalo group (the notice as groups get it, and the bot's
        Zalo link when ZALO_BOT_LINK is set). None when there is nothing to paste for."""
        if "zalo" not in self.private_channels:
            return None
        tdps = list(n.neighbourhoods) if n.audience is Audience.NEIGHBOURHOODS else None
        async with self.uow() as tx:
            has_zalo = bool(await tx.notices.subscribers(n.ward_id, tdps, "zalo"))
            has_tdp = has_zalo or bool(await tx.notices.neighbourhoods_known(n.ward_id))
        if not has_tdp:
            return None
        paste = self.outgoing(n, GROUP_LANG, private=False, outbox_id=0).screen.text
        if self.zalo_text is not None:
            paste = self.zalo_text(paste, group=True)
        if self.zalo_link:
            paste += "\n\n" + self.t(GROUP_LANG, "channels.zalo_group_link", link=self.zalo_link)
        return self.t(lang, "channels.zalo_group_note", id=n.id), paste
