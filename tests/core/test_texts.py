from bot.core.i18n import Texts


def test_every_text_exists_in_vietnamese_and_english():
    assert Texts().missing() == {"en": set(), "vi": set()}


def test_placeholders_are_filled_and_unknown_ones_left_visible():
    t = Texts()
    assert t("en", "resident.step_label", n=2, total=6) == "Step 2/6"
    assert t("vi", "resident.step_label", n=2, total=6) == "Bước 2/6"


# Texts only staff, officials and admins read: addressed plainly, never "bác" / "cháu" like a resident.
STAFF_KEYS = [
    *[
        f"tickets.{k}"
        for k in [
            "claim_won",
            "claim_lost",
            "not_allowed",
            "not_allowed_cmd",
            "not_staff_reply",
            "admin_only",
            "no_ticket_here",
            "note_saved",
            "resident_blocked",
            "ticket_closed",
            "bound",
            "group_not_bound",
            "granted",
            "revoked",
            "queued_admin",
            "group_lost_admin",
        ]
    ],
    *[
        f"announcements.{k}"
        for k in [
            "compose_start",
            "compose_media_only_photo",
            "confirm_prompt",
            "use_buttons",
            "created_scheduled",
            "created_pending",
            "approval_request",
            "missed",
            "report_held",
            "err_not_allowed",
            "err_too_long",
            "err_too_long_caption",
            "err_no_neighbourhoods",
            "err_in_past",
            "err_own_notice",
        ]
    ],
    *[
        f"confirm.{k}"
        for k in ["close_ticket", "kept_open", "cancel_notice", "withdraw_notice", "notice_kept", "discard_draft"]
    ],
]


def test_staff_and_official_texts_address_people_plainly():
    t = Texts()
    for key in STAFF_KEYS:
        text = t("vi", key).casefold()
        assert "bác" not in text and "cháu" not in text, (key, text)
