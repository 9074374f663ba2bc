"""The form of address (issue 11 item 5): chosen at onboarding or with /xung_ho; Bác by default."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.adapters.db.users import UserRow
from tests.telegram.test_helpdesk_roundtrip import staff_group

# "Bác" / "cháu" as forms of address ("con cháu" is "the grandchildren" and stays)
OLD_VOICE = re.compile(r"(?<!\w)(bác|cháu)(?!\w)", re.IGNORECASE)


def old_voice(text: str) -> list[str]:
    return OLD_VOICE.findall(text.replace("con cháu", "").replace("Con cháu", ""))


async def test_resident_who_chose_chi_is_called_chi_and_the_bot_says_em(harness):
    await staff_group(harness)
    a = await harness.onboarded(voice="Chị")
    # a guide step written for "Bác" in content/guides
    await a.press("Ứng dụng iHanoi")
    out = await a.press("Cài ứng dụng iHanoi")
    step = out[-1].text
    assert "Chị chuẩn bị điện thoại" in step and not old_voice(step), step
    # the stuck screen (with the ward's contacts)
    out = await a.press("Tôi bị kẹt ở bước này")
    stuck = "\n".join(m.text for m in out)
    assert "Chị có thể" in stuck and "em chưa có thông tin" in stuck
    assert not old_voice(stuck), stuck
    # the help desk: prompt, review and confirmation
    seen = await a.press("Hỏi cán bộ phường")
    seen += await a.send("em ơi chị không đăng nhập được VNeID")
    seen += await a.press("Gửi cho cán bộ")
    desk = "\n".join(m.text for m in seen).replace("em ơi chị không đăng nhập được VNeID", "")
    assert "Em đã gửi câu hỏi cho cán bộ" in desk and "Số phiếu của chị" in desk
    assert not old_voice(desk), desk
    menu = await a.send("/menu")
    assert menu[-1].text.startswith("📋 Chị cần giúp gì?")


async def test_xung_ho_changes_the_form_of_address(harness):
    a = await harness.onboarded()
    out = await a.send("/xung_ho")
    assert "Cháu nên gọi bác thế nào" in out[-1].text
    assert out[-1].button_labels == ["✅ Bác", "Anh", "Chị", "Cô", "Chú", "Em"]
    out = await a.press("Em")
    assert out[0].text == "Dạ, từ giờ mình xin gọi là Em ạ."
    assert out[-1].text.startswith("📋 Em cần giúp gì?")
    out = await a.send("/settings")
    assert "Cách xưng hô: mình gọi là Em" in out[-1].text
    await a.press("Đổi cách xưng hô")
    out = await a.press("Cô")
    assert out[0].text == "Dạ, từ giờ cháu xin gọi là Cô ạ."
    out = await a.send("/help")
    assert "bằng lời của cô" in out[-1].text and not old_voice(out[-1].text)
    async with harness.app.db.session() as s:
        row = (await s.execute(select(UserRow).where(UserRow.external_id == 1001))).scalar_one()
    assert row.voice == "co"


async def test_default_remains_bac_and_english_is_unchanged(harness):
    a = await harness.onboarded()
    out = await a.send("/menu")
    assert out[-1].text.startswith("📋 Bác cần giúp gì?")
    await a.press("Ứng dụng iHanoi")
    out = await a.press("Cài ứng dụng iHanoi")
    assert "Bác chuẩn bị điện thoại" in out[-1].text
    b = await harness.onboarded(user_id=1002, lang="English", ward="Tay Ho")  # no form-of-address step in English
    out = await b.send("/menu")
    assert "{ban}" not in out[-1].text and "Bác" not in out[-1].text
    async with harness.app.db.session() as s:
        rows = (await s.execute(select(UserRow.voice).order_by(UserRow.external_id))).scalars().all()
    assert list(rows) == ["bac", "bac"]
