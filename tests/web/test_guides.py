"""The Guides pages: every guide in both languages with its steps and branches, its deep link and QR
code, usage figures for officials only, and A4 poster PDFs (one page, a QR code that opens the guide)."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import zxingcpp

from tests.telegram.test_announcements import ADMIN, OFFICIAL, ward_with_groups
from tests.telegram.test_helpdesk_roundtrip import staff_group
from tests.web.console_kit import signed_in
from tests.web.test_overview import seeded

LINK = "https://t.me/TroLySoPhuongBot?start=vneid-recover__forgot-passcode"


def pdf_pages(data: bytes) -> list[pdfium.PdfPage]:
    assert data.startswith(b"%PDF-")
    return list(pdfium.PdfDocument(data))


def qr_codes(page: pdfium.PdfPage) -> list[str]:
    image = page.render(scale=150 / 72).to_pil()
    return [c.text for c in zxingcpp.read_barcodes(image) if c.format == zxingcpp.BarcodeFormat.QRCode]


async def test_staff_read_a_guide_in_both_languages_with_its_link_qr_code_and_poster(harness):
    await staff_group(harness, forum=False)
    g = harness.app.content.guide("vneid-recover/forgot-passcode")
    async with signed_in(harness, 2001) as web:
        listing = await web.get("/guides")
        assert listing.status_code == 200 and 'href="/guides/vneid-recover/forgot-passcode"' in listing.text
        assert "Số liệu sử dụng dành cho cán bộ phụ trách thông báo" in listing.text  # no figures for staff
        page = await web.get("/guides/vneid-recover/forgot-passcode")
        assert page.status_code == 200
        html = page.text
        for text in (g.title.vi, g.title.en, g.steps[0].text.vi, g.steps[0].text.en):
            assert text.replace("'", "&#39;").replace('"', "&#34;") in html or text in html
        assert LINK in html and '<svg width="' in html and 'class="segno"' in html
        assert 'href="/guides/vneid-recover"' in html  # its parent guide
        assert "Số liệu sử dụng" not in html
        poster = await web.get("/guides/poster.pdf", params={"guide": g.id, "lang": "vi"})
        assert poster.status_code == 200 and poster.headers["content-type"] == "application/pdf"
        assert 'filename="poster-vneid-recover-forgot-passcode.pdf"' in poster.headers["content-disposition"]
        (sheet,) = pdf_pages(poster.content)
        assert qr_codes(sheet) == [LINK]
        assert "UBND phường Tây Hồ" in " ".join(sheet.get_textpage().get_text_range().split())  # their ward
        # staff have no figures, so no ward poster of the most used guides
        assert (await web.get("/guides/ward-poster.pdf", params={"ward": "tay-ho"})).status_code == 403


async def test_a_guide_with_branches_shows_each_branch_and_where_it_leads(harness):
    await staff_group(harness, forum=False)
    g = next(g for g in harness.app.content.guides.values() if any(s.branches for s in g.steps))
    branch = next(b for s in g.steps for b in s.branches)
    async with signed_in(harness, 2001) as web:
        html = (await web.get(f"/guides/{g.id}")).text
    assert html.count('<details class="branch">') == 2 * sum(len(s.branches) for s in g.steps)  # vi and en
    assert branch.label.vi in html and branch.label.en in html
    assert branch.steps[0].text.vi.replace("'", "&#39;").replace('"', "&#34;") in html


async def test_an_official_sees_usage_and_downloads_the_ward_poster_of_its_most_used_guides(harness):
    await ward_with_groups(harness)
    await seeded(harness)
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        listing = await web.get("/guides")
        cells = r'<a href="/guides/ihanoi-install">[^<]+</a>\s*</td>\s*<td>(\d+)</td><td>(\d+)</td>'
        row = re.search(cells, listing.text)
        assert row and row.groups() == ("2", "0")
        page = await web.get("/guides/ihanoi-install")
        assert "Người dân dừng ở bước nào: Cài ứng dụng iHanoi" in page.text
        assert "<tr><td>2</td><td>1</td><td>1</td><td>1</td></tr>" in page.text
        poster = await web.get("/guides/ward-poster.pdf", params={"ward": "tay-ho"})
        assert poster.status_code == 200 and poster.headers["content-type"] == "application/pdf"
        (sheet,) = pdf_pages(poster.content)
        codes = qr_codes(sheet)
        assert len(codes) == 8 and "https://t.me/TroLySoPhuongBot?start=ihanoi-install" in codes
        assert (await web.get("/guides/ward-poster.pdf", params={"ward": "phu-thuong"})).status_code == 404
        assert (await web.get("/guides", params={"ward": "phu-thuong"})).status_code == 404


async def test_an_admin_picks_a_ward_for_its_poster_and_unknown_guides_are_not_found(harness):
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        listing = await web.get("/guides")
        assert "Chọn một phường để tải tờ A4 của phường." in listing.text
        r = await web.get("/guides/ward-poster.pdf")
        assert r.status_code == 400 and "Chọn một phường" in r.text
        assert (await web.get("/guides/ward-poster.pdf", params={"ward": "phu-thuong"})).status_code == 200
        assert (await web.get("/guides/no-such-guide")).status_code == 404
        assert (await web.get("/guides/<script>alert(1)</script>")).status_code == 404
        r = await web.get("/guides/poster.pdf", params={"guide": "<script>"})
        assert r.status_code == 404 and "<script>" not in r.text
        english = await web.get("/guides/poster.pdf", params={"guide": "ihanoi-install", "lang": "en"})
        (sheet,) = pdf_pages(english.content)
        assert "Install the iHanoi app" in " ".join(sheet.get_textpage().get_text_range().split())


async def test_a_guide_page_shows_its_step_picture(harness):
    await staff_group(harness, forum=False)
    async with signed_in(harness, 2001) as web:
        page = await web.get("/guides/vneid-recover/forgot-passcode")
        assert '<img src="/guide-pictures/vneid-recover/forgot-passcode?step=3"' in page.text
        png = await web.get("/guide-pictures/vneid-recover/forgot-passcode", params={"step": 3})
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG")
        none = await web.get("/guide-pictures/vneid-recover/forgot-passcode", params={"step": 1})
        assert none.status_code == 404
