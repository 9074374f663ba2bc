"""One screen, rendered for Zalo as numbered text, and replies read back to the same buttons.

The screens are built like the guide screens of bot/app/resident_flow.py (same labels and
action strings), by hand, so this test does not depend on the flow's wiring.
"""

from __future__ import annotations

import pytest

from bot.adapters.zalo.render import choices, footer, parse_reply, render
from bot.core.screens import Button, Screen, rows

MENU = Button("🏠 Về menu", "menu")


def step_screen() -> Screen:
    """Step 2 of 5 of a guide without a check question."""
    return Screen(
        "📘 Cài ứng dụng iHanoi\nBước 2/5\n\nBác mở CH Play, gõ “iHanoi” vào ô tìm kiếm.",
        rows(
            [Button("◀ Quay lại", "g:ihanoi_install:0"), Button("Tiếp ▶", "g:ihanoi_install:2")],
            Button("😟 Tôi bị kẹt ở bước này", "stuck:ihanoi_install:1"),
            MENU,
        ),
    )


def checked_step_screen() -> Screen:
    """A step with a check question: "Được rồi, tiếp" and "Chưa được" (which means stuck)."""
    return Screen(
        "📘 Cài ứng dụng iHanoi\nBước 3/5\n\n❓ Bác đã thấy biểu tượng iHanoi chưa?",
        rows(
            Button("✅ Được rồi, tiếp ▶", "g:ihanoi_install:3"),
            [Button("◀ Quay lại", "g:ihanoi_install:1"), Button("❌ Chưa được", "stuck:ihanoi_install:2")],
            Button("😟 Tôi bị kẹt ở bước này", "stuck:ihanoi_install:2"),
            MENU,
        ),
    )


def last_step_screen() -> Screen:
    return Screen(
        "📘 Cài ứng dụng iHanoi\nBước 5/5\n\n❓ Bác đã làm được chưa?",
        rows(
            [Button("✅ Làm được rồi", "done:ihanoi_install:1"), Button("❌ Chưa làm được", "done:ihanoi_install:0")],
            [Button("◀ Quay lại", "g:ihanoi_install:3")],
            Button("😟 Tôi bị kẹt ở bước này", "stuck:ihanoi_install:4"),
            Button("📤 Gửi cho con cháu", "share:ihanoi_install"),
            Button("🔗 Trang chính thức", url="https://ihanoi.hanoi.gov.vn"),
            MENU,
        ),
    )


def test_step_renders_numbered_choices_with_fixed_menu_and_stuck_numbers() -> None:
    text = render(step_screen())
    assert text.startswith("📘 Cài ứng dụng iHanoi\nBước 2/5")
    assert "1. Tiếp ▶\n2. ◀ Quay lại\n9. 😟 Tôi bị kẹt ở bước này\n0. 🏠 Về menu" in text
    assert text.endswith("👉 Trả lời 1 để tiếp tục, 2 để quay lại, 9 nếu bị kẹt, 0 để về menu.")


def test_numbering_is_stable_for_the_same_screen() -> None:
    assert choices(step_screen()) == choices(step_screen())
    assert render(step_screen()) == render(step_screen())


def test_url_buttons_are_links_not_choices() -> None:
    s = last_step_screen()
    text = render(s)
    assert "\n🔗 Trang chính thức: https://ihanoi.hanoi.gov.vn\n" in text
    assert all(c.label != "🔗 Trang chính thức" for c in choices(s))
    assert [(c.number, c.action) for c in choices(s)] == [
        (1, "done:ihanoi_install:1"),
        (2, "done:ihanoi_install:0"),
        (3, "g:ihanoi_install:3"),
        (4, "share:ihanoi_install"),
        (9, "stuck:ihanoi_install:4"),
        (0, "menu"),
    ]


