"""Guides, categories and ward data: loaded from `content/`, validated, reported as `file:line: problem`.

Content is data edited by ward volunteers, so every error must point at the line to fix.
YAML is composed into nodes first so each value keeps the line it came from.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import pickle
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.core.content_rules import check_guide
from bot.core.i18n import LOCALES, Texts

LANGS = ("vi", "en")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)?$")
URL_RE = re.compile(r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?(?:[/?#][^\s]*)?$")
MAX_BRANCHES = 4  # "if this happens" buttons under one step
MAX_BRANCH_STEPS = 6  # a branch is a short detour, not a second guide
MAX_BRANCH_LABEL = 40  # characters: the label is a button


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in every language the bot speaks; Vietnamese first."""

    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


class Examples(Strict):
    vi: list[str] = Field(min_length=1)
    en: list[str] = Field(default_factory=list)


def _well_formed_link(v: str | None) -> str | None:
    if v is not None and not URL_RE.match(v):
        raise ValueError(f"link is not a well-formed http(s) URL: {v!r}")
    return v


class BranchStep(Strict):
    """One step of a failure branch's short sub-path."""

    text: Text
    link: str | None = None

    _link = field_validator("link")(_well_formed_link)


class Branch(Strict):
    """ "If this happens" under a step (the OTP does not arrive, no NFC…): a button and a short sub-path
    that ends by going back to the step (`then: back`) or by handing over to ward staff (`then: staff`),
    who see the guide and the step she was on."""

    label: Text  # becomes a button: short
    steps: list[BranchStep] = Field(min_length=1, max_length=MAX_BRANCH_STEPS)
    then: Literal["back", "staff"] = "back"

    @field_validator("label")
    @classmethod
    def _label_fits_a_button(cls, v: Text) -> Text:
        for lang in LANGS:
            if len(v.get(lang)) > MAX_BRANCH_LABEL:
                raise ValueError(
                    f"label.{lang} is {len(v.get(lang))} characters; a button label is at most {MAX_BRANCH_LABEL}"
                )
        return v


class Step(Strict):
    text: Text
    image: str | None = None
    link: str | None = None
    check: Text | None = None  # "did it work?" question asked after this step
    branches: list[Branch] = Field(default_factory=list, max_length=MAX_BRANCHES)

    _link = field_validator("link")(_well_formed_link)


class Source(Strict):
    """Where a guide's facts come from, and when somebody last checked that page."""

    url: str
    checked: dt.date
    published: dt.date | None = None  # when the page itself is dated, e.g. a 2023 article

    @field_validator("url")
    @classmethod
    def _url_well_formed(cls, v: str) -> str:
        if not URL_RE.match(v):
            raise ValueError(f"source is not a well-formed http(s) URL: {v!r}")
        return v

    @model_validator(mode="before")
    @classmethod
    def _dated(cls, v: Any) -> Any:
        if isinstance(v, str):
            raise ValueError(f"source {v!r} has no date: write it as {{url: {v}, checked: YYYY-MM-DD}}")
        return v


class Guide(Strict):
    id: str
    category: str
    title: Text
    short_title: Text | None = None  # on buttons, when `title` is too long for one (see BUTTON_MAX)
    summary: Text
    keywords: list[str] = Field(min_length=1)
    examples: Examples
    steps: list[Step] = Field(min_length=1, max_length=15)
    related: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    reviewed: dt.date

    @field_validator("id")
    @classmethod
    def _id_format(cls, v: str) -> str:
        if len(v) > 40:
            raise ValueError("id must be at most 40 characters (it travels in 64-byte button data)")
        if not ID_RE.match(v):
            raise ValueError(f"id {v!r} must be lowercase words joined by '-', optionally 'parent/child'")
        return v

    def label(self, lang: str) -> str:
        """The title as a button shows it."""
        return (self.short_title or self.title).get(lang)

    @property
    def topic(self) -> str:
        """The contract topic this guide counts as (a child `a/b` counts as `a`)."""
        return self.id.split("/", 1)[0]


class Category(Strict):
    id: str
    icon: str = ""
    title: Text


class Categories(Strict):
    categories: list[Category] = Field(min_length=1)


class Hotline(Strict):
    number: str
    label: Text
    source: str


