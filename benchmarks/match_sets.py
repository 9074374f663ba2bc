"""Score the matcher on our own question sets: the tuning half and the held-out half (tests/data/).

    .venv/bin/python benchmarks/match_sets.py            # summary per set
    .venv/bin/python benchmarks/match_sets.py --misses   # also the tuning half's misses (never the held-out's)

Every `match_tuning*.tsv` is scored first, then every `match_heldout*.tsv` (tests/data/README.md says
who wrote which). Held-out sets are reported, never tuned on: their misses are not printed.
`match_tuning2.tsv` is a second tuning set written later by another writer, in other words, to widen
what the tuning sees; `match_tuning4.tsv` / `match_heldout4.tsv` are a fourth pair (issue 10).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's bot, not the installed one

from bot.core.content import load_valid_content
from bot.core.matching import Matcher
from bot.settings import Settings

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def score(matcher: Matcher, path: Path, show_misses: bool) -> str:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    top1 = top3 = n_in = declined = n_out = 0
    for topic, query in rows:
        r = matcher.match(query)
        got = r.topic.split("/")[0] if r.topic else None
        offered = [got, *(c.guide_id.split("/")[0] for c in r.alternatives)]
        if topic == "none":
            n_out += 1
            declined += got is None
            if show_misses and got is not None:
                print(f"  answered out-of-scope: {query!r} -> {got}")
        else:
            n_in += 1
            top1 += got == topic
            top3 += topic in offered
            if show_misses and got != topic:
                print(f"  miss: {query!r} -> {got} (want {topic})")
    return (
        f"{path.name}: in-scope top-1 {100 * top1 / n_in:.1f}% ({top1}/{n_in}), top-3 {100 * top3 / n_in:.1f}%, "
        f"out-of-scope declined {100 * declined / n_out:.1f}% ({declined}/{n_out})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--misses", action="store_true", help="print the tuning half's misses")
    args = ap.parse_args()
    content = load_valid_content(Settings().content_dir)
    matcher = Matcher.build(content.guides.values())
    for tuning in sorted(DATA.glob("match_tuning*.tsv")):  # every tuning set; the held-out half last
        print(score(matcher, tuning, args.misses))
    for heldout in sorted(DATA.glob("match_heldout*.tsv")):  # never tuned on: misses never printed
        print(score(matcher, heldout, False))


if __name__ == "__main__":
    main()
