"""A4 PDF posters: one page, Vietnamese text intact, and QR codes that a phone's camera reads as the deep link.

The page is rasterised with PDFium (pypdfium2) and the codes read back with zxing-cpp, as a camera would.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
import zxingcpp

from bot.adapters.web.posters import PosterError, PosterGuide, guide_link, guide_poster, ward_poster
from bot.core.content import Text, load_valid_content
from bot.core.i18n import Texts
from bot.settings import PROJECT_ROOT

A4 = (595, 842)  # points, ±1


@pytest.fixture(scope="module")
def content():
    return load_valid_content(PROJECT_ROOT / "content")


def _pages(pdf: bytes) -> list[pdfium.PdfPage]:
    assert pdf.startswith(b"%PDF-")
    return list(pdfium.PdfDocument(pdf))


def _read(page: pdfium.PdfPage) -> tuple[str, list[str]]:
    """The page's text and the QR codes found on it (rendered at 150 dpi, like a print scanned)."""
    text = page.get_textpage().get_text_range()
    image = page.render(scale=150 / 72).to_pil()
    codes = [c.text for c in zxingcpp.read_barcodes(image) if c.format == zxingcpp.BarcodeFormat.QRCode]
    return text, codes


def test_a_guide_poster_is_one_a4_page_whose_qr_code_opens_the_guide(content):
    guide = content.guide("vneid-recover/forgot-passcode")
    link = guide_link("TroLySoPhuongBot", guide.id)
    assert link == "https://t.me/TroLySoPhuongBot?start=vneid-recover__forgot-passcode"
    pdf = guide_poster(PosterGuide(guide, link), content.ward("tay-ho"), Texts())
    (page,) = _pages(pdf)
    assert tuple(round(v) for v in page.get_size()) in {A4, (595, 841)}
    text, codes = _read(page)
    assert codes == [link]
    flat = " ".join(text.split())
    # the fonts carry every diacritic: the text extracted is the title as written
    assert guide.title.vi in flat and "UBND phường Tây Hồ" in flat and link in flat
    assert "Giờ làm việc" not in flat  # the ward's hours are not known (content/wards.yaml): nothing invented


def test_a_guide_poster_prints_the_wards_hours_when_they_are_known_and_speaks_english(content):
    ward = content.ward("phu-thuong")
    office = ward.office.model_copy(update={"hours": Text(vi="Thứ Hai – Thứ Sáu, 8:00–17:00", en="Mon–Fri 8:00–17:00")})
    ward = ward.model_copy(update={"office": office})
    guide = content.guide("ihanoi-install")
    link = guide_link("TroLySoPhuongBot", guide.id)
    (page,) = _pages(guide_poster(PosterGuide(guide, link), ward, Texts()))
    assert "Giờ làm việc: Thứ Hai – Thứ Sáu, 8:00–17:00" in " ".join(_read(page)[0].split())
    (page,) = _pages(guide_poster(PosterGuide(guide, link), ward, Texts(), "en"))
    text, codes = _read(page)
    assert guide.title.en in " ".join(text.split()) and "Office hours: Mon–Fri 8:00–17:00" in text and codes == [link]


def test_a_ward_poster_has_its_eight_guides_each_with_a_code_that_opens_it(content):
    guides = list(content.guides.values())[:10]
    items = [PosterGuide(g, guide_link("TroLySoPhuongBot", g.id)) for g in guides]
    (page,) = _pages(ward_poster(content.ward("tay-ho"), items, Texts()))
    text, codes = _read(page)
    assert sorted(codes) == sorted(i.link for i in items[:8])  # the eight most used, no more
    flat = " ".join(text.split())
    assert "Phường Tây Hồ: hướng dẫn dùng nhiều nhất" in flat
    assert guides[0].title.vi.split()[0] in flat


def test_a_ward_poster_without_guides_is_refused_with_a_clear_message(content):
    with pytest.raises(PosterError, match="Chưa có hướng dẫn nào"):
        ward_poster(content.ward("tay-ho"), [], Texts())
