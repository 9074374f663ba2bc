"""`bot consult results ID [--csv]`: the table an official exports, checked against votes cast here."""

from __future__ import annotations

import io

from bot.cli import build_parser
from bot.cli_consult import run_consult_results
from bot.settings import CACHE_DIR, PROJECT_ROOT
from tests.app.test_consultations import draft, service
from tests.notice_kit import close_world, make_world


async def test_results_as_text_and_csv_and_an_unknown_id(sqlite_url, fake, clock):
    w = await make_world(sqlite_url, fake, clock)
    s, _ = service(w)
    c = (await s.create(draft(w, options=("Có", "Không")), w.official)).consultation
    for i, (tdp, option) in enumerate([("5", 1), ("5", 1), ("5", 2), ("7", 2), ("7", 2)]):
        await s.vote(await w.resident(70_000 + i, tdp=tdp), c.id, option)
    await close_world(w)

    out, err = io.StringIO(), io.StringIO()
    content = PROJECT_ROOT / "content"
    assert await run_consult_results(sqlite_url, content, CACHE_DIR, c.id, True, out, err) == 0
    assert out.getvalue().splitlines() == [
        "to_dan_pho,Có,Không,nguoi_tra_loi,nguoi_truong_thanh,ti_le_tham_gia",
        "5,2,1,3,,",
        "7,0,2,2,,",
        "tong,2,3,5,,",
    ]
    out = io.StringIO()
    assert await run_consult_results(sqlite_url, content, CACHE_DIR, c.id, False, out, err) == 0
    text = out.getvalue()
    assert text.startswith(f"#{c.id} tay-ho (")
    assert "• Có: 2 (40,0%)" in text and "• Không: 3 (60,0%)" in text and "Tổng cộng: 5 người trả lời" in text
    assert "Tổ 5: Có: 2 · Không: 1; 3 người trả lời" in text
    assert await run_consult_results(sqlite_url, content, CACHE_DIR, 99, False, io.StringIO(), err) == 1
    assert "no consultation #99" in err.getvalue()
    args = build_parser().parse_args(["consult", "results", "3", "--csv"])
    assert (args.func.__name__, args.id, args.csv) == ("_consult", 3, True)
