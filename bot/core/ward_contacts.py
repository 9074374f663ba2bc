"""A ward's contacts, in one place: office, address, hours and phones from content/wards.yaml, then the
public hotlines. The help desk's messages and the ward-contact card show the same text; what wards.yaml
does not know (no hours, no phone yet) is said plainly, never guessed."""

from __future__ import annotations

from bot.core.content import Content
from bot.core.i18n import Texts


def contacts_text(content: Content, texts: Texts, lang: str, ward_id: str | None) -> str:
    """The card for one ward (every ward when `ward_id` is unknown)."""
    lines = [texts(lang, "resident.contacts_title")]
    ward = content.ward(ward_id) if ward_id else None
    for w in [ward] if ward else list(content.wards.values()):
        o = w.office
        lines.append(texts(lang, "resident.contacts_office", name=o.name.get(lang)))
        if o.address:
            key = "resident.contacts_address_uncertain" if o.address_uncertain else "resident.contacts_address"
            lines.append(texts(lang, key, address=o.address))
        lines.append(
            texts(lang, "resident.contacts_hours", hours=o.hours.get(lang))
            if o.hours
            else texts(lang, "resident.contacts_hours_unknown")
        )
        lines.append(
            texts(lang, "resident.contacts_phones", phones=", ".join(o.phones))
            if o.phones
            else texts(lang, "confirm.contacts_phone_unknown")
        )
    lines.append(texts(lang, "resident.contacts_police"))
    for h in content.hotlines:
        lines.append(texts(lang, "resident.contacts_hotline", label=h.label.get(lang), number=h.number))
    return "\n".join(lines)