@pytest.mark.parametrize(
    ("reply", "action"),
    [
        ("1", "g:ihanoi_install:2"),
        (" 2 ", "g:ihanoi_install:0"),
        ("1.", "g:ihanoi_install:2"),
        ("số 1", "g:ihanoi_install:2"),
        ("9", "stuck:ihanoi_install:1"),
        ("0", "menu"),
        ("tiếp", "g:ihanoi_install:2"),
        ("Tiep", "g:ihanoi_install:2"),
        ("tiếp tục ạ", "g:ihanoi_install:2"),
        ("quay lại", "g:ihanoi_install:0"),
        ("quay lai", "g:ihanoi_install:0"),
        ("menu", "menu"),
        ("Về menu", "menu"),
        ("kẹt", "stuck:ihanoi_install:1"),
        ("ket", "stuck:ihanoi_install:1"),
        ("bác bị kẹt", "stuck:ihanoi_install:1"),
        ("TÔI BỊ KẸT Ở BƯỚC NÀY", "stuck:ihanoi_install:1"),
    ],
)
def test_numbers_and_words_map_back_to_the_buttons(reply: str, action: str) -> None:
    assert parse_reply(reply, step_screen()) == action


@pytest.mark.parametrize("reply", ["7", "42", "", "   ", "cài iHanoi thế nào", "làm sao để đăng ký tài khoản VNeID ạ"])
def test_other_text_is_not_a_menu_answer(reply: str) -> None:
    assert parse_reply(reply, step_screen()) is None


def test_checked_step_keeps_9_for_stuck_and_tiep_for_the_ok_button() -> None:
    s = checked_step_screen()
    assert [(c.number, c.label) for c in choices(s)] == [
        (1, "✅ Được rồi, tiếp ▶"),
        (2, "◀ Quay lại"),
        (3, "❌ Chưa được"),
        (9, "😟 Tôi bị kẹt ở bước này"),
        (0, "🏠 Về menu"),
    ]
    assert parse_reply("tiếp", s) == "g:ihanoi_install:3"
    assert parse_reply("được rồi", s) == "g:ihanoi_install:3"
    assert parse_reply("chưa được", s) == "stuck:ihanoi_install:2"
    assert parse_reply("kẹt", s) == "stuck:ihanoi_install:2"


def test_last_step_words() -> None:
    s = last_step_screen()
    assert parse_reply("làm được rồi", s) == "done:ihanoi_install:1"
    assert parse_reply("chua lam duoc", s) == "done:ihanoi_install:0"
    assert parse_reply("gửi cho con cháu", s) == "share:ihanoi_install"
    assert parse_reply("tiếp", s) is None  # there is no "next" on the last step


def test_first_step_has_no_back() -> None:
    s = Screen("Bước 1/5", rows(Button("Tiếp ▶", "g:x:1"), Button("😟 Tôi bị kẹt ở bước này", "stuck:x:0"), MENU))
    assert parse_reply("quay lại", s) is None
    assert render(s).endswith("👉 Trả lời 1 để tiếp tục, 9 nếu bị kẹt, 0 để về menu.")


def test_a_screen_without_buttons_has_no_footer() -> None:
    s = Screen("Đã lưu ✅")
    assert render(s) == "Đã lưu ✅"
    assert footer(s) == ""
    assert parse_reply("1", s) is None


def test_a_long_list_skips_9() -> None:
    s = Screen("Chọn hướng dẫn:", rows(*[Button(f"📘 Hướng dẫn {i}", f"g:guide{i}:0") for i in range(1, 11)], MENU))
    numbers = [c.number for c in choices(s)]
    assert numbers == [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 0]
    assert parse_reply("10", s) == "g:guide9:0"
    assert parse_reply("9", s) is None
    assert footer(s) == "👉 Trả lời số 1–11 để chọn, 0 để về menu."


def test_english_footer() -> None:
    assert footer(step_screen(), "en") == "👉 Reply 1 to go on, 2 to go back, 9 if stuck, 0 for the menu."


def test_the_checked_step_footer_gives_the_range() -> None:
    assert footer(checked_step_screen()) == "👉 Trả lời số 1–3 để chọn, 9 nếu bị kẹt, 0 để về menu."
