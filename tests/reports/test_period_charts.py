"""The report's charts: SVG whose Chinese labels stay text in Noto Sans CJK SC, safe to draw from several
threads at once, and the same text in the PDF."""

import io
import re
from concurrent.futures import ThreadPoolExecutor

import pdfplumber
from pypdf import PdfReader

from reports import charts
from reports.pdf import render_pdf

DEPARTMENTS = [
    {
        "name": "市场部",
        "open": 12,
        "overdue": 3,
        "due": 4,
        "on_time": 1,
        "on_time_rate": 25.0,
        "avg_delay": 10.0,
    },
    {
        "name": "研发一部",
        "open": 7,
        "overdue": 0,
        "due": 20,
        "on_time": 19,
        "on_time_rate": 95.0,
        "avg_delay": 2.0,
    },
    {
        "name": "2026",
        "open": 2,
        "overdue": 2,
        "due": 23,
        "on_time": 8,
        "on_time_rate": 34.8,
        "avg_delay": 4.0,
    },
]
TREND = [
    {"label": f"2026-{m:02d}", "due": 10, "on_time": 9, "rate": 90.0 if m % 3 else None} for m in range(1, 13)
]


def draw_all() -> list[str]:
    return [
        charts.on_time_by_department(DEPARTMENTS, 90),
        charts.trend_line(TREND, 90),
        charts.open_overdue_by_department(DEPARTMENTS),
    ]


def test_labels_are_text_set_in_noto_sans_cjk():
    on_time, trend, stacked = draw_all()
    for svg in (on_time, trend, stacked):
        assert svg.startswith("<svg") and "Noto Sans CJK SC" in svg
    assert re.search(r"<text[^>]*>市场部</text>", on_time)
    assert "95.0%" in on_time and "目标 90%" in on_time
    assert re.search(
        r"<text[^>]*>2026</text>", on_time
    )  # a department name that looks like a year stays a name
    assert "按时完成率" in trend and "2026-12" in trend
    assert "已逾期" in stacked and "未逾期" in stacked


def test_each_chart_has_its_own_element_ids():
    ids = [set(re.findall(r'\bid="([^"]+)"', svg)) for svg in draw_all()]
    assert not (ids[0] & ids[1]) and not (ids[1] & ids[2]) and not (ids[0] & ids[2])
    for svg, prefix in zip(draw_all(), ("on-time", "trend", "open-overdue"), strict=True):
        for ref in re.findall(r'href="#([^"]+)"', svg):
            assert ref.startswith(prefix)


def test_empty_charts_say_so():
    assert "本期没有到期的行动项" in charts.on_time_by_department([], None)
    assert "近期没有到期的行动项" in charts.trend_line(
        [{"label": "2026-01", "due": 0, "on_time": 0, "rate": None}]
    )
    assert "没有未完成的行动项" in charts.open_overdue_by_department([])


def test_drawing_in_threads_gives_the_same_pictures():
    expected = draw_all()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _n: draw_all(), range(8)))
    assert all(result == expected for result in results)


def test_the_pdf_sets_the_chart_labels_in_noto_cjk():
    svg = charts.on_time_by_department(DEPARTMENTS, 90)
    html = f'<html lang="zh-CN"><body><img style="width:160mm" src="{charts.data_uri(svg)}"></body></html>'
    data = render_pdf(html)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = pdf.pages[0].extract_text()
    assert "市场部" in text and "研发一部" in text and "目标90%" in text.replace(" ", "")
    fonts = {
        str(f.get_object()["/BaseFont"])
        for f in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values()
    }
    assert any("Noto-Sans-CJK-SC" in font or "NotoSansCJK" in font for font in fonts), fonts
