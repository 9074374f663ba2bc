"""`bot visits import-targets` and `bot stats visits` on a seeded ward (issue 13)."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import sys

from bot.cli_visits import run_import_targets, run_visit_stats
from bot.settings import PROJECT_ROOT
from tests.app.test_visits import content as content
from tests.app.test_visits import seeded
from tests.conftest import make_settings


async def test_bad_targets_files_import_nothing_and_name_every_line(sqlite_url, tmp_path):
    settings = make_settings(sqlite_url)
    bad = tmp_path / "bad.csv"
    bad.write_text("to,households,adults\n1,10,20\n1,12,20\n2,-3,5\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert await run_import_targets(settings, out, err, "tay-ho", str(bad)) == 1
    assert f"{bad}:3: tổ 1 is already on line 2" in err.getvalue()
    assert f"{bad}:4: households must not be negative (-3)" in err.getvalue()
    assert "Nothing was imported" in err.getvalue()
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("tdp,ho\n1,2\n", encoding="utf-8")
    err = io.StringIO()
    assert await run_import_targets(settings, out, err, "tay-ho", str(wrong)) == 1
    assert f"{wrong}:1: columns must be to,households,adults" in err.getvalue()
    # nothing reached the database: the table has no tổ at all
    out = io.StringIO()
    assert await run_visit_stats(settings, out, io.StringIO(), "tay-ho", True) == 0
    assert list(csv.reader(io.StringIO(out.getvalue())))[1][0] == "all"
    good = tmp_path / "good.csv"
    good.write_text("to,households,adults\n1,10,20\n2,8,15\n", encoding="utf-8")
    out = io.StringIO()
    assert await run_import_targets(settings, out, io.StringIO(), "tay-ho", str(good)) == 0
    assert "2 tổ imported (18 households, 35 adults)" in out.getvalue()
    err = io.StringIO()
    assert await run_import_targets(settings, out, err, "nowhere", str(good)) == 2
    assert "unknown ward 'nowhere'" in err.getvalue()


async def test_stats_visits_table_and_csv_match_the_seeded_ward(sqlite_url, content):
    db, _ward, expected = await seeded(sqlite_url, content)
    await db.close()
    settings = make_settings(sqlite_url)
    out = io.StringIO()
    assert await run_visit_stats(settings, out, io.StringIO(), "tay-ho", True) == 0
    rows = {r[0]: r for r in csv.reader(io.StringIO(out.getvalue()))}
    assert rows["tổ"][:3] == ["tổ", "households", "visited"]
    for to, e in expected.items():
        h = e["households"]
        assert rows[to] == [
            to,
            str(h),
            str(e["visited"]),
            str(e["smartphone"]),
            f"{100 * e['smartphone'] / h:.0f}%/80%",
            str(e["epay"]),
            f"{100 * e['epay'] / h:.0f}%/50%",
            str(e["open"]),
            f"{e['median']:.1f}",
        ]
    total = rows["all"]
    assert total[1:4] == ["14", str(sum(e["visited"] for e in expected.values())), "4"]
    table = io.StringIO()
    await run_visit_stats(settings, table, io.StringIO(), "tay-ho", False)
    text = table.getvalue()
    assert text.startswith("ward tay-ho: targets 80% smartphone users, 50% e-payment accounts")
    assert "median hours to visit" in text.splitlines()[1]
    print(text)  # the closing note's table (pytest -s shows it)


async def test_the_command_line_reports_csv_errors_with_exit_status_1(sqlite_url, tmp_path):
    bad = tmp_path / "t.csv"
    bad.write_text("to,households,adults\n3,-1,2\n", encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": sqlite_url, "BOT_TOKEN": "", "HASH_SALT": "x"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "visits",
        "import-targets",
        "--ward",
        "tay-ho",
        str(bad),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await proc.communicate()
    assert proc.returncode == 1
    assert f"{bad}:2: households must not be negative (-1)" in err.decode()
