"""Home visits' texts: team members and staff are addressed plainly, residents as "bác" by "cháu"."""

from __future__ import annotations

from bot.core.i18n import Texts
from bot.core.visits import LOG_FIELDS

TEAM_KEYS = [
    "card",
    "status_open",
    "status_taken",
    "status_proposed",
    "status_scheduled",
    "status_done",
    "status_cancelled",
    "taken_you",
    "taken_by",
    "take_first",
    "not_yours",
    "team_cancelled",
    "team_done_already",
    "pick_time",
    "proposed",
    "team_time_ok",
    "team_time_no",
    "team_cancel_note",
    "team_edit_note",
    "log_form",
    "log_note_prompt",
    "log_saved",
    "log_summary",
    "bind_usage",
    "bound",
    "reminder",
    "staff_note",
    "digest",
    "digest_row",
]
RESIDENT_KEYS = [
    "ask_to",
    "ask_description",
    "ask_phone",
    "summary",
    "sent",
    "sent_no_team",
    "resident_taken",
    "resident_proposed",
    "rate_ask",
    "cancel_confirm",
    "time_ok",
]


def test_team_texts_are_plain_and_resident_texts_say_bac():
    t = Texts()
    for key in TEAM_KEYS:
        text = t("vi", f"visits.{key}").casefold()
        assert "bác" not in text and "cháu" not in text, (key, text)
    for key in RESIDENT_KEYS:
        assert "bác" in t("vi", f"visits.{key}").casefold(), key


def test_button_labels_fit_a_phone_screen():
    t = Texts()
    keys = [k for k in t.catalogs["vi"] if k.startswith("visits.btn_")] + [f"visits.log_{f}" for f in LOG_FIELDS]
    for key in keys:
        for lang in ("vi", "en"):
            assert len(t(lang, key)) <= 32, (lang, key)
