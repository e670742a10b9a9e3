"""The sample report has exactly the shape `reports.shape` defines, and survives a trip through JSON."""
from __future__ import annotations

import io
import json
from typing import Any

from openpyxl import load_workbook

from reports import render_xlsx, shape
from tests.reports.sample_report import empty_report, sample_report


def _check(value: dict[str, Any], typed: Any, where: str) -> None:
    keys = set(value)
    assert typed.__required_keys__ <= keys, f"{where}: missing {typed.__required_keys__ - keys}"
    known = typed.__required_keys__ | typed.__optional_keys__
    assert keys <= known, f"{where}: unknown {keys - known}"


def test_sample_report_has_the_defined_shape():
    for report in (sample_report(), empty_report()):
        _check(report, shape.PmqaReport, "report")
        for table_id, note in report["tables"].items():
            assert table_id in shape.TABLE_IDS
            _check(note, shape.TableNote, f"tables.{table_id}")
        rows = {"channels": shape.ChannelRow, "intents": shape.IntentRow, "groups": shape.GroupRow,
                "units": shape.UnitRow, "topics": shape.QuarterTopics, "improvements": shape.ImprovementRow,
                "categories": shape.CategoryRow, "standards": shape.StandardRow}
        for key, typed in rows.items():
            for row in report.get(key, []):
                _check(row, typed, key)
        if "complaint_flow" in report:
            _check(report["complaint_flow"], shape.ComplaintFlow, "complaint_flow")
            for step in report["complaint_flow"]["steps"]:
                _check(step, shape.FlowStep, "complaint_flow.steps")
        handling, satisfaction = report["handling"], report["satisfaction"]
        _check(handling, shape.Handling, "handling")
        _check(handling["total"], shape.HandlingFigures, "handling.total")
        for row in handling["by_unit"]:
            _check(row, shape.UnitHandlingRow, "handling.by_unit")
        for row in handling["by_channel"]:
            _check(row, shape.ChannelHandlingRow, "handling.by_channel")
        _check(satisfaction, shape.Satisfaction, "satisfaction")
        _check(satisfaction["overall"], shape.SatisfactionFigures, "satisfaction.overall")
        for row in satisfaction["by_channel"]:
            _check(row, shape.ChannelSatisfactionRow, "satisfaction.by_channel")
        for row in satisfaction["by_group"]:
            _check(row, shape.GroupSatisfactionRow, "satisfaction.by_group")
        for row in satisfaction["reasons"]:
            _check(row, shape.ReasonRow, "satisfaction.reasons")


def test_sample_covers_every_channel_intent_and_group_with_consistent_totals():
    report = sample_report()
    channels = [row["channel"] for row in report["channels"]]
    assert channels == ["line", "facebook", "facebook_comment", "walk_in", "phone", "letter", "email", "comment_box",
                        "website", "other"]
    assert [row["intent"] for row in report["intents"]] == ["complaint", "suggestion", "question", "praise", "other"]
    assert {"ประชาชนทั่วไป", "ผู้ประกอบการ", "ผู้สูงอายุ/ผู้พิการ", "นักเรียน/นักศึกษา", "หน่วยงานภาครัฐ",
            "องค์กรชุมชน/ภาคประชาสังคม"} <= {row["group"] for row in report["groups"]}
    for year in ("2567", "2568", "2569"):
        total = sum(row["by_year"][year] for row in report["channels"])
        assert sum(row["by_year"][year] for row in report["intents"]) == total
        assert sum(row["by_year"][year] for row in report["groups"]) == total
    assert sum(row["received"] for row in report["units"]) == 3912
    complaints = report["intents"][0]["by_year"]["2569"]
    assert sum(row["received"] for row in report["handling"]["by_unit"]) == complaints
    assert sum(row["received"] for row in report["handling"]["by_channel"]) == complaints
    assert sum(sum(row["by_month"]) for row in report["channels"]) == 3912


def test_report_renders_the_same_after_a_trip_through_json():
    report = json.loads(json.dumps(sample_report(), ensure_ascii=False))
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    assert book["ช่องทาง"]["D6"].value == 1630