class Office(Strict):
    name: Text
    address: str | None = None
    address_uncertain: bool = False
    hours: Text | None = None
    phones: list[str] = Field(default_factory=list)


class Ward(Strict):
    id: str
    name: Text
    office: Office
    neighbourhoods: list[str] | Literal["unknown"] = "unknown"
    notes: Text | None = None


class WardsFile(Strict):
    wards: list[Ward] = Field(min_length=1)
    hotlines: list[Hotline] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_wards(self) -> WardsFile:
        ids = [w.id for w in self.wards]
        if len(ids) != len(set(ids)):
            raise ValueError("ward ids must be unique")
        return self


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}: {kind}{self.message}"


@dataclass
class Content:
    """Everything the bot shows that is not code."""

    guides: dict[str, Guide]
    categories: list[Category]
    wards: dict[str, Ward]
    hotlines: list[Hotline]
    root: Path
    problems: list[Problem] = field(default_factory=list)
    # the hash of every content file (set by `load_valid_content_cached`; "" = not known): what is built
    # from the content alone, such as the matcher, can be reused for the same fingerprint
    fingerprint: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    def guides_in(self, category: str) -> list[Guide]:
        """Contract topics first, in the order of topics.md (install before account), then the rest."""
        order = {gid: i for i, gid in enumerate(CONTRACT_IDS)}
        found = [g for g in self.guides.values() if g.category == category]
        return sorted(found, key=lambda g: (order.get(g.topic, len(order)), g.id))

    def guide(self, guide_id: str) -> Guide | None:
        return self.guides.get(guide_id)

    def ward(self, ward_id: str | None) -> Ward | None:
        return self.wards.get(ward_id or "")


