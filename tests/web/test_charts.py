"""Server-side SVG charts: well-formed, escaped, accessible, responsive, every bar a safe link."""
from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET

from web.charts import (
    NO_DATA,
    Bar,
    ChartSeries,
    ShareRow,
    bar_chart,
    column_chart,
    donut_chart,
    empty_chart,
    format_number,
    line_chart,
    nice_ticks,
    shorten,
    share_bars,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["ต.ค. 68", "พ.ย. 68", "ธ.ค. 68"]


def parse(svg: str) -> ET.Element:
    """The chart as XML (fails on anything not well-formed)."""
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    return root


def assert_accessible_and_responsive(root: ET.Element, title: str) -> None:
    """An accessible name and description, a viewBox, full width, Thai fonts."""
    assert root.get("role") == "img" and root.get("width") == "100%" and root.get("viewBox", "").startswith("0 0 ")
    title_id, desc_id = root.get("aria-labelledby", "").split()
    assert root.find(f"{SVG}title").text == title and root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}desc").get("id") == desc_id and root.find(f"{SVG}desc").text
    assert "Sarabun" in root.get("font-family") and "Noto Sans Thai" in root.get("font-family")


def test_stacked_columns_over_months_link_every_bar() -> None:
    series = [ChartSeries("LINE", [120, 80, 0], links=["/inbox?channel=line&month=2025-10", "/inbox?x=2", None]),
              ChartSeries("โทรศัพท์", [10, 5, 7], color="#123456")]
    root = parse(column_chart(title="เรื่องรายเดือนตามช่องทาง", categories=MONTHS, series=series))
    assert_accessible_and_responsive(root, "เรื่องรายเดือนตามช่องทาง")
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 5  # zero values draw nothing
    tips = [r.find(f"{SVG}title").text for r in bars]
    assert "ต.ค. 68 · LINE: 120 เรื่อง" in tips
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert links == ["/inbox?channel=line&month=2025-10", "/inbox?x=2"]
    assert any(r.get("fill") == "#123456" for r in bars)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert all(month in labels for month in MONTHS)
    assert "ต.ค. 68 130 เรื่อง" in root.find(f"{SVG}desc").text


def test_grouped_columns_and_stacked_heights_differ() -> None:
    series = [ChartSeries("ร้องเรียน", [30, 40]), ChartSeries("สอบถาม", [10, 20])]
    stacked = parse(column_chart(title="t", categories=MONTHS[:2], series=series))
    grouped = parse(column_chart(title="t", categories=MONTHS[:2], series=series, stacked=False))

    def top(root: ET.Element) -> float:
        """The highest tick on the value axis."""
        return max(float(t.text.replace(",", "")) for t in root.iter(f"{SVG}text")
                   if t.text and t.text.replace(",", "").isdigit())

    assert top(stacked) >= 60 and top(grouped) < 60


def test_text_is_escaped_and_unsafe_links_are_dropped() -> None:
    bars = [Bar("<script>alert(1)</script>", 3, "javascript:alert(1)"), Bar("กองช่าง & โยธา", 10, "/inbox?a=1&b=2"),
            Bar("x", 1, "//evil.example/"), Bar("y", 2, "https://example.go.th/cases?unit=a")]
    svg = str(bar_chart(title='หน่วยงาน "ทั้งหมด"', bars=bars))
    assert "<script>" not in svg and "javascript:" not in svg and "//evil" not in svg
    root = parse(svg)
    assert [a.get("href") for a in root.iter(f"{SVG}a")] == ["/inbox?a=1&b=2", "https://example.go.th/cases?unit=a"]
    assert any(t.text.startswith("<script>alert(1)</script>: 3") for t in root.iter(f"{SVG}title"))
    assert root.find(f"{SVG}title").text == 'หน่วยงาน "ทั้งหมด"'


