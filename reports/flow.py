"""The 7-step complaint flow (PMQA seed 004) read from each complaint's audit trail.

receive → register → route → acknowledge → investigate/act → answer the citizen → follow up and close. A step's
moment is the first audit event that shows it (the case's own timestamps where an older case has no event); a
complaint that reached a later step went through the earlier ones, so it counts as reaching them too. Times between
steps are working days, over the complaints that show both moments.
"""
from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.thaitime import WorkingCalendar
from storage.models import AuditEvent, Case

STEPS: tuple[tuple[str, str], ...] = (
    ("receive", "1. รับเรื่องร้องเรียน"),
    ("register", "2. ลงทะเบียนและออกเลขที่เรื่อง"),
    ("route", "3. ส่งเรื่องถึงหน่วยงานที่รับผิดชอบ"),
    ("acknowledge", "4. แจ้งรับเรื่องและตอบผู้ร้องครั้งแรก"),
    ("act", "5. ตรวจสอบข้อเท็จจริงและดำเนินการแก้ไข"),
    ("answer", "6. แจ้งผลการดำเนินการแก่ผู้ร้อง"),
    ("close", "7. ติดตามผลและปิดเรื่อง"),
)
ANSWERED_STATUSES = ("resolved", "forwarded", "rejected")


def _new_status(details: dict[str, Any]) -> str | None:
    change = (details or {}).get("changes", {}).get("status")
    return change[1] if isinstance(change, list) and len(change) == 2 else None


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def complaint_flow(session: Session, *, scoped: Any, start: dt.datetime, end: dt.datetime,
                   calendar: WorkingCalendar, triage_unit: str) -> list[dict[str, Any]]:
    """Each step: complaints received in [start, end) that reached it, and the median working days from the step
    before it."""
    cases = session.execute(scoped(select(Case.id, Case.created_at, Case.unit_code, Case.first_response_at,
                                          Case.resolved_at, Case.closed_at, Case.status)
                                   .where(Case.intent == "complaint", Case.created_at >= start,
                                          Case.created_at < end))).all()
    moments: dict[int, dict[str, dt.datetime]] = defaultdict(dict)

    def first(case_id: int, step: str, at: dt.datetime | None) -> None:
        at = _aware(at)
        if at is not None and (step not in moments[case_id] or at < moments[case_id][step]):
            moments[case_id][step] = at

    ids = [row.id for row in cases]
    for chunk in (ids[i:i + 5000] for i in range(0, len(ids), 5000)):
        events = session.execute(select(AuditEvent.case_id, AuditEvent.action, AuditEvent.at, AuditEvent.details)
                                 .where(AuditEvent.case_id.in_(chunk)).order_by(AuditEvent.at, AuditEvent.id))
        for case_id, action, at, details in events:
            details = details or {}
            status = _new_status(details)
            if action in ("case_opened", "recorded_offline"):
                first(case_id, "register", at)
                if details.get("unit") and details.get("unit") != triage_unit:
                    first(case_id, "route", at)
            elif action == "reassigned":
                unit = (details.get("changes", {}).get("unit_code") or [None, None])[1]
                if unit and unit != triage_unit:
                    first(case_id, "route", at)
            if action == "replied" or status == "acknowledged":
                first(case_id, "acknowledge", at)
            if status == "in_progress":
                first(case_id, "act", at)
            if status in ANSWERED_STATUSES:
                first(case_id, "answer", at)
            if status == "closed":
                first(case_id, "close", at)
    for row in cases:  # older cases (imported history) show their steps in the case's own timestamps
        mine = moments[row.id]
        first(row.id, "receive", row.created_at)
        if "register" not in mine:
            first(row.id, "register", row.created_at)
        if "route" not in mine and row.unit_code != triage_unit:
            first(row.id, "route", row.created_at)
        if "acknowledge" not in mine:
            first(row.id, "acknowledge", row.first_response_at)
        if "answer" not in mine and row.status in (*ANSWERED_STATUSES, "closed"):
            first(row.id, "answer", row.resolved_at)
        if "close" not in mine and row.status == "closed":
            first(row.id, "close", row.closed_at or row.resolved_at)
    names = [name for name, _ in STEPS]
    result = []
    for index, (name, label) in enumerate(STEPS):
        reached = sum(any(later in moments[row.id] for later in names[index:]) for row in cases)
        gaps = []
        if index:
            before = names[index - 1]
            gaps = [calendar.working_days_between(moments[row.id][before], moments[row.id][name]) for row in cases
                    if before in moments[row.id] and name in moments[row.id]]
        result.append({"step": name, "label": label, "reached": reached,
                       "reached_share": reached / len(cases) if cases else None,
                       "days_from_previous_median": float(statistics.median(gaps)) if gaps else None,
                       "measured": len(gaps)})
    return result
