from bot.core.markup import bold_spans, plain


def test_bold_markers_become_spans_in_utf16_units():
    text, spans = bold_spans("📘 Bác bấm **Kích hoạt tài khoản** rồi **Gửi yêu cầu**.")
    assert text == "📘 Bác bấm Kích hoạt tài khoản rồi Gửi yêu cầu."
    # 📘 is two UTF-16 units: Telegram counts offsets that way
    assert spans == [(11, 19), (35, 11)]
    assert plain("Bấm **Mở tài khoản**") == "Bấm Mở tài khoản"


def test_text_without_markers_is_unchanged():
    assert bold_spans("2 * 3 = 6, a ** b") == ("2 * 3 = 6, a ** b", [])
