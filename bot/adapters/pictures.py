"""Schematic step pictures: a phone outline, a generic screen and the labelled button(s) the step names.

A picture's source is a small YAML description kept in ``content/pictures/*.yaml`` (no screenshots of
third-party apps). It is drawn with Pillow on first use and cached as PNG under ``data/cache/pictures``
keyed by the hash of its source, so the PNGs are never committed.

    title: VNeID                 # optional: the app or page the step names
    buttons: [Kích hoạt tài khoản]  # labels exactly as the step's text names them in bold
    tap: [0]                     # which buttons get the red circle and the arrow (default: all)
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw, ImageFont

from bot.settings import CACHE_DIR as SETTINGS_CACHE_DIR

CACHE_DIR = SETTINGS_CACHE_DIR / "pictures"
_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
W, H = 480, 860


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(str(_FONT_DIR / name), size)
    except OSError:
        return ImageFont.load_default(size)


def _drawable(label: str, font: Any) -> str:
    """Drop characters the font cannot draw (emoji), so no empty boxes appear on the picture."""
    kept = "".join(ch for ch in label if ord(ch) < 0x2000 or 0x2010 <= ord(ch) <= 0x206F)
    return kept.strip()


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def draw(spec: dict[str, Any]) -> Image.Image:
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    # phone outline, screen, speaker slot and home bar
    d.rounded_rectangle((20, 20, W - 20, H - 20), radius=48, outline="#222222", width=8, fill="#f4f4f4")
    d.rounded_rectangle((44, 80, W - 44, H - 80), radius=12, outline="#999999", width=2, fill="white")
    d.rounded_rectangle((W // 2 - 50, 44, W // 2 + 50, 56), radius=6, fill="#222222")
    d.rounded_rectangle((W // 2 - 70, H - 52, W // 2 + 70, H - 44), radius=4, fill="#222222")
    title = str(spec.get("title") or "")
    top = 96
    if title:
        d.rectangle((44, 80, W - 44, 150), fill="#e3ecf7")
        d.text((W // 2, 115), title, font=_font(28, bold=True), fill="#1b3a6b", anchor="mm")
        top = 170
    # generic content: grey placeholder lines (nothing the step does not name)
    for i in range(3):
        d.rounded_rectangle((70, top + i * 34, W - 70 - i * 60, top + i * 34 + 16), radius=8, fill="#dddddd")
    buttons = [str(b) for b in spec.get("buttons", [])]
    tap = spec.get("tap", list(range(len(buttons))))
    font = _font(26, bold=True)
    y = top + 150
    for i, label in enumerate(buttons):
        lines = _wrap(d, _drawable(label, font), font, W - 180)
        h = 24 + 34 * len(lines)
        box = (80, y, W - 80, y + h)
        d.rounded_rectangle(box, radius=14, fill="#2f6fd6")
        for j, line in enumerate(lines):
            d.text((W // 2, y + 12 + 34 * j + 17), line, font=font, fill="white", anchor="mm")
        if i in tap:
            d.ellipse((box[0] - 22, box[1] - 22, box[2] + 22, box[3] + 22), outline="#d62828", width=6)
            ax, ay = box[2] - 90, box[3] + 24
            d.line((ax + 60, ay + 90, ax, ay), fill="#d62828", width=8)
            d.polygon([(ax, ay), (ax + 30, ay + 8), (ax + 8, ay + 30)], fill="#d62828")
        y += h + 130
    return img


def as_png(path: str, cache_dir: Path = CACHE_DIR) -> str:
    """The PNG for a step image: a ``.yaml`` picture source is drawn once and cached; other files as they are."""
    src = Path(path)
    if src.suffix not in (".yaml", ".yml"):
        return path
    raw = src.read_bytes()
    out = cache_dir / f"{src.stem}-{hashlib.sha256(raw).hexdigest()[:12]}.png"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp.png")
        draw(yaml.safe_load(raw) or {}).save(tmp, "PNG")
        tmp.replace(out)
    return str(out)
