"""Routing: threshold calibrated by cross-validation to a target precision, top-3 candidates, CSV evaluation."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from classifier import Classifier
from classifier.evaluation import evaluate_router_csv, format_router_report
from classifier.routing import NEVER, RoutingCalibration, top_candidates
from classifier.training import train

ROOT = Path(__file__).resolve().parents[2]
SMALL = 3000


def _register_module():
    """The committed generator of the synthetic agency register (classifier/data/router/make_agency_csv.py)."""
    path = ROOT / "classifier" / "data" / "router" / "make_agency_csv.py"
    spec = importlib.util.spec_from_file_location("make_agency_csv", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def register_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~1,200 labelled reports over 20 units, written by the generator."""
    return _register_module().write_csv(tmp_path_factory.mktemp("register") / "register.csv", rows=1200, seed=12)


def test_calibration_picks_lowest_threshold_reaching_target() -> None:
    conf = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    correct = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0], dtype=bool)
    cal = RoutingCalibration(conf, correct, correct)
    assert cal.threshold(1.0) == pytest.approx(0.3)
    assert cal.threshold(0.9) == pytest.approx(0.2)  # 9 right of 10 routed
    assert cal.at_threshold(0.3) == {"threshold": 0.3, "coverage": 0.75, "triage_rate": 0.25, "precision": 1.0}
    assert RoutingCalibration(conf[:3], correct[:3] & False, correct[:3]).threshold(0.5) == NEVER
    curve = cal.curve((0.5, 1.0))
    assert curve[0]["coverage"] == 0.5 and curve[1]["precision"] == 0.75


def test_calibration_from_oof_probabilities() -> None:
    classes = ["a", "b", "c", "d"]
    proba = np.array([[0.7, 0.2, 0.1, 0.0], [0.1, 0.5, 0.4, 0.0], [0.3, 0.3, 0.4, 0.0]])
    cal = RoutingCalibration.from_oof(proba, classes, ["a", "c", "b"])
    assert list(cal.confidences) == pytest.approx([0.7, 0.5, 0.4])
    assert list(cal.correct) == [True, False, False] and list(cal.top3_correct) == [True, True, True]
    assert top_candidates(proba[1], classes) == (("b", 0.5), ("c", 0.4), ("a", 0.1))


def test_router_csv_evaluation(register_csv: Path) -> None:
    report = evaluate_router_csv(register_csv, text_column="รายละเอียด", label_column="หน่วยงานที่รับผิดชอบ")
    assert report["n"] == 1200 and report["units"] == 20
    assert report["top1_accuracy"] >= 0.88 and report["top3_accuracy"] >= report["top1_accuracy"]
    at_93 = report["at_precision_0.93"]
    assert at_93["precision"] >= 0.93 and at_93["triage_rate"] <= 0.20
    calibrated = report["calibrated"]
    assert calibrated["precision"] >= 0.95 and calibrated["triage_rate"] <= 0.35
    assert len(report["curve"]) >= 5
    text = format_router_report(report)
    assert "top-3" in text and "coverage" in text
    with pytest.raises(ValueError):
        evaluate_router_csv(register_csv, text_column="nope", label_column="หน่วยงานที่รับผิดชอบ")


def test_train_with_register_calibrates_threshold(register_csv: Path, tmp_path: Path) -> None:
    report = train(tmp_path / "m", router_csv=register_csv, text_column="รายละเอียด",
                   label_column="หน่วยงานที่รับผิดชอบ", max_sentiment_examples=SMALL, use_embeddings=False,
                   intent_folds=0)  # the router keeps its 5 calibration folds
    assert len(report["units"]) == 20
    summary = report["routing_calibration"]
    assert summary["n"] == 1200 and summary["calibrated"]["precision"] >= 0.95
    clf = Classifier.load(tmp_path / "m")
    calibration = clf.bundle.routing_calibration
    assert clf.routing_threshold == pytest.approx(calibration.threshold(0.95))
    looser = Classifier.load(tmp_path / "m", target_precision=0.90)
    assert looser.routing_threshold <= clf.routing_threshold  # a lower target routes more, no retraining
    fixed = Classifier.load(tmp_path / "m", routing_threshold=1.01)
    pred = fixed.classify("ขยะไม่มีคนมาเก็บมาหนึ่งสัปดาห์แล้ว กองหน้าบ้าน เหม็นมาก")
    assert pred.unit == "triage" and pred.unit_candidates[0][0] == "waste"  # triage still gets suggestions
    assert len(pred.unit_candidates) == 3
    confidences = [c for _, c in pred.unit_candidates]
    assert confidences == sorted(confidences, reverse=True)
    routed = clf.classify("ไฟถนนดับทั้งซอย มืดมาก ซอยสุขใจ 5 มาสองอาทิตย์แล้ว")
    assert routed.unit_candidates[0][0] == "street_lights"


def test_train_on_the_traffy_register_with_several_units_per_report(tmp_path: Path) -> None:
    """`python -m classifier.traffy --write-csv F` then `fangsiang train --router-csv F`: real reports filed under
    several problem types ("ถนน|ทางเท้า") train one regression per type; a route is right when it is any of them."""
    from classifier.data import read_router_csv
    from classifier.traffy import write_register_csv

    csv_path = tmp_path / "traffy.csv"
    assert write_register_csv(csv_path) >= 580
    assert any("|" in unit for _, unit in read_router_csv(csv_path, "text", "unit"))
    report = train(tmp_path / "m", router_csv=csv_path, text_column="text", label_column="unit",
                   max_sentiment_examples=SMALL, use_embeddings=False, intent_folds=0)
    assert len(report["units"]) >= 15
    assert report["routing_calibration"]["top1_accuracy"] >= 0.8  # measured 0.85 out of fold
    clf = Classifier.load(tmp_path / "m", target_precision=0.93)
    assert clf.bundle.router_head.kind == "multilabel"
    prediction = clf.classify("ไฟฟ้าส่องสว่างดับทั้งซอย มืดมาก อันตราย")
    assert prediction.unit_candidates[0][0] == "แสงสว่าง"
