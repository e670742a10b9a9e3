"""Repeat complaints, defined once: the same problem reported again while the first is open or soon after it closed.

A complaint repeats an earlier one when all three hold:
- the same citizen (the same contact, or off-line the same phone number) or the same place (pins within
  `RADIUS_METRES`; where either case has no pin, the same place phrase among its topics, e.g. "ซอย 5"; a village or
  subdistrict alone, "หมู่ 7" or "ตำบลสุเทพ", covers too much ground to be the same place);
- the same problem: the same complaint category of the agency, or the same issue (the same meaning of its topics);
- while the earlier one was still open, or within `DAYS_AFTER_CLOSE` days after it was finished.
A complaint whose citizen names an earlier ticket ("ปัญหาเดียวกับเรื่อง FS-2569-000123") repeats that ticket, and a
complaint an officer merged into another case as the same problem (places' merge, the `case_merges` table) repeats
that case. The same citizen with another matter is not a repeat.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, column, select, table
from sqlalchemy.orm import Session

from agency.config import AgencyConfig
from agency.vocabulary import OPEN_STATUSES
from analytics.trends import issue_key
from conversation.tickets import find_tickets
from storage.models import Case, Contact, Message

DAYS_AFTER_CLOSE = 30
RADIUS_METRES = 250.0
RULE = (f"ปัญหาเดิมที่แจ้งซ้ำ: ผู้ร้องรายเดิม (บัญชีหรือเบอร์โทรศัพท์เดียวกัน) หรือสถานที่เดียวกัน "
        f"(พิกัดห่างกันไม่เกิน {RADIUS_METRES:.0f} เมตร เรื่องที่ไม่มีพิกัดใช้ชื่อสถานที่เดียวกันในประเด็นของเรื่อง "
        f"เช่น ซอยหรือถนนเดียวกัน ระบุเพียงหมู่ที่หรือตำบลไม่นับว่าเป็นสถานที่เดียวกัน) "
        f"และหมวดเรื่องร้องเรียนหรือประเด็นเดียวกัน ขณะที่เรื่องแรกยังไม่แล้วเสร็จหรือภายใน {DAYS_AFTER_CLOSE} วัน"
        f"หลังเรื่องแรกแล้วเสร็จ รวมเรื่องที่ผู้ร้องระบุเลขที่เรื่องเดิม และเรื่องที่เจ้าหน้าที่รวมเข้ากับเรื่องเดิม"
        f"เป็นปัญหาเดียวกัน (ผู้ร้องรายเดิมที่แจ้งปัญหาอื่นไม่นับเป็นเรื่องซ้ำ)")
_COARSE_PLACE = re.compile(r"หมู่ \d{1,2}|ตำบล.*")  # a village number or a subdistrict alone: too much ground
# places' merges, read by name: reports and places are rooms of one layer and import nothing of each other
MERGES = table("case_merges", column("case_id"), column("into_case_id"))
_EARTH_METRES = 6_371_000.0
_CELL_DEGREES = 0.0025  # about 280 m of latitude: a pin's neighbours lie in its cell or the eight around it


@dataclass(frozen=True)
class Complaint:
    """What deciding a repeat needs of one complaint."""

    id: int
    ticket: str
    created_at: dt.datetime
    finished_at: dt.datetime | None     # resolved or closed; None while open
    citizens: tuple[object, ...]        # ("contact", id) and, when known, ("phone", digits)
    place: str | None                   # the place phrase of its topics
    point: tuple[float, float] | None   # (latitude, longitude) of the citizen's pin
    category: str | None                # the agency's complaint category (None: none matched)
    issue: str | None                   # the issue its topics name
    named: frozenset[str]               # earlier tickets the citizen named in this complaint's messages
    merged_into: int | None = None      # the case an officer merged this one into as the same problem

    def same_problem(self, other: Complaint) -> bool:
        return bool((self.category and self.category == other.category) or (self.issue and self.issue == other.issue))

    def same_place(self, other: Complaint) -> bool:
        if self.point is not None and other.point is not None:
            return distance_metres(self.point, other.point) <= RADIUS_METRES
        return self.place is not None and self.place == other.place

    def still_live(self, moment: dt.datetime) -> bool:
        """Open at `moment`, or finished no more than DAYS_AFTER_CLOSE days before it."""
        return self.finished_at is None or moment <= self.finished_at + dt.timedelta(days=DAYS_AFTER_CLOSE)


def precise_place(place: str | None) -> str | None:
    """The place phrase when it can name one spot ("ซอย 5", "ถนนสุขุมวิท"); None for a bare "หมู่ 7" or a subdistrict."""
    return None if place is None or _COARSE_PLACE.fullmatch(place) else place


def distance_metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_METRES * math.asin(math.sqrt(min(1.0, h)))


def load_complaints(session: Session, *, agency: AgencyConfig, scoped: object, start: dt.datetime,
                    end: dt.datetime) -> list[Complaint]:
    """Complaints received before `end` that were open or finished within the window at `start`, oldest first."""
    horizon = start - dt.timedelta(days=DAYS_AFTER_CLOSE)
    query: Select = scoped(select(  # type: ignore[operator]
        Case.id, Case.ticket, Case.contact_id, Case.status, Case.created_at, Case.resolved_at, Case.closed_at,
        Case.updated_at, Case.summary, Case.topics, Contact.phone)
        .join(Contact, Contact.id == Case.contact_id)
        .where(Case.intent == "complaint", Case.created_at < end)
        .where((Case.created_at >= horizon) | Case.resolved_at.is_(None) | (Case.resolved_at >= horizon))
        .order_by(Case.created_at, Case.id))
    rows = session.execute(query).all()
    ids = [row.id for row in rows]
    points = _points(session, ids)
    named = _named_tickets(session, ids, prefix=agency.ticket_prefix)
    merges = _merges(session, ids)
    complaints = []
    for row in rows:
        key = issue_key([str(t) for t in row.topics or []])
        citizens: list[object] = [("contact", row.contact_id)]
        digits = "".join(ch for ch in row.phone or "" if ch.isdigit())
        if digits:
            citizens.append(("phone", digits))
        words = " ".join([row.summary or "", *(str(t) for t in row.topics or ())])
        finished = row.resolved_at or row.closed_at
        if finished is None and row.status not in OPEN_STATUSES:
            finished = row.updated_at  # rejected or merged without a resolution time
        complaints.append(Complaint(
            id=row.id, ticket=row.ticket, created_at=row.created_at, finished_at=finished, citizens=tuple(citizens),
            place=precise_place(key.place) if key else None, point=points.get(row.id),
            category=agency.complaint_category(words), issue=key.issue if key else None,
            named=named.get(row.id, frozenset()), merged_into=merges.get(row.id)))
    return complaints


def find_repeats(complaints: Iterable[Complaint], *, since: dt.datetime) -> dict[int, int]:
    """Complaint id → the id of the earlier complaint it repeats, for complaints received from `since` on.

    Earlier complaints are filed under what a repeat must share with them: (citizen, problem), (place phrase,
    problem) and (map cell, problem), so each complaint looks only at those that could match, newest first."""
    filed: dict[tuple[object, ...], list[Complaint]] = defaultdict(list)
    by_ticket: dict[str, Complaint] = {}
    repeats: dict[int, int] = {}
    for complaint in sorted(complaints, key=lambda c: (c.created_at, c.id)):
        if complaint.created_at >= since and complaint.merged_into not in (None, complaint.id):
            repeats[complaint.id] = complaint.merged_into  # type: ignore[assignment]
        elif complaint.created_at >= since:
            earlier = _earlier(complaint, filed=filed, by_ticket=by_ticket)
            if earlier is not None:
                repeats[complaint.id] = earlier.id
        for key in _keys(complaint, neighbours=False):
            filed[key].append(complaint)
        by_ticket[complaint.ticket] = complaint
    return repeats


def _problems(complaint: Complaint) -> list[tuple[str, str]]:
    return [*((("category", complaint.category),) if complaint.category else ()),
            *((("issue", complaint.issue),) if complaint.issue else ())]


def _keys(complaint: Complaint, *, neighbours: bool) -> list[tuple[object, ...]]:
    """Where this complaint is filed (or, with `neighbours`, where its matches would be): each citizen, place
    phrase and map cell (with the eight around it) paired with each of its problems."""
    problems = _problems(complaint)
    spots: list[object] = [*complaint.citizens, *((("place", complaint.place),) if complaint.place else ())]
    if complaint.point:
        row, column = _cell(complaint.point)
        steps = (-1, 0, 1) if neighbours else (0,)
        spots += [("cell", row + dr, column + dc) for dr in steps for dc in steps]
    return [(spot, problem) for spot in spots for problem in problems]


def _earlier(complaint: Complaint, *, filed: dict[tuple[object, ...], list[Complaint]],
             by_ticket: dict[str, Complaint]) -> Complaint | None:
    """The most recent earlier complaint this one repeats, or None."""
    for ticket in sorted(complaint.named):
        named = by_ticket.get(ticket)
        if named is not None and named.id != complaint.id:
            return named
    same_citizen = set(complaint.citizens)
    best: Complaint | None = None
    for key in _keys(complaint, neighbours=True):
        shelf = filed.get(key)
        if not shelf:
            continue
        gone = 0
        for earlier in reversed(shelf):  # newest first: the first that matches is this shelf's answer
            if best is not None and (earlier.created_at, earlier.id) <= (best.created_at, best.id):
                break
            if not earlier.still_live(complaint.created_at):
                gone += 1
                continue
            if earlier.id != complaint.id and (same_citizen & set(earlier.citizens) or complaint.same_place(earlier)):
                best = earlier
                break
        if gone * 2 > len(shelf):  # finished long ago stays finished: drop them once they are most of the shelf
            shelf[:] = [c for c in shelf if c.still_live(complaint.created_at)]
    return best


def _cell(point: tuple[float, float]) -> tuple[int, int]:
    latitude, longitude = point
    return math.floor(latitude / _CELL_DEGREES), math.floor(longitude / _CELL_DEGREES)


def _points(session: Session, ids: list[int]) -> dict[int, tuple[float, float]]:
    """The first pin citizens sent with each case (LINE location, a form's pin)."""
    points: dict[int, tuple[float, float]] = {}
    for chunk in _chunks(ids):
        query = (select(Message.case_id, Message.location).where(Message.case_id.in_(chunk), Message.direction == "in",
                                                                 Message.kind == "location").order_by(Message.id))
        for case_id, location in session.execute(query):
            try:
                point = (float(location["latitude"]), float(location["longitude"]))
            except (TypeError, KeyError, ValueError):
                continue
            if all(math.isfinite(v) for v in point):
                points.setdefault(case_id, point)
    return points


def _merges(session: Session, ids: list[int]) -> dict[int, int]:
    """The case each of these was merged into, for those an officer merged."""
    merged: dict[int, int] = {}
    for chunk in _chunks(ids):
        merged.update(session.execute(select(MERGES.c.case_id, MERGES.c.into_case_id)
                                      .where(MERGES.c.case_id.in_(chunk))).tuples().all())
    return merged


def _named_tickets(session: Session, ids: list[int], *, prefix: str) -> dict[int, frozenset[str]]:
    """Tickets citizens wrote in the messages of each case ("เรื่องเดิม FS-2569-000123")."""
    named: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(ids):
        query = select(Message.case_id, Message.text).where(
            Message.case_id.in_(chunk), Message.direction == "in", Message.text.ilike(f"%{prefix}%"))
        for case_id, text in session.execute(query):
            named[case_id].update(m.ticket for m in find_tickets(text or "", prefix=prefix))
    return {case_id: frozenset(tickets) for case_id, tickets in named.items()}


def _chunks(ids: list[int], size: int = 5000) -> Iterable[list[int]]:
    for index in range(0, len(ids), size):
        yield ids[index:index + size]