class ContentError(Exception):
    """Raised when content has errors; the bot refuses to start on it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- YAML with line numbers -------------------------------------------------------------

Lines = dict[tuple[Any, ...], int]


Duplicates = list[tuple[int, str]]  # (line, message) of every key given twice in one mapping


def _to_python(node: yaml.Node, path: tuple[Any, ...], lines: Lines, dupes: Duplicates) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = (
                yaml.safe_load(yaml.serialize(key_node))
                if not isinstance(key_node, yaml.ScalarNode)
                else key_node.value
            )
            if key in out:  # YAML keeps the last one silently: half a guide would vanish
                where = ".".join(str(p) for p in (*path, key))
                first = lines.get((*path, key), 0)
                dupes.append((key_node.start_mark.line + 1, f"{where}: duplicate key (first given at line {first})"))
                continue
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _to_python(value_node, (*path, key), lines, dupes)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(child, (*path, i), lines, dupes) for i, child in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def load_yaml_checked(path: Path) -> tuple[Any, Lines, Duplicates]:
    """Parse one YAML file, keeping the line of every key and item, and every key given twice."""
    text = path.read_text(encoding="utf-8")
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: Lines = {}
    dupes: Duplicates = []
    if node is None:
        return None, {(): 1}, dupes
    return _to_python(node, (), lines, dupes), lines, dupes


def load_yaml(path: Path) -> tuple[Any, Lines]:
    """Parse one YAML file, keeping the line of every key and item."""
    data, lines, _ = load_yaml_checked(path)
    return data, lines


def line_of(lines: Lines, loc: tuple[Any, ...]) -> int:
    """The line of the deepest known prefix of `loc` (pydantic locations may point at missing keys)."""
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return 1


def _validation_problems(rel: str, err: ValidationError, lines: Lines) -> list[Problem]:
    out = []
    for e in err.errors():
        loc = tuple(x for x in e["loc"])
        where = ".".join(str(x) for x in loc) or "(file)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "missing":
            msg = "is missing"
        elif e["type"] == "extra_forbidden":
            msg = "is not a known field (typo?)"
        out.append(Problem(rel, line_of(lines, loc), f"{where}: {msg}"))
    return out


# --- loading and checking ---------------------------------------------------------------


def load_content(root: Path, required_ids: list[str] | None = None, today: dt.date | None = None) -> Content:
    """Load and cross-check all content; never raises on bad content, collects problems instead.
    With `today`, sources checked (or published) more than 12 months before it are reported as warnings."""
    root = Path(root)
    problems: list[Problem] = []
    guides: dict[str, Guide] = {}
    guide_lines: dict[str, tuple[str, Lines]] = {}

    def rel(p: Path) -> str:
        try:
            return str(p.relative_to(root.parent))
        except ValueError:
            return str(p)

    domains, domain_problems = _allowed_domains(root, rel)
    problems.extend(domain_problems)
    shared, shared_problems = _shared_branches(root, rel)
    problems.extend(shared_problems)
    guide_dir = root / "guides"
    files = sorted(guide_dir.rglob("*.yaml")) if guide_dir.is_dir() else []
    if not files:
        problems.append(Problem(rel(guide_dir), 1, "no guide files found"))
    for f in files:
        r = rel(f)
        try:
            data, lines, dupes = load_yaml_checked(f)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            problems.append(Problem(r, (mark.line + 1) if mark else 1, f"not valid YAML: {getattr(e, 'problem', e)}"))
            continue
        problems.extend(Problem(r, line, message) for line, message in dupes)
        if not isinstance(data, dict):
            problems.append(Problem(r, 1, "a guide file must be a mapping with id, title, steps, ..."))
            continue
        problems.extend(Problem(r, line_of(lines, loc), msg) for loc, msg in _use_shared_branches(data, shared))
        try:
            guide = Guide.model_validate(data)
        except ValidationError as e:
            problems.extend(_validation_problems(r, e, lines))
            continue
        if guide.id in guides:
            other = guide_lines[guide.id][0]
            problems.append(Problem(r, lines.get(("id",), 1), f"duplicate guide id {guide.id!r} (also in {other})"))
            continue
        expected_stem = guide.id.replace("/", "__")
        if f.stem != expected_stem:
            problems.append(
                Problem(
                    r,
                    lines.get(("id",), 1),
                    f"file name should be {expected_stem}.yaml for id {guide.id!r}",
                    warning=True,
                )
            )
        for i, step in enumerate(guide.steps):
            if step.image and not (root / step.image).is_file():
                problems.append(Problem(r, line_of(lines, ("steps", i, "image")), f"image not found: {step.image}"))
        problems.extend(
            Problem(r, line_of(lines, f.loc), f.message, warning=f.warning) for f in check_guide(guide, domains, today)
        )
        guides[guide.id] = guide
        guide_lines[guide.id] = (r, lines)

    categories: list[Category] = []
    cat_file = root / "categories.yaml"
    if cat_file.is_file():
        try:
            data, lines = load_yaml(cat_file)
            categories = Categories.model_validate(data).categories
        except yaml.YAMLError as e:
            problems.append(Problem(rel(cat_file), 1, f"not valid YAML: {e}"))
        except ValidationError as e:
            problems.extend(_validation_problems(rel(cat_file), e, lines))
    else:
        problems.append(Problem(rel(cat_file), 1, "file is missing"))

    wards: dict[str, Ward] = {}
    hotlines: list[Hotline] = []
    ward_file = root / "wards.yaml"
    if ward_file.is_file():
        r = rel(ward_file)
        try:
            data, lines = load_yaml(ward_file)
            wf = WardsFile.model_validate(data)
            wards = {w.id: w for w in wf.wards}
            hotlines = wf.hotlines
            for i, w in enumerate(wf.wards):
                base = ("wards", i)
                if w.neighbourhoods == "unknown":
                    problems.append(
                        Problem(
                            r,
                            line_of(lines, (*base, "neighbourhoods")),
                            f"{w.id}: list of tổ dân phố not known; residents type their number",
                            warning=True,
                        )
                    )
                if w.office.address_uncertain:
                    problems.append(
                        Problem(
                            r,
                            line_of(lines, (*base, "office", "address")),
                            f"{w.id}: office address is not confirmed",
                            warning=True,
                        )
                    )
                if not w.office.address:
                    problems.append(
                        Problem(r, line_of(lines, (*base, "office")), f"{w.id}: office address not known", warning=True)
                    )
                if w.office.hours is None:
                    problems.append(
                        Problem(r, line_of(lines, (*base, "office")), f"{w.id}: office hours not known", warning=True)
                    )
                if not w.office.phones:
                    problems.append(
                        Problem(
                            r,
                            line_of(lines, (*base, "office")),
                            f"{w.id}: no ward phone number known; public hotlines are shown instead",
                            warning=True,
                        )
                    )
        except yaml.YAMLError as e:
            problems.append(Problem(r, 1, f"not valid YAML: {e}"))
        except ValidationError as e:
            problems.extend(_validation_problems(r, e, lines))
    else:
        problems.append(Problem(rel(ward_file), 1, "file is missing"))

    cat_ids = {c.id for c in categories}
    for gid, g in guides.items():
        r, lines = guide_lines[gid]
        if categories and g.category not in cat_ids:
            problems.append(
                Problem(
                    r,
                    line_of(lines, ("category",)),
                    f"unknown category {g.category!r} (known: {', '.join(sorted(cat_ids))})",
                )
            )
        for i, other in enumerate(g.related):
            if other not in guides and other not in {p for p in (required_ids or [])}:
                problems.append(Problem(r, line_of(lines, ("related", i)), f"related guide {other!r} does not exist"))
            elif other == gid:
                problems.append(Problem(r, line_of(lines, ("related", i)), "a guide cannot be related to itself"))
        if "/" in gid and gid.split("/")[0] not in guides:
            problems.append(Problem(r, line_of(lines, ("id",)), f"parent guide {gid.split('/')[0]!r} does not exist"))

    for rid in required_ids or []:
        if rid not in guides:
            problems.append(Problem(rel(guide_dir), 1, f"contract topic {rid!r} has no guide (expected {rid}.yaml)"))

    problems += button_problems(guides, guide_lines)
    return Content(guides=guides, categories=categories, wards=wards, hotlines=hotlines, root=root, problems=problems)


class AllowedDomain(Strict):
    domain: str = Field(pattern=r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+$")
    what: str
    source: str
    checked: dt.date


class AllowedDomains(Strict):
    domains: list[AllowedDomain] = Field(min_length=1)


def _allowed_domains(root: Path, rel: Callable[[Path], str]) -> tuple[frozenset[str], list[Problem]]:
    """content/allowed_domains.yaml: the official sites residents may be sent to."""
    f = root / "allowed_domains.yaml"
    if not f.is_file():
        return frozenset(), [Problem(rel(f), 1, "file is missing (the official domains guides may link to)")]
    try:
        data, lines, dupes = load_yaml_checked(f)
        found = AllowedDomains.model_validate(data)
    except yaml.YAMLError as e:
        return frozenset(), [Problem(rel(f), 1, f"not valid YAML: {e}")]
    except ValidationError as e:
        return frozenset(), _validation_problems(rel(f), e, lines)
    return frozenset(d.domain for d in found.domains), [Problem(rel(f), line, msg) for line, msg in dupes]


class SharedBranches(Strict):
    branches: dict[str, Branch] = Field(default_factory=dict)

    @field_validator("branches")
    @classmethod
    def _ids(cls, v: dict[str, Branch]) -> dict[str, Branch]:
        for key in v:
            if not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", key):
                raise ValueError(f"shared branch id {key!r} must be lowercase words joined by '-'")
        return v


def _shared_branches(root: Path, rel: Callable[[Path], str]) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """content/branches.yaml (optional): failure branches several guides share; a step lists `- use: <id>`.
    Returned as plain data, so each guide validates (and the rules check) its own copy."""
    f = root / "branches.yaml"
    if not f.is_file():
        return {}, []
    try:
        data, lines, dupes = load_yaml_checked(f)
        SharedBranches.model_validate(data)
    except yaml.YAMLError as e:
        return {}, [Problem(rel(f), 1, f"not valid YAML: {e}")]
    except ValidationError as e:
        return {}, _validation_problems(rel(f), e, lines)
    return dict((data or {}).get("branches") or {}), [Problem(rel(f), line, msg) for line, msg in dupes]


def _use_shared_branches(data: dict[str, Any], shared: dict[str, dict[str, Any]]) -> list[tuple[tuple[Any, ...], str]]:
    """Replace every `{use: id}` under a step's branches with a copy of the shared branch, in place."""
    found: list[tuple[tuple[Any, ...], str]] = []
    steps = data.get("steps")
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        branches = step.get("branches") if isinstance(step, dict) else None
        if not isinstance(branches, list):
            continue
        kept = []
        for j, b in enumerate(branches):
            if isinstance(b, dict) and set(b) == {"use"}:
                if b["use"] not in shared:
                    found.append(
                        (("steps", i, "branches", j), f"no shared branch {b['use']!r} in content/branches.yaml")
                    )
                    continue
                b = copy.deepcopy(shared[b["use"]])
            kept.append(b)
        step["branches"] = kept
    return found


