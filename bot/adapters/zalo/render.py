"""Screens for Zalo: numbered text instead of buttons, and the reply read back to a button.

Zalo bots have no inline buttons, so the same :class:`~bot.core.screens.Screen` that Telegram
shows as a keyboard is shown here as text with numbered choices::

    📘 Cài iHanoi
    Bước 2/5
    ...

    1. Tiếp ▶
    2. ◀ Quay lại
    9. 😟 Tôi bị kẹt ở bước này
    0. 🏠 Về menu

    👉 Trả lời 1 để tiếp tục, 2 để quay lại, 9 nếu bị kẹt, 0 để về menu.

Numbers are a pure function of the screen, so the text a resident read and the reply she
types agree: "0" is always the menu, "9" always "stuck", the button that goes on ("Tiếp")
is always 1, the others count on in screen order (9 skipped). Link buttons are printed as
links, not numbered. :func:`parse_reply` maps a bare number or a word ("tiếp", "tiep", "quay lại", "menu", "kẹt",
typed with or without diacritics) back to the button's action string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.markup import plain
from bot.core.normalize import strip_diacritics
from bot.core.screens import Button, Screen

MENU_ACTION = "menu"
STUCK_PREFIX = "stuck:"
MENU_NUMBER = 0
STUCK_NUMBER = 9


@dataclass(frozen=True)
class Choice:
    number: int
    label: str
    action: str


def choices(screen: Screen) -> tuple[Choice, ...]:
    """The numbered choices of a screen, in the order they are printed."""
    action_buttons = [b for row in screen.buttons for b in row if b.action is not None]
    menu_btn = next((b for b in action_buttons if b.action == MENU_ACTION), None)
    stuck_btn = _stuck_button(action_buttons)
    plain = [b for b in action_buttons if b is not menu_btn and b is not stuck_btn]
    # the button that goes on ("Tiếp ▶", "Được rồi, tiếp ▶", "▶ Làm tiếp") is always 1
    plain.sort(key=lambda b: 0 if _role(b.label) == "next" else 1)
    out: list[Choice] = []
    n = 0
    for b in plain:
        n += 1
        if n == STUCK_NUMBER:
            n += 1
        out.append(Choice(n, b.label, _action(b)))
    if stuck_btn is not None:
        out.append(Choice(STUCK_NUMBER, stuck_btn.label, _action(stuck_btn)))
    if menu_btn is not None:
        out.append(Choice(MENU_NUMBER, menu_btn.label, _action(menu_btn)))
    return tuple(out)


def _stuck_button(buttons: list[Button]) -> Button | None:
    """The button that gets 9: the "stuck" one, when all stuck buttons do the same thing
    ("❌ Chưa được" and "😟 Tôi bị kẹt" on a step with a check): the one saying "kẹt"."""
    stuck = [b for b in buttons if b.action and b.action.startswith(STUCK_PREFIX)]
    if not stuck or len({b.action for b in stuck}) > 1:
        return None
    return next((b for b in stuck if "ket" in _words(b.label) or "stuck" in _words(b.label)), stuck[-1])


def _role(label: str) -> str | None:
    """ "next" or "back" for the buttons the footer names; None for the others."""
    words = _words(label)
    if "tiep" in words or "next" in words:
        return "next"
    if _contains(words, ("quay", "lai")) or "back" in words:
        return "back"
    return None


def _action(b: Button) -> str:
    assert b.action is not None
    return b.action


def links(screen: Screen) -> tuple[Button, ...]:
    return tuple(b for row in screen.buttons for b in row if b.url is not None)


_FOOTER = {
    "vi": {"next": "{n} để tiếp tục", "back": "{n} để quay lại", "reply": "Trả lời ",
           "pick_one": "Trả lời {n} để chọn", "pick_range": "Trả lời số {a}–{b} để chọn", "stuck": "9 nếu bị kẹt",
           "menu": "0 để về menu", "only_stuck": "Trả lời 9 nếu bị kẹt", "only_menu": "Trả lời 0 để về menu"},
    "en": {"next": "{n} to go on", "back": "{n} to go back", "reply": "Reply ",
           "pick_one": "Reply {n} to choose", "pick_range": "Reply {a}–{b} to choose", "stuck": "9 if stuck",
           "menu": "0 for the menu", "only_stuck": "Reply 9 if stuck", "only_menu": "Reply 0 for the menu"},
}  # fmt: skip


def footer(screen: Screen, lang: str = "vi") -> str:
    """One short line telling how to answer; empty when the screen has no choices."""
    t = _FOOTER.get(lang, _FOOTER["vi"])
    cs = choices(screen)
    plain = [c for c in cs if c.number not in (MENU_NUMBER, STUCK_NUMBER)]
    roles = [_role(c.label) for c in plain]
    parts: list[str] = []
    if plain and all(roles) and len(set(roles)) == len(roles):
        # only "go on" / "go back": name them ("Trả lời 1 để tiếp tục, 2 để quay lại")
        parts = [t[r].format(n=c.number) for c, r in zip(plain, roles, strict=True) if r]
        parts[0] = t["reply"] + parts[0]
    elif len(plain) == 1:
        parts.append(t["pick_one"].format(n=plain[0].number))
    elif plain:
        parts.append(t["pick_range"].format(a=plain[0].number, b=plain[-1].number))
    if any(c.number == STUCK_NUMBER for c in cs):
        parts.append(t["stuck"] if parts else t["only_stuck"])
    if any(c.number == MENU_NUMBER for c in cs):
        parts.append(t["menu"] if parts else t["only_menu"])
    return ("👉 " + ", ".join(parts) + ".") if parts else ""


def render(screen: Screen, lang: str = "vi") -> str:
    """The whole screen as one text: body, numbered choices, links, then the footer.
    (``screen.image`` is not in the text: the channel sends it separately, by URL.)"""
    text = plain(screen.text).strip()  # Zalo texts have no bold: **label** shows as the label
    blocks = [text] if text else []
    cs = choices(screen)
    if cs:
        blocks.append("\n".join(f"{c.number}. {c.label}" for c in cs))
    ls = links(screen)
    if ls:
        blocks.append("\n".join(f"🔗 {b.label.removeprefix('🔗').strip()}: {b.url}" for b in ls))
    foot = footer(screen, lang)
    if foot:
        blocks.append(foot)
    return "\n\n".join(blocks)


# --- replies ------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[a-z0-9]+")
_NUMBER_RE = re.compile(r"^(?:so\s*|number\s*|#\s*)?(\d{1,2})$")
# polite words around a short answer: "dạ 2 ạ", "tiếp nhé", "bác muốn quay lại"
_FILLER = {"da", "a", "oi", "nhe", "nha", "voi", "bac", "toi", "chau", "em", "con", "minh", "muon", "cho", "xin", "di",
           "please", "ok", "vang", "u", "chon"}  # fmt: skip

# what people type -> how the button that does it is labelled (both without diacritics)
_INTENTS: tuple[tuple[frozenset[str], tuple[str, ...], str | None], ...] = (
    (frozenset({"tiep", "tiep tuc", "tiep theo", "buoc tiep", "buoc tiep theo", "next", "sang buoc tiep"}),
     ("tiep", "next", "lam tiep"), None),
    (frozenset({"quay lai", "lui", "lui lai", "tro lai", "back", "buoc truoc", "quay ve"}),
     ("quay lai", "xem lai", "back"), None),
    (frozenset({"menu", "ve menu", "trang chu", "bat dau lai", "main menu"}), ("menu",), MENU_ACTION),
    (frozenset({"ket", "bi ket", "kep", "stuck", "khong lam duoc", "khong biet lam", "chiu", "giup", "giup voi"}),
     ("ket", "stuck"), STUCK_PREFIX),
)  # fmt: skip


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(strip_diacritics(text).casefold())


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    k = len(phrase)
    return any(tuple(words[i : i + k]) == phrase for i in range(len(words) - k + 1))


def parse_reply(text: str, screen: Screen) -> str | None:
    """The action of the button the reply means, or None (then it is a question or free text)."""
    cs = choices(screen)
    if not cs:
        return None
    words = [w for w in _words(text) if w not in _FILLER] or _words(text)
    if not words:
        return None
    joined = " ".join(words)
    m = _NUMBER_RE.match(joined)
    if m:
        n = int(m.group(1))
        return next((c.action for c in cs if c.number == n), None)
    if len(words) > 6:  # a sentence, not a menu answer
        return None
    for said, label_words, action_hint in _INTENTS:
        if joined not in said:
            continue
        if action_hint is not None:
            hit = next((c for c in cs if c.action == action_hint or c.action.startswith(action_hint)), None)
            if hit is not None and (action_hint != STUCK_PREFIX or hit.action.startswith(STUCK_PREFIX)):
                return hit.action
        for lw in label_words:
            phrase = tuple(lw.split())
            hit = next((c for c in cs if _contains(_words(c.label), phrase)), None)
            if hit is not None:
                return hit.action
        return None
    # the label itself, or a run of its words that only one label has ("làm được rồi"),
    # read with and without the polite words ("gửi cho con cháu" keeps its "cho" and "con")
    for ws in (_words(text), words):
        exact = [c for c in cs if _words(c.label) == ws]
        if len(exact) == 1:
            return exact[0].action
        if len(ws) >= 2 or len(" ".join(ws)) >= 4:
            partial = [c for c in cs if _contains(_words(c.label), tuple(ws))]
            if len(partial) == 1:
                return partial[0].action
    return None
