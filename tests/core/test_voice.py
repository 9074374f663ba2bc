"""bot.core.voice: the locale placeholders and the guides' "Bác" / "cháu" rewritten per resident."""

from __future__ import annotations

from bot.core.i18n import Texts
from bot.core.voice import Lang, Voice, address, fill


def test_every_form_has_the_bots_word_for_itself():
    assert fill("{Toi} chào {ban} ạ. {Ban} cần gì?", Lang("vi", "chu")) == "Cháu chào chú ạ. Chú cần gì?"
    assert fill("{Toi} chào {ban} ạ.", Lang("vi", "anh")) == "Em chào anh ạ."
    assert fill("{Toi} chào {ban} ạ.", Lang("vi", "em")) == "Mình chào em ạ."
    assert fill("{Toi} chào {ban} ạ.", "vi") == "Cháu chào bác ạ."  # a plain code: the default
    assert Lang("vi", "nonsense").voice is Voice.BAC


def test_guide_text_keeps_doctors_and_grandchildren():
    text = "Bác mở ứng dụng. Nếu bác sĩ hỏi, bác nhờ con cháu hoặc cháu nội giúp; cháu gửi cán bộ."
    assert address(text, Lang("vi", "chi")) == (
        "Chị mở ứng dụng. Nếu bác sĩ hỏi, chị nhờ con cháu hoặc cháu nội giúp; em gửi cán bộ."
    )
    assert address(text, "vi") == text


def test_lang_is_still_its_code():
    lang = Lang("vi", "co")
    assert lang == "vi" and {"vi": 1}[lang] == 1
    assert Texts()(lang, "resident.menu_title").startswith("📋 Cô cần giúp gì?")
    assert "{" not in Texts()("en", "resident.menu_title")


def test_no_vietnamese_resident_text_says_bac_or_chau_outside_placeholders():
    """Resident texts use {ban} / {toi}; only "con cháu" and the printed posters keep the plain words."""
    cat = Texts().catalogs["vi"]
    for key, text in cat.items():
        if key.startswith("posters.") or key == "resident.ask_voice":  # says Bác is the default
            continue
        plain = text.replace("con cháu", "").replace("Con cháu", "")
        assert "bác" not in plain.lower() and "cháu" not in plain.lower(), key