BUTTON_MAX = 40  # characters: longer labels are cut ("Tiếp tục: Cài đặt…") on a small phone
GUIDE_BUTTONS = ("📘 {title}", "resident.menu_resume")  # how a guide's title appears on buttons


def button_problems(guides: dict[str, Guide], guide_lines: dict[str, tuple[str, Lines]]) -> list[Problem]:
    """Every button label over BUTTON_MAX: guide titles as buttons show them (`short_title` when set)
    and the locale files' button texts (`btn_*` keys)."""
    texts, out = Texts(), []
    for gid, g in guides.items():
        r, lines = guide_lines[gid]
        for lang in LANGS:
            for template in GUIDE_BUTTONS:
                title = g.label(lang)
                label = (
                    template.format(title=title) if template.startswith("📘") else texts(lang, template, title=title)
                )
                if len(label) > BUTTON_MAX:
                    key = "short_title" if g.short_title else "title"
                    out.append(
                        Problem(
                            r,
                            line_of(lines, (key, lang)),
                            f"button {label!r} is {len(label)} characters (max {BUTTON_MAX}): "
                            f"{'shorten short_title' if g.short_title else 'add a short_title'}",
                        )
                    )
    for lang in LANGS:
        for key, text in texts.catalogs[lang].items():
            if key.rsplit(".", 1)[-1].startswith("btn_") and len(text) > BUTTON_MAX:
                feature, name = key.split(".", 1)
                path = LOCALES / lang / f"{feature}.yaml"
                found = [
                    i
                    for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                    if ln.startswith(name + ":")
                ]
                out.append(
                    Problem(
                        f"bot/core/locales/{lang}/{feature}.yaml",
                        found[0] if found else 1,
                        f"{key}: button {text!r} is {len(text)} characters (max {BUTTON_MAX})",
                    )
                )
    return out


