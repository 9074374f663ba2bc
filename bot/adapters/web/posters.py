"""Printable A4 posters (PDF) for the ward's notice board: one per guide, one per ward with its most
used guides, each with a big QR code to the guide's Telegram deep link (t.me/<bot>?start=<payload>,
the same link the bot's "Gửi cho con cháu" button shares: bot.app.resident_flow.deep_link_payload).

fpdf2 writes the PDF and embeds DejaVu Sans (Debian's fonts-dejavu-core, a free licence that allows
embedding; it covers every Vietnamese letter with its diacritics); segno makes the QR code, drawn as
vector squares so it prints sharp at any size. The ward's hours are printed only when content/wards.yaml
knows them; nothing is invented.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import segno
from fpdf import FPDF

from bot.app.resident_flow import deep_link_payload
from bot.core.content import Guide, Ward
from bot.core.i18n import Texts

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FAMILY = "DejaVu"
A4_W, MARGIN = 210.0, 15.0
WARD_POSTER_GUIDES = 8


class PosterError(ValueError):
    """A poster that cannot be made; the message says why (shown to the official)."""


@dataclass(frozen=True)
class PosterGuide:
    guide: Guide
    link: str


def guide_link(bot_username: str, guide_id: str) -> str:
    """The guide's Telegram deep link: opening it starts the bot at the guide's first step."""
    return f"https://t.me/{bot_username}?start={deep_link_payload(guide_id)}"


def font_files(dirs: Sequence[Path] = FONT_DIRS) -> dict[str, Path]:
    for d in dirs:
        files = {style: d / name for style, name in FONT_FILES.items()}
        if all(p.is_file() for p in files.values()):
            return files
    raise PosterError(
        "DejaVu Sans not found (looked in " + ", ".join(map(str, dirs)) + "): apt-get install fonts-dejavu-core"
    )


def _pdf(title: str, lang: str) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    for style, path in font_files().items():
        pdf.add_font(FAMILY, style, str(path))
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator("Trợ lý số phường")
    pdf.add_page()
    return pdf


def _qr(pdf: FPDF, link: str, x: float, y: float, size: float) -> None:
    """The QR code as filled squares (runs of dark modules per row), with its quiet zone inside `size`."""
    qr = segno.make(link, error="m", micro=False)
    matrix = qr.matrix
    border = 4  # the standard quiet zone, in modules
    module = size / (len(matrix) + 2 * border)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + (border + start) * module, y + (border + r) * module, (c - start) * module, module, "F")
            else:
                c += 1


def _text(pdf: FPDF, text: str, size: float, *, bold: bool = False, h: float | None = None, w: float = 0) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.multi_cell(w=w, h=h or size * 0.5, text=text, align="C", new_x="LMARGIN", new_y="NEXT")


def _ward_lines(ward: Ward | None, t: Texts, lang: str) -> list[str]:
    if ward is None:
        return []
    lines = [ward.office.name.get(lang)]
    if ward.office.hours is not None:
        lines.append(t(lang, "posters.hours", hours=ward.office.hours.get(lang)))
    return lines


def guide_poster(item: PosterGuide, ward: Ward | None, t: Texts, lang: str = "vi") -> bytes:
    """One A4 page: the guide's title and summary, a QR code 120 mm wide, the link written out, the ward."""
    g = item.guide
    pdf = _pdf(g.title.get(lang), lang)
    _text(pdf, t(lang, "posters.kicker"), 16, bold=True)
    pdf.ln(4)
    _text(pdf, g.title.get(lang), 30, bold=True, h=13)
    pdf.ln(3)
    _text(pdf, g.summary.get(lang), 15, h=7.5)
    size = 120.0
    y = max(pdf.get_y() + 6, 95.0)
    _qr(pdf, item.link, (A4_W - size) / 2, y, size)
    pdf.set_y(y + size + 2)
    _text(pdf, t(lang, "posters.scan"), 17, bold=True, h=8)
    pdf.ln(1)
    _text(pdf, item.link, 12, h=6)
    pdf.set_y(262)
    for line in _ward_lines(ward, t, lang):
        _text(pdf, line, 13, h=6.5)
    _text(pdf, t(lang, "posters.footer"), 10, h=5)
    return bytes(pdf.output())


def ward_poster(ward: Ward, items: Sequence[PosterGuide], t: Texts, lang: str = "vi") -> bytes:
    """One A4 page: the ward, then up to 8 guides (the most used first) in two columns, each with its QR code."""
    items = list(items)[:WARD_POSTER_GUIDES]
    if not items:
        raise PosterError(t(lang, "posters.no_guides"))
    pdf = _pdf(t(lang, "posters.ward_title", ward=ward.name.get(lang)), lang)
    _text(pdf, t(lang, "posters.ward_title", ward=ward.name.get(lang)), 24, bold=True, h=11)
    _text(pdf, t(lang, "posters.ward_intro"), 13, h=6.5)
    top = pdf.get_y() + 4
    col_w = (A4_W - 2 * MARGIN) / 2
    row_h, qr = 56.0, 44.0
    for i, item in enumerate(items):
        x = MARGIN + (i % 2) * col_w
        y = top + (i // 2) * row_h
        _qr(pdf, item.link, x, y, qr)
        pdf.set_xy(x + qr + 2, y + 6)
        pdf.set_font(FAMILY, "B", 13)
        pdf.multi_cell(w=col_w - qr - 4, h=6.2, text=item.guide.title.get(lang), align="L")
        pdf.set_x(x + qr + 2)
        pdf.set_font(FAMILY, "", 9.5)
        pdf.multi_cell(w=col_w - qr - 4, h=4.6, text=t(lang, "posters.scan_short"), align="L")
    pdf.set_y(max(top + ((len(items) + 1) // 2) * row_h + 2, 262))
    for line in _ward_lines(ward, t, lang):
        _text(pdf, line, 12, h=6)
    _text(pdf, t(lang, "posters.footer"), 10, h=5)
    return bytes(pdf.output())
