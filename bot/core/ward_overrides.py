"""A ward office's values edited in the web console, laid over what content/wards.yaml says.

An override holds only what differs from the YAML (None: "as wards.yaml has it"); removing it brings
the YAML values back. Validation of what an official types: `parse_office_form`. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from bot.core.content import Text, Ward

MAX_ADDRESS = 200
MAX_HOURS = 200
MAX_PHONES = 5
PHONE_DIGITS = (8, 15)
MAX_TDPS = 200
MAX_TDP_CHARS = 40  # the column a resident's tổ is kept in
MAX_TDP_BYTES = 60  # a resident picks it by a button: "tdp:<name>" in Telegram's 64 bytes of button data
MAX_FIELD_INPUT = 10_000  # characters read of one posted field at most (the rest is refused, not parsed)

PHONE_RE = re.compile(r"\+?[0-9][0-9 .]*")
LIST_SPLIT = re.compile(r"[,;\n]")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Neighbourhoods = tuple[str, ...] | Literal["unknown"]


@dataclass(frozen=True)
class OfficeOverride:
    """One ward's edited values; a None field keeps the YAML's. `hours` None with `hours_cleared`:
    the console removed the hours (the bot says it does not know them)."""

    ward_id: str
    address: str | None = None  # "" = removed
    hours: Text | None = None
    hours_cleared: bool = False
    phones: tuple[str, ...] | None = None
    neighbourhoods: Neighbourhoods | None = None
    updated_at: dt.datetime | None = None
    updated_by: int | None = None

    @property
    def fields(self) -> frozenset[str]:
        """The values this override changes: of "address", "hours", "phones", "neighbourhoods"."""
        out = set()
        if self.address is not None:
            out.add("address")
        if self.hours is not None or self.hours_cleared:
            out.add("hours")
        if self.phones is not None:
            out.add("phones")
        if self.neighbourhoods is not None:
            out.add("neighbourhoods")
        return frozenset(out)

    @property
    def empty(self) -> bool:
        return not self.fields


def overlay(base: Ward, o: OfficeOverride | None) -> Ward:
    """`base` (as wards.yaml has it) with the override's values; an edited address is the ward's own
    word, so it is no longer marked uncertain."""
    if o is None or o.empty:
        return base
    office: dict[str, object] = {}
    if o.address is not None:
        office["address"] = o.address or None
        office["address_uncertain"] = False
    if o.hours is not None or o.hours_cleared:
        office["hours"] = o.hours
    if o.phones is not None:
        office["phones"] = list(o.phones)
    ward: dict[str, object] = {"office": base.office.model_copy(update=office)} if office else {}
    if o.neighbourhoods is not None:
        ward["neighbourhoods"] = "unknown" if o.neighbourhoods == "unknown" else list(o.neighbourhoods)
    return base.model_copy(update=ward)


@dataclass
class OfficeForm:
    """What the edit form shows and posts, as typed (kept when it is refused)."""

    address: str = ""
    hours_vi: str = ""
    hours_en: str = ""
    phones: str = ""
    tdps: str = ""

    @classmethod
    def of(cls, w: Ward) -> OfficeForm:
        o = w.office
        return cls(
            address=o.address or "",
            hours_vi=o.hours.vi if o.hours else "",
            hours_en=o.hours.en if o.hours else "",
            phones="\n".join(o.phones),
            tdps="" if w.neighbourhoods == "unknown" else "\n".join(w.neighbourhoods),
        )


@dataclass
class OfficeFormErrors(ValueError):
    """Field name → error code (`web.office_err_<code>`)."""

    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{k}: {v}" for k, v in self.errors.items())


def _line(text: str) -> str:
    """One line of text: control characters and runs of spaces become one space."""
    return " ".join(CONTROL.sub(" ", text).split())


def _items(text: str) -> list[str]:
    return [x for x in (_line(p) for p in LIST_SPLIT.split(text)) if x]


def phone_problem(phone: str) -> str | None:
    if not PHONE_RE.fullmatch(phone):
        return "phone_chars"
    digits = sum(c.isdigit() for c in phone)
    if not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        return "phone_digits"
    if phone.startswith("+") and not phone.startswith("+84"):
        return "phone_country"
    if not phone.startswith(("+84", "0", "1")):  # 0… landlines and mobiles, 1800/1900 numbers
        return "phone_vn"
    return None


@dataclass(frozen=True)
class ParsedOffice:
    address: str | None
    hours: Text | None
    phones: tuple[str, ...]
    neighbourhoods: Neighbourhoods


def parse_office_form(f: OfficeForm) -> ParsedOffice:
    """The typed values, checked (`OfficeFormErrors` names every field that is wrong)."""
    errors: dict[str, str] = {}
    if any(len(v) > MAX_FIELD_INPUT for v in (f.address, f.hours_vi, f.hours_en, f.phones, f.tdps)):
        raise OfficeFormErrors({"form": "too_long"})
    address = _line(f.address)
    if len(address) > MAX_ADDRESS:
        errors["address"] = "address_long"
    hours_vi, hours_en = _line(f.hours_vi), _line(f.hours_en)
    for name, value in (("hours_vi", hours_vi), ("hours_en", hours_en)):
        if len(value) > MAX_HOURS:
            errors[name] = "hours_long"
    if hours_en and not hours_vi and "hours_vi" not in errors:
        errors["hours_vi"] = "hours_vi_missing"
    phones = _items(f.phones)
    if len(phones) > MAX_PHONES:
        errors["phones"] = "phones_many"
    else:
        for p in phones:
            if problem := phone_problem(p):
                errors["phones"] = problem
                break
        else:
            if len({re.sub(r"\D", "", p) for p in phones}) != len(phones):
                errors["phones"] = "phones_dup"
    tdps = _items(f.tdps)
    if len(tdps) > MAX_TDPS:
        errors["tdps"] = "tdps_many"
    elif any(len(t) > MAX_TDP_CHARS for t in tdps):
        errors["tdps"] = "tdp_long"
    elif any(len(t.encode()) > MAX_TDP_BYTES for t in tdps):
        errors["tdps"] = "tdp_button"
    elif len({t.casefold() for t in tdps}) != len(tdps):
        errors["tdps"] = "tdps_dup"
    if errors:
        raise OfficeFormErrors(errors)
    return ParsedOffice(
        address=address or None,
        hours=Text(vi=hours_vi, en=hours_en or hours_vi) if hours_vi else None,
        phones=tuple(phones),
        neighbourhoods=tuple(tdps) if tdps else "unknown",
    )


def override_from(base: Ward, p: ParsedOffice, ward_id: str) -> OfficeOverride:
    """Only what differs from the YAML is kept: a value typed back to the YAML's goes back to the YAML."""
    o = base.office
    base_tdps: Neighbourhoods = "unknown" if base.neighbourhoods == "unknown" else tuple(base.neighbourhoods)
    return OfficeOverride(
        ward_id=ward_id,
        address=None if p.address == o.address else (p.address or ""),
        hours=None if p.hours == o.hours else p.hours,
        hours_cleared=p.hours is None and o.hours is not None,
        phones=None if p.phones == tuple(o.phones) else p.phones,
        neighbourhoods=None if p.neighbourhoods == base_tdps else p.neighbourhoods,
    )
