"""The demo history read as an assessor reads the PMQA report (issue 18): surveys asked on every finished matter and
mostly unanswered, reasons for most low scores, repeat complaints rare; on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import func, select

from agency.thaitime import BANGKOK, fiscal_year_bounds
from conversation.models import Survey
from history.service import load_demo
from reports.builder import build_report
from storage.db import Database
from storage.models import Case
from tests.analytics.test_pipeline import AGENCY, CALENDAR, db  # noqa: F401 — the pipeline's database fixture
from tests.history.test_import_file import runtime
from tests.reports.helpers import user


def test_a_small_demo_reads_like_a_real_agency_s_year(db: Database) -> None:
    load_demo(runtime(db), messages=2000, months=14, end=dt.date(2025, 9, 30), seed=7)
    report = build_report(db, agency=AGENCY, calendar=CALENDAR, fiscal_year=2568,
                          user=user(db, "analyst@example.go.th"), now=dt.datetime(2025, 10, 15, 10, tzinfo=BANGKOK))
    with db.session() as session:
        surveys = session.execute(select(Survey.score, Survey.reason, Survey.answered_at, Survey.asked_at)).all()
        finished = session.scalar(select(func.count()).select_from(Case).where(
            Case.status.in_(("resolved", "closed")), Case.intent != "other"))
        contacts = session.scalar(select(func.count(func.distinct(Case.contact_id))))
    # every finished matter was asked; those who did not answer are stored as asked and unanswered
    assert len(surveys) == finished
    unanswered = [s for s in surveys if s.score is None]
    assert unanswered and all(s.answered_at is None and s.reason is None for s in unanswered)
    assert all(s.answered_at >= s.asked_at for s in surveys if s.score is not None)
    overall = report["satisfaction"]["overall"]
    assert overall["asked"] > 300 and 0.15 < overall["response_rate"] < 0.5
    assert overall["responses"] == round(overall["response_rate"] * overall["asked"])
    # reasons given for most low scores, and the report lists them
    low = [s for s in surveys if s.score is not None and s.score <= 2]
    assert 0.5 < sum(s.reason is not None for s in low) / len(low) < 0.9
    start, end = fiscal_year_bounds(2568)
    in_year = [s for s in low if start <= s.asked_at.replace(tzinfo=dt.UTC) < end]
    assert sum(r["count"] for r in report["satisfaction"]["reasons"]) == sum(s.reason is not None for s in in_year)
    assert Counter(s.reason for s in low if s.reason).keys() <= {"slow", "unresolved", "communication", "other"}
    # most messages come from citizens writing once: repeat complaints are few
    assert contacts > 0.85 * 2000
    total = report["handling"]["total"]
    assert total["received"] > 400 and 0 < total["repeat"] / total["received"] < 0.2, total
