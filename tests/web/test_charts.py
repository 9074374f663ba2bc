"""Server-side SVG charts: valid, accessible (title, desc, numbers as text), every label escaped."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from bot.adapters.web.charts import Bar, StepRow, bar_chart, dropoff_chart, funnel_chart, questions_chart
from bot.app.stats import DayCount, Funnel, StepCount
from bot.core.i18n import Texts

NS = {"s": "http://www.w3.org/2000/svg"}
EVIL = '<script>alert("x")</script> & "quotes"'


def _svg(text: str) -> ET.Element:
    root = ET.fromstring(text)  # well-formed XML, or this raises
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iterfind(".//s:text", NS)]


def _labelled(root: ET.Element) -> tuple[str, str]:
    """The chart's accessible name and description, found through aria-labelledby."""
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"s:title[@id='{title_id}']", NS)
    desc = root.find(f"s:desc[@id='{desc_id}']", NS)
    return title.text, desc.text


def test_a_bar_chart_names_itself_and_shows_every_number_as_text():
    bars = [Bar("01/12", 3), Bar("02/12", 0), Bar("03/12", 12)]
    root = _svg(bar_chart("q", "Câu hỏi mỗi ngày", "15 câu hỏi trong 3 ngày", bars))
    assert _labelled(root) == ("Câu hỏi mỗi ngày", "15 câu hỏi trong 3 ngày")
    texts = _texts(root)
    assert {"3", "0", "12", "01/12", "02/12", "03/12"} <= set(texts)
    rects = root.findall("s:rect", NS)
    assert [r.find("s:title", NS).text for r in rects] == ["01/12: 3", "02/12: 0", "03/12: 12"]
    tallest = max(rects, key=lambda r: float(r.get("height")))
    assert tallest.find("s:title", NS).text == "03/12: 12"
    assert "<script" not in bar_chart("x", "t", "d", []) and _svg(bar_chart("x", "t", "d", []))  # no data, no error


def test_every_label_title_and_description_is_escaped():
    out = bar_chart('a" onload="x', EVIL, EVIL, [Bar(EVIL, 1, hint=EVIL)])
    assert "<script" not in out and 'onload="x"' not in out
    root = _svg(out)
    assert _labelled(root) == (EVIL, EVIL)
    assert EVIL in _texts(root)
    out = dropoff_chart("d", EVIL, EVIL, [StepRow(EVIL, 2, 1, 0)], (EVIL, EVIL, EVIL))
    assert "<script" not in out and EVIL in _texts(_svg(out))


def test_the_dropoff_chart_has_a_row_per_step_with_reached_stuck_and_asked():
    funnel = Funnel("ihanoi-install", (StepCount(0, 10, 0, 0), StepCount(1, 7, 3, 1), StepCount(2, 4, 0, 0)))
    root = _svg(funnel_chart(funnel, "Cài ứng dụng iHanoi", Texts(), "vi"))
    title, desc = _labelled(root)
    assert title == "Người dân dừng ở bước nào: Cài ứng dụng iHanoi"
    assert "bước 2" in desc and "3 người bấm bị kẹt" in desc and "1 người hỏi cán bộ" in desc
    texts = _texts(root)
    assert {"Bước 1", "Bước 2", "Bước 3", "Đã xem bước", "Bị kẹt", "Hỏi cán bộ"} <= set(texts)
    titled = [r for r in root.findall("s:rect", NS) if r.find("s:title", NS) is not None]
    bar_titles = [r.find("s:title", NS).text for r in titled]
    assert "Bước 2, Bị kẹt: 3" in bar_titles and "Bước 1, Đã xem bước: 10" in bar_titles
    widths = {
        r.find("s:title", NS).text: float(r.get("width"))
        for r in root.findall("s:rect", NS)
        if r.find("s:title", NS) is not None
    }
    assert widths["Bước 1, Đã xem bước: 10"] > widths["Bước 2, Đã xem bước: 7"] > widths["Bước 3, Đã xem bước: 4"]
    english = _svg(funnel_chart(funnel, "Install iHanoi", Texts(), "en"))
    assert _labelled(english)[0] == "Where residents stop: Install iHanoi" and "Step 2" in _texts(english)


def test_the_questions_chart_has_a_bar_per_day_in_the_viewers_language():
    d0 = dt.date(2026, 12, 1)
    days = [DayCount(d0 + dt.timedelta(days=i), i, 1, 0, 0) for i in range(3)]
    root = _svg(questions_chart(days, Texts(), "vi"))
    assert _labelled(root) == (
        "Câu hỏi mỗi ngày",
        "6 câu hỏi trong 3 ngày, từ 01/12/2026 đến 03/12/2026. Mỗi cột là một ngày.",
    )
    assert [r.find("s:title", NS).text for r in root.findall("s:rect", NS)] == [
        "01/12/2026: 1 câu hỏi, 1 câu chưa trả lời được",
        "02/12/2026: 2 câu hỏi, 1 câu chưa trả lời được",
        "03/12/2026: 3 câu hỏi, 1 câu chưa trả lời được",
    ]
