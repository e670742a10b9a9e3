"""The 7-step complaint flow (PMQA seed 004) read from each complaint's audit trail.

receive → register → route → acknowledge → investigate/act → answer the citizen → follow up and close. A step's
moment is the first audit event that shows it (the case's own timestamps where an older case has no event); a
complaint that reached a later step went through the earlier ones, so it counts as reaching them too. Times between
steps are working days, over the complaints that show both moments.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case as when
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agency.thaitime import WorkingCalendar
from storage.models import AuditEvent

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


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def step_moments(session: Session, rows: Sequence[Any], *, triage_unit: str) -> dict[int, dict[str, dt.datetime]]:
    """Each complaint's moment of each step it shows: the first audit event showing it (one GROUP BY in the
    database: the earliest event of each kind per case), else the case's own timestamps (imported history). `rows`
    carry id, created_at, unit_code, first_response_at, resolved_at, closed_at and status."""
    moments: dict[int, dict[str, dt.datetime]] = defaultdict(dict)

    def first(case_id: int, step: str, at: dt.datetime | None) -> None:
        at = _aware(at)
        if at is not None and (step not in moments[case_id] or at < moments[case_id][step]):
            moments[case_id][step] = at

    action, details = AuditEvent.action, AuditEvent.details
    status = details[("changes", "status", 1)].as_string()  # the new status of a {"status": [old, new]} change
    opened = action.in_(("case_opened", "recorded_offline"))
    unit_opened = details[("unit",)].as_string()
    unit_moved = details[("changes", "unit_code", 1)].as_string()
    routed = (opened & unit_opened.is_not(None) & (unit_opened != triage_unit)) | (
        (action == "reassigned") & unit_moved.is_not(None) & (unit_moved != triage_unit))
    steps = {"register": opened, "route": routed,
             "acknowledge": (action == "replied") | (status == "acknowledged"), "act": status == "in_progress",
             "answer": status.in_(ANSWERED_STATUSES), "close": status == "closed"}
    earliest = [func.min(when((condition, AuditEvent.at))).label(step) for step, condition in steps.items()]
    ids = [row.id for row in rows]
    for chunk in (ids[i:i + 5000] for i in range(0, len(ids), 5000)):
        for row in session.execute(select(AuditEvent.case_id, *earliest).where(AuditEvent.case_id.in_(chunk))
                                   .group_by(AuditEvent.case_id)):
            for step in steps:
                first(row.case_id, step, getattr(row, step))
    for row in rows:  # older cases (imported history) show their steps in the case's own timestamps
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
    return moments


def reached_and_gaps(moments: dict[str, dt.datetime], *, calendar: WorkingCalendar) -> tuple[int, list[int | None]]:
    """How many steps a complaint reached (a later step means it went through the earlier ones), and the working
    days from each step to the next where both moments are known."""
    names = [name for name, _ in STEPS]
    reached = max((index + 1 for index, name in enumerate(names) if name in moments), default=0)
    gaps = [calendar.working_days_between(moments[before], moments[name])
            if before in moments and name in moments else None for before, name in zip(names, names[1:])]
    return reached, gaps


def flow_table(*, complaints: int, reached: dict[int, int], gaps: list[dict[int, int]]) -> list[dict[str, Any]]:
    """Each step: complaints that reached it (from how many reached each furthest step) and the median working days
    from the step before (from each gap's distribution)."""
    result = []
    for index, (name, label) in enumerate(STEPS):
        count = sum(n for furthest, n in reached.items() if furthest > index)
        spread = gaps[index - 1] if index else {}
        measured = sum(spread.values())
        result.append({"step": name, "label": label, "reached": count,
                       "reached_share": count / complaints if complaints else None,
                       "days_from_previous_median": median_of(spread), "measured": measured})
    return result


def median_of(counts: dict[int, int]) -> float | None:
    """The median of values given as value → how many times."""
    return percentile_of(counts, 0.5)


def percentile_of(counts: dict[Any, int], fraction: float) -> float | None:
    """The percentile by linear interpolation between closest ranks (as PERCENTILE.INC) of values given as
    value → how many times: exact, without expanding them."""
    total = sum(counts.values())
    if not total:
        return None
    position = (total - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    ordered = sorted((value, n) for value, n in counts.items() if n)

    def at(rank: int) -> float:
        seen = 0
        for value, n in ordered:
            seen += n
            if rank < seen:
                return float(value)
        return float(ordered[-1][0])

    low_value, high_value = at(low), at(high)
    return low_value + (high_value - low_value) * (position - low)
