from bot.core.i18n import Texts


def test_every_text_exists_in_vietnamese_and_english():
    assert Texts().missing() == {"en": set(), "vi": set()}


def test_placeholders_are_filled_and_unknown_ones_left_visible():
    t = Texts()
    assert t("en", "resident.step_label", n=2, total=6) == "Step 2/6"
    assert t("vi", "resident.step_label", n=2, total=6) == "Bước 2/6"
