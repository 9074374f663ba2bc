"""The app as wired by bootstrap: a consultation's turnout counts on the adults per tổ the ward imported
for its community digital teams (`bot visits import-targets`)."""

from __future__ import annotations

from bot.bootstrap import build_app
from bot.core import visits as core
from tests.conftest import make_settings


async def test_consultations_read_the_adults_per_to_the_ward_imported(sqlite_url, clock):
    app = await build_app(make_settings(sqlite_url), clock)
    try:
        consultations, visits = app.extra["consultations"], app.extra["visits"]
        assert await consultations.adult_counts("tay-ho") == {}  # nothing imported: turnout as voters only
        await visits.import_targets("tay-ho", [core.ToTarget("5", 10, 22), core.ToTarget("7", 4, 9)])
        assert await consultations.adult_counts("tay-ho") == {"5": 22, "7": 9}
        assert await consultations.adult_counts("phu-thuong") == {}
    finally:
        await app.close()
