"""What the bot shows, independent of the channel: text plus rows of buttons.

Button actions are short strings (≤ 64 bytes, Telegram's callback_data limit) that the
channel hands back to the domain unchanged when the button is pressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_ACTION_BYTES = 64


@dataclass(frozen=True)
class Button:
    label: str
    action: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.action is None) == (self.url is None):
            raise ValueError("a button has either an action or a url")
        if self.action is not None and len(self.action.encode()) > MAX_ACTION_BYTES:
            raise ValueError(f"button action too long: {self.action!r}")


@dataclass(frozen=True)
class Screen:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)
    image: str | None = None  # path of an image file to show above the text


def rows(*rows_: list[Button] | tuple[Button, ...] | Button | None) -> tuple[tuple[Button, ...], ...]:
    """Build button rows; a single Button is a row of one, None and empty rows are dropped."""
    out = []
    for r in rows_:
        if r is None:
            continue
        row = (r,) if isinstance(r, Button) else tuple(b for b in r if b is not None)
        if row:
            out.append(row)
    return tuple(out)
