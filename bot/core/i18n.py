"""Message catalogs: one YAML file per feature and language under bot/locales/<lang>/;
keys are prefixed with the file name (`resident.welcome` comes from resident.yaml).

Vietnamese is the reference catalog; English must have the same keys (a test checks it).
Texts use `{name}` placeholders filled by `str.format_map`, never f-strings. Resident texts say
`{ban}` / `{Ban}` and `{toi}` / `{Toi}` for the resident and the bot (see bot.core.voice).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.core.voice import fill

LOCALES = Path(__file__).resolve().parent / "locales"
LANGS = ("vi", "en")
# libyaml when PyYAML has it (ten times faster; each app start reads every catalogue)
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _flatten(prefix: str, data: Any, out: dict[str, str]) -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = str(data)


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Texts:
    """`texts(lang, "menu.title", name=...)` → the text in that language (falls back to Vietnamese)."""

    def __init__(self, root: Path = LOCALES):
        self.catalogs: dict[str, dict[str, str]] = {}
        for lang in LANGS:
            cat: dict[str, str] = {}
            for f in sorted((root / lang).glob("*.yaml")):
                _flatten(f.stem, yaml.load(f.read_text(encoding="utf-8"), Loader=_YamlLoader) or {}, cat)
            self.catalogs[lang] = cat

    def __call__(self, lang: str | None, key: str, /, **kw: Any) -> str:
        cat = self.catalogs.get(lang or "vi") or self.catalogs["vi"]
        text = cat.get(key) or self.catalogs["vi"].get(key)
        if text is None:
            raise KeyError(f"no text for {key!r}")
        # resident texts say {ban} / {toi}: filled from the form of address `lang` carries (bot.core.voice)
        return fill(text.format_map(_Missing(kw)) if kw else text, lang)

    def missing(self) -> dict[str, set[str]]:
        """Keys present in one language but not the other."""
        vi, en = set(self.catalogs["vi"]), set(self.catalogs["en"])
        return {"en": vi - en, "vi": en - vi}
