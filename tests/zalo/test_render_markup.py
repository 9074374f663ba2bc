from bot.adapters.zalo.render import render
from bot.core.screens import Button, Screen, rows


def test_bold_labels_show_plain_on_zalo():
    screen = Screen("Bác bấm **Kích hoạt tài khoản**.", rows(Button("Tiếp ▶", "g:vneid-activate:6")))
    text = render(screen)
    assert "Bác bấm Kích hoạt tài khoản." in text and "**" not in text