# The topic ids every guide set must cover (../shared/topics.md).
CONTRACT_IDS = [
    "ihanoi-install",
    "ihanoi-account",
    "ihanoi-feedback",
    "vneid-activate",
    "vneid-recover",
    "dvc-login",
    "dvc-submit",
    "dvc-track",
    "dvc-pay",
    "epay-bank-app",
    "epay-qr",
    "epay-bills",
    "epay-pension",
    "scam-safety",
    "phone-basics",
    "zalo-group",
    "ward-contact",
    "ask-staff",
]


def load_valid_content(root: Path) -> Content:
    """Load content for the running bot: refuse to go on if anything is wrong."""
    content = load_content(root, CONTRACT_IDS)
    if content.errors:
        raise ContentError(content.errors)
    return content


def load_valid_content_cached(root: Path, cache_dir: Path | None) -> Content:
    """`load_valid_content`, kept as a pickle in `cache_dir` keyed by the hash of every file under `root`
    and of this module's and its rules' code: parsing and validating the YAML takes about a second, the pickle
    milliseconds.
    Any change to the content or to this module makes a new key; an unreadable or unwritable cache is ignored.
    Only valid content is cached, so a broken file is always reported from the YAML itself."""
    if cache_dir is None:
        return load_valid_content(root)
    root = Path(root)
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update((Path(__file__).parent / "content_rules.py").read_bytes())  # its rules decide what is valid
    digest.update(str(root.resolve()).encode())
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(b"\0" + str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    cache = Path(cache_dir) / f"content-{digest.hexdigest()[:32]}.pickle"
    try:
        cached = pickle.loads(cache.read_bytes())
        if isinstance(cached, Content):
            cached.root, cached.fingerprint = root, digest.hexdigest()
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    content = load_valid_content(root)
    content.fingerprint = digest.hexdigest()
    tmp = None
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".content-")
        with os.fdopen(fd, "wb") as out:
            pickle.dump(content, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
        tmp = None
        for old in cache.parent.glob("content-*.pickle"):  # older versions, unused for an hour
            if old != cache and old.stat().st_mtime < cache.stat().st_mtime - 3600:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return content
