"""Cases across fiscal years 2567–2570 with Bangkok-time boundaries, every channel, groups, statuses and register
entries, stored as the service stores them: the PMQA report tests check each table against these by hand."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.thaitime import BANGKOK
from conversation.models import Survey
from reports.models import Improvement
from storage.models import AuditEvent, Case, Contact, Message, User

CITIZEN_NAME = "นางสมศรี ใจงาม"
CITIZEN_PHONE = "081-234-5678"


def bkk(*parts: int) -> dt.datetime:
    """A Bangkok wall-clock moment as UTC (what the database stores)."""
    return dt.datetime(*parts, tzinfo=BANGKOK).astimezone(dt.UTC)


@dataclass(frozen=True)
class Spec:
    key: str
    created: dt.datetime
    channel: str
    intent: str
    unit: str
    status: str
    citizen: str
    group: str | None = None
    topics: tuple[str, ...] = ()
    first_response: dt.datetime | None = None
    resolved: dt.datetime | None = None
    due: dt.datetime | None = None
    pin: tuple[float, float] | None = None  # a LINE location the citizen sent with the case
    text: str | None = None                 # the citizen's words, when they matter (else the summary)


PIN = (18.9012, 99.0105)  # c11's pin: the lamp post at ซอย 5

CASES = (
    # fiscal year 2567, the first of the history, covered only from 2 December 2023 (2 ธ.ค. 2566)
    Spec("a1", bkk(2023, 12, 2, 10), "line", "complaint", "public_works", "resolved", "x", "ประชาชนทั่วไป",
         resolved=bkk(2023, 12, 5, 10)),
    Spec("a2", bkk(2024, 5, 10, 9), "walk_in", "question", "civil_registration", "closed", "a2",
         "ผู้สูงอายุ/ผู้พิการ", resolved=bkk(2024, 5, 10, 11)),
    # fiscal year 2568
    Spec("b1", bkk(2024, 10, 1, 8), "phone", "complaint", "environment", "resolved", "b1",
         resolved=bkk(2024, 10, 3, 8)),
    Spec("b3", bkk(2025, 8, 1, 10), "line", "complaint", "public_works", "resolved", "x", "ประชาชนทั่วไป",
         resolved=bkk(2025, 8, 5, 10)),
    Spec("b2", bkk(2025, 9, 30, 23, 30), "facebook", "suggestion", "general_affairs", "new", "b2", "ผู้ประกอบการ"),
    # fiscal year 2569: 00:10 on 1 Oct in Bangkok is still 30 Sep in UTC
    Spec("c1", bkk(2025, 10, 1, 0, 10), "line", "complaint", "public_works", "resolved", "x", "ประชาชนทั่วไป",
         ("ไฟฟ้าส่องสว่างดับ", "ซอย 5"), first_response=bkk(2025, 10, 1, 14), resolved=bkk(2025, 10, 3, 10),
         due=bkk(2025, 10, 29, 16, 30)),
    # c2 walks all 7 steps of the complaint flow (its audit trail below), closed after the citizen was answered
    Spec("c2", bkk(2025, 11, 3, 9), "line", "complaint", "public_works", "closed", "x", "ประชาชนทั่วไป",
         ("ถนนเป็นหลุม",), first_response=bkk(2025, 11, 4, 9), resolved=bkk(2025, 11, 14, 15),
         due=bkk(2025, 11, 7, 16, 30)),
    Spec("c3", bkk(2026, 1, 15, 10), "walk_in", "complaint", "environment", "in_progress", "y",
         "ผู้สูงอายุ/ผู้พิการ", ("ขยะไม่เก็บ", "หมู่ 3"), due=bkk(2026, 2, 5, 16, 30)),
    Spec("c4", bkk(2026, 2, 10, 10), "phone", "complaint", "environment", "closed", "z", "ผู้สูงอายุ/ผู้พิการ",
         ("ขยะไม่เก็บ", "หมู่ 3"), first_response=bkk(2026, 2, 10, 11), resolved=bkk(2026, 2, 12, 15),
         due=bkk(2026, 3, 3, 16, 30)),
    Spec("c5", bkk(2026, 4, 20, 9), "letter", "complaint", "revenue", "resolved", "c5", "ผู้ประกอบการ",
         ("ภาษีป้าย",), first_response=bkk(2026, 4, 22, 9), resolved=bkk(2026, 4, 29, 9),
         due=bkk(2026, 5, 4, 16, 30)),
    Spec("c6", bkk(2026, 6, 1, 10), "comment_box", "suggestion", "general_affairs", "new", "c6",
         due=bkk(2026, 7, 13, 16, 30)),
    Spec("c7", bkk(2026, 7, 1, 10), "email", "question", "civil_registration", "closed", "c7", "นักเรียน/นักศึกษา",
         first_response=bkk(2026, 7, 1, 11), resolved=bkk(2026, 7, 1, 11)),
    Spec("c8", bkk(2026, 8, 3, 10), "website", "praise", "general_affairs", "closed", "c8", "หน่วยงานภาครัฐ",
         first_response=bkk(2026, 8, 3, 11), resolved=bkk(2026, 8, 3, 11)),
    Spec("c11", bkk(2026, 9, 15, 10), "facebook", "complaint", "public_works", "resolved", "w", None,
         ("ไฟฟ้าส่องสว่างดับ", "ซอย 5"), first_response=bkk(2026, 9, 15, 12), resolved=bkk(2026, 9, 16, 10),
         due=bkk(2026, 10, 13, 16, 30), pin=PIN),
    # planted repeats: another citizen 150 m from c11, same category, 4 days after c11 was resolved (a repeat)
    Spec("c12", bkk(2026, 9, 20, 10), "line", "complaint", "public_works", "in_progress", "u", "ประชาชนทั่วไป",
         ("หลอดไฟเสีย",), first_response=bkk(2026, 9, 21, 9), due=bkk(2026, 10, 19, 16, 30),
         pin=(PIN[0] + 150 / 111_195, PIN[1])),
    # ... and 400 m away (not a repeat: another place)
    Spec("c13", bkk(2026, 9, 22, 10), "line", "complaint", "public_works", "new", "t", "ประชาชนทั่วไป",
         ("ไฟทางดับ",), due=bkk(2026, 10, 21, 16, 30), pin=(PIN[0] - 400 / 111_195, PIN[1])),
    # a citizen who names the earlier ticket (c5's) as the same problem, 7 weeks after it was resolved
    Spec("c14", bkk(2026, 6, 15, 10), "phone", "complaint", "revenue", "acknowledged", "s", "ผู้ประกอบการ",
         ("ใบเสร็จไม่ถูกต้อง",), first_response=bkk(2026, 6, 16, 10), due=bkk(2026, 7, 13, 16, 30),
         text="ปัญหาเดียวกับเรื่องเลขที่ FS-2569-000010 ยังไม่ได้แก้ไขค่ะ"),
    # 23:59 on 30 Sep in Bangkok: the last minute of 2569
    Spec("c9", bkk(2026, 9, 30, 23, 59), "other", "complaint", "triage", "rejected", "c9",
         "องค์กรชุมชน/ภาคประชาสังคม", first_response=bkk(2026, 10, 2, 10), resolved=bkk(2026, 10, 2, 10),
         due=bkk(2026, 10, 21, 16, 30)),
    # fiscal year 2570: 00:05 on 1 Oct in Bangkok
    Spec("d1", bkk(2026, 10, 1, 0, 5), "facebook_comment", "complaint", "public_works", "new", "d1"),
)
# c2's audit trail as the case service writes it: (Bangkok moment, actor, action, details)
C2_TRAIL = (
    (bkk(2025, 11, 3, 9), "system", "case_opened", {"ticket": "", "intent": "complaint", "unit": "public_works"}),
    (bkk(2025, 11, 4, 9), "works@example.go.th", "replied", {"changes": {"status": ["new", "acknowledged"]}}),
    (bkk(2025, 11, 5, 10), "works@example.go.th", "status_changed",
     {"changes": {"status": ["acknowledged", "in_progress"]}}),
    (bkk(2025, 11, 14, 15), "works@example.go.th", "status_changed",
     {"changes": {"status": ["in_progress", "resolved"]}}),
    (bkk(2025, 11, 17, 10), "works@example.go.th", "status_changed", {"changes": {"status": ["resolved", "closed"]}}),
)
# Surveys sent on resolution: case key, asked (Bangkok), score (None: not answered), reason code.
SURVEYS = (
    ("b3", bkk(2025, 8, 5, 10), 1, "slow"),            # asked in 2568
    ("c1", bkk(2025, 10, 3, 10), 5, None),
    ("c2", bkk(2025, 11, 14, 15), 2, "slow"),
    ("c4", bkk(2026, 2, 12, 15), 3, None),
    ("c5", bkk(2026, 4, 29, 9), None, None),
    ("c7", bkk(2026, 7, 1, 11), 4, None),
    ("c11", bkk(2026, 9, 16, 10), 1, "unresolved"),
    ("c9", bkk(2026, 10, 2, 10), 5, None),             # asked in 2570
)
# Off-line citizens who left the same number (in two spellings): the same person for repeat complaints.
PHONES = {"y": CITIZEN_PHONE, "z": "0812345678"}


def seed(session: Session) -> dict[str, Case]:
    """Store the cases (with their citizens and first messages) and two register entries; cases by key."""
    contacts: dict[str, Contact] = {}
    cases = {spec.key: store_case(session, spec, number=number, contacts=contacts)
             for number, spec in enumerate(CASES, start=1)}
    c2 = cases["c2"]
    c2.closed_at = C2_TRAIL[-1][0]
    session.add_all(AuditEvent(at=at, actor=actor, action=action, entity="case", entity_id=str(c2.id), case_id=c2.id,
                               details={**details, **({"ticket": c2.ticket} if "ticket" in details else {})})
                    for at, actor, action, details in C2_TRAIL)
    session.add_all(Survey(case_id=cases[key].id, channel=cases[key].channel, asked_at=asked, score=score,
                           reason=reason, answered_at=asked + dt.timedelta(hours=2) if score else None)
                    for key, asked, score, reason in SURVEYS)
    admin = session.scalars(select(User).where(User.role == "admin")).first()
    session.add_all([
        Improvement(day=dt.date(2026, 3, 1), unit_code="environment", issue="ขยะตกค้างหมู่ 3 ร้องเรียนซ้ำ",
                    link_kind="cases", link_ref=f"{cases['c3'].ticket}, {cases['c4'].ticket}",
                    old_process="รอรถเก็บขยะตามรอบสัปดาห์ละครั้ง", old_steps=4, old_days=7.0,
                    new_process="เพิ่มรอบเก็บขยะหมู่ 3 และรับแจ้งทาง LINE", new_steps=2, new_days=2.0,
                    evidence=f"คำสั่งเทศบาลที่ 12/2569 ติดต่อ {CITIZEN_PHONE}", citizen_group="ผู้สูงอายุ/ผู้พิการ",
                    created_by=admin.id if admin else None),
        Improvement(day=dt.date(2025, 9, 15), unit_code="public_works", issue="ไฟทางดับซอย 5",
                    link_kind="trend", link_ref="ไฟฟ้าส่องสว่างดับ", old_process="รอรวบรวมซ่อมเดือนละครั้ง",
                    old_steps=5, old_days=30.0, new_process="ซ่อมภายในสัปดาห์", new_steps=3, new_days=5.0,
                    evidence="ภาพถ่ายก่อนและหลัง"),
    ])
    session.flush()
    return cases


def store_case(session: Session, spec: Spec, *, number: int, contacts: dict[str, Contact]) -> Case:
    """One case as the service stores it: its citizen (made once per key), the case, its first message and pin."""
    contact = contacts.get(spec.citizen)
    if contact is None:
        offline = spec.channel not in ("line", "facebook", "facebook_comment")
        contact = Contact(channel=spec.channel, external_id=f"seed-{spec.citizen}",
                          display_name=CITIZEN_NAME if spec.citizen == "y" else f"ผู้แจ้ง {spec.citizen}",
                          phone=PHONES.get(spec.citizen), following=not offline, created_at=spec.created)
        session.add(contact)
        session.flush()
        contacts[spec.citizen] = contact
    case = Case(ticket=f"FS-{spec.created.astimezone(BANGKOK).year + 543}-{number:06d}", contact_id=contact.id,
                channel=spec.channel, intent=spec.intent, unit_code=spec.unit, status=spec.status,
                summary=f"เรื่องของ{CITIZEN_NAME} โทร {CITIZEN_PHONE}", topics=list(spec.topics),
                created_at=spec.created, updated_at=spec.created, respond_due_at=spec.created,
                due_at=spec.due or spec.created + dt.timedelta(days=21), first_response_at=spec.first_response,
                resolved_at=spec.resolved, citizen_group=spec.group)
    session.add(case)
    session.flush()
    session.add(Message(direction="in", channel=spec.channel, kind="text", contact_id=contact.id, case_id=case.id,
                        text=spec.text or case.summary, masked_text="เรื่องของ[ชื่อ] โทร [เบอร์โทร]",
                        sent_at=spec.created, received_at=spec.created))
    if spec.pin:
        session.add(Message(direction="in", channel=spec.channel, kind="location", contact_id=contact.id,
                            case_id=case.id, location={"title": "ตำแหน่งที่แจ้ง", "latitude": spec.pin[0],
                                                       "longitude": spec.pin[1]},
                            sent_at=spec.created, received_at=spec.created))
    return case
