"""A guide step with a picture arrives as a photo with the step as its caption (real dispatcher, fake Bot API)."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.pictures import as_png
from bot.settings import PROJECT_ROOT

PICTURE_STEP = 5  # vneid-activate: "Có tin nhắn rồi, bác mở ứng dụng VNeID và bấm **Kích hoạt tài khoản**."


async def test_a_step_with_a_picture_is_sent_as_a_photo_with_its_caption(harness):
    a = await harness.onboarded()
    out = await a.send("/start vneid-activate")
    for _ in range(PICTURE_STEP):
        out = await a.press("Tiếp")
    photo = out[-1]
    assert photo.method == "sendphoto"
    assert f"Bước {PICTURE_STEP + 1}/" in photo.text and "Kích hoạt tài khoản" in photo.text
    assert "**" not in photo.text  # the label is a bold entity, not raw markers
    assert "Tiếp ▶" in photo.button_labels  # the step's buttons stay under the photo
    out = await a.press("Tiếp")
    assert out[-1].method == "sendmessage" and f"Bước {PICTURE_STEP + 2}/" in out[-1].text


def test_every_picture_source_draws_a_png_once(tmp_path):
    sources = sorted((PROJECT_ROOT / "content" / "pictures").glob("*.yaml"))
    assert len(sources) >= 10
    for src in sources:
        png = Path(as_png(str(src), tmp_path))
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert as_png(str(src), tmp_path) == str(png)  # cached: same file, not drawn again
    assert len(list(tmp_path.glob("*.png"))) == len(sources)