def test_long_unit_names_are_cut_with_their_full_name_in_the_tooltip() -> None:
    name = "งานทะเบียนราษฎรและบัตรประจำตัวประชาชน สำนักทะเบียนท้องถิ่นเทศบาลตำบลฟังเสียง"
    root = parse(bar_chart(title="เรื่องตามหน่วยงาน", bars=[Bar(name, 1234, note="ค้าง 45"), Bar("กองช่าง", 10)]))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert any(t and t.endswith("…") for t in texts)
    assert "1,234 · ค้าง 45" in texts
    assert any(t.text.startswith(name) for t in root.iter(f"{SVG}title"))


def test_line_chart_points_are_links_and_tooltips() -> None:
    days = [f"{d} ต.ค. 68" for d in range(1, 31)]
    series = [ChartSeries("ทุกช่องทาง", list(range(30)), links=[f"/inbox?day={d}" for d in range(1, 31)])]
    root = parse(line_chart(title="รายวัน", categories=days, series=series))
    assert len(list(root.iter(f"{SVG}a"))) == 30
    assert len(list(root.iter(f"{SVG}polyline"))) == 1
    labels = [t.text for t in root.iter(f"{SVG}text") if t.text and "ต.ค." in t.text]
    assert 2 <= len(labels) < 30  # thinned so they do not overlap


def test_satisfaction_shares_and_donut() -> None:
    rows = [ShareRow("LINE", [("พอใจมาก", 120, "/inbox?s=high"), ("ปานกลาง", 30, None), ("น้อย", 10, None)],
                     note="ตอบ 160 จาก 400 เรื่อง"),
            ShareRow("ไม่มีคำตอบ", [("พอใจมาก", 0, None), ("ปานกลาง", 0, None), ("น้อย", 0, None)])]
    root = parse(share_bars(title="ความพึงพอใจตามช่องทาง", rows=rows))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "75%" in texts and "19%" in texts and "ไม่มีคำตอบ" not in texts
    assert "ตอบ 160 จาก 400 เรื่อง" in texts
    donut = parse(donut_chart(title="ประเภท", slices=[Bar("ร้องเรียน", 3), Bar("สอบถาม", 1, "/inbox?i=q")]))
    assert len(list(donut.iter(f"{SVG}path"))) == 2 and "4" in [t.text for t in donut.iter(f"{SVG}text")]
    whole = parse(donut_chart(title="ประเภท", slices=[Bar("ร้องเรียน", 5)]))
    assert len(list(whole.iter(f"{SVG}circle"))) == 1


def test_no_data_says_so_in_thai() -> None:
    for svg in (column_chart(title="ก", categories=MONTHS, series=[ChartSeries("a", [0, 0, 0])]),
                column_chart(title="ก", categories=[], series=[]), bar_chart(title="ก", bars=[]),
                line_chart(title="ก", categories=MONTHS, series=[]), share_bars(title="ก", rows=[]),
                donut_chart(title="ก", slices=[Bar("a", 0)]), empty_chart(title="ก")):
        root = parse(svg)
        assert NO_DATA in [t.text for t in root.iter(f"{SVG}text")]


def test_axis_ticks_and_numbers() -> None:
    assert nice_ticks(130) == [0, 50, 100, 150]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert format_number(1234) == "1,234" and format_number(2.5) == "2.5"
    assert text_width("น้ำ") < text_width("นาม") + 1  # marks take no room


def test_labels_are_cut_between_letters_never_between_a_letter_and_its_marks() -> None:
    assert shorten("ผู้สูงอายุ", 4) == "ผู้สูง…"  # display columns (print): marks take none
    label = "ผู้สูงอายุและผู้พิการที่ได้รับเบี้ยยังชีพ"
    for width in range(20, 200, 7):  # px (screen): whatever the width, a cut keeps each letter's marks
        cut = shorten(label, width, measure=text_width)
        kept = cut.removesuffix("…")
        assert label.startswith(kept.rstrip())
        assert len(kept) == len(label) or unicodedata.category(label[len(kept)]) != "Mn"
