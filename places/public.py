"""What anyone may see of a case: the public status page and the Open311 read API. No personal data, no other case:
texts through the one masking function, no names, phones or exact address, the place rounded to about 110 m."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from agency.config import AgencyConfig
from agency.thaitime import thai_date
from agency.vocabulary import OPEN_STATUSES, STATUS_NAMES, Status
from bot.replies import CaseLinks
from classifier.privacy import mask_personal_data
from conversation.models import MediaFile
from places.geo import rounded
from places.report import ADDRESS_PREFIX
from places.models import AfterPhoto, CaseMerge, CasePlace
from places.service import category_of
from storage.models import AuditEvent, Case, Message, Unit

if TYPE_CHECKING:
    from runtime import Runtime

TOKEN_BYTES = 16  # 128 bits: unguessable
PUBLIC_MAP_DAYS = 90  # resolved problems stay on the public map this long
PUBLIC_MAP_LIMIT = 5000


def status_token(*, secret: str, ticket: str) -> str:
    """The unguessable token of a ticket's public status link (HMAC-SHA256 with the service's secret key)."""
    digest = hmac.new(secret.encode(), f"public-status:{ticket}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).decode().rstrip("=")


def token_matches(*, secret: str, ticket: str, token: str | None) -> bool:
    """Whether the link's token is the ticket's (compared in constant time)."""
    return hmac.compare_digest(status_token(secret=secret, ticket=ticket).encode(), (token or "").encode())


def status_path(*, secret: str, ticket: str) -> str:
    """The public status page's path with its token."""
    return f"/t/{ticket}?k={status_token(secret=secret, ticket=ticket)}"


def after_photo_holders(session: Session, *, case_id: int) -> tuple[int, ...]:
    """The cases whose after-photos this case's citizen may see: its own, then its merge target's."""
    target = session.scalar(select(CaseMerge.into_case_id).where(CaseMerge.case_id == case_id))
    return (case_id,) if target is None else (case_id, target)


def latest_after_photo(session: Session, *, case_id: int) -> int | None:
    """The newest after-photo this case's citizen may see (its own, else its merge target's), by id."""
    for holder in after_photo_holders(session, case_id=case_id):
        photo_id = session.scalar(select(func.max(AfterPhoto.id)).where(AfterPhoto.case_id == holder))
        if photo_id is not None:
            return photo_id
    return None


def case_links(runtime: "Runtime", session: Session, *, case: Case, after_photo: bool = True) -> CaseLinks | None:
    """The case's public status page and (if asked) latest after-photo under FANGSIANG_PUBLIC_URL; None without it."""
    # A merged case shows its target's photo when it has none of its own, always under its own ticket and token
    # (never the target's page key).
    base = runtime.settings.fangsiang_public_url.strip().rstrip("/")
    if not base.startswith(("https://", "http://")):
        return None
    secret = runtime.settings.secret_key
    photo_id = latest_after_photo(session, case_id=case.id) if after_photo else None
    photo_url = None if photo_id is None else \
        f"{base}/t/{case.ticket}/after/{photo_id}?k={status_token(secret=secret, ticket=case.ticket)}"
    return CaseLinks(status_url=base + status_path(secret=secret, ticket=case.ticket), after_photo_url=photo_url)


@dataclass(frozen=True)
class Step:
    """One line of the public timeline."""

    at: dt.datetime
    text: str


@dataclass(frozen=True)
class PublicCase:
    """A case as the public sees it."""

    ticket: str
    status: str
    status_name: str
    is_open: bool
    unit_name: str
    category: str | None
    summary: str  # masked
    created_at: dt.datetime
    updated_at: dt.datetime
    due_at: dt.datetime
    resolved_at: dt.datetime | None
    lat: float | None  # rounded
    lon: float | None
    timeline: list[Step] = field(default_factory=list)
    answers: list[Step] = field(default_factory=list)  # the officers' replies, masked
    photo_ids: list[int] = field(default_factory=list)
    after_photo_ids: list[int] = field(default_factory=list)  # the officers' proof of fix
    joined_ticket: str | None = None  # the known problem this report was joined to (its updates come from there)


PRIVATE_LINES = (ADDRESS_PREFIX,)  # the report form's typed address


def public_summary(summary: str) -> str:
    """The case's summary without the report form's address line (masked afterwards)."""
    return "\n".join(line for line in summary.splitlines() if not line.strip().startswith(PRIVATE_LINES)).strip()


def find_case(session: Session, *, ticket: str) -> Case | None:
    """The case with this ticket."""
    return session.scalars(select(Case).where(Case.ticket == ticket)).first()


def public_case(session: Session, *, case: Case, agency: AgencyConfig) -> PublicCase:
    """The case with nothing personal in it."""
    unit = session.get(Unit, case.unit_code)
    place = session.get(CasePlace, case.id)
    units = {u.code: u.name for u in session.scalars(select(Unit))}
    category_code = (place.category if place and place.category else None) or agency.complaint_category(
        " ".join([case.summary or "", *(str(t) for t in case.topics or ())]))
    categories = {c.code: c.name for c in agency.complaint_categories}
    answers = [Step(at=m.sent_at, text=mask_personal_data(m.text)) for m in case.messages
               if m.direction == "out" and m.author_user_id is not None and m.text]
    return PublicCase(
        ticket=case.ticket, status=case.status, status_name=STATUS_NAMES.get(case.status, case.status),
        is_open=case.status in OPEN_STATUSES, unit_name=unit.name if unit else case.unit_code,
        category=categories.get(category_code or ""), summary=mask_personal_data(public_summary(case.summary or "")),
        created_at=case.created_at, updated_at=case.updated_at, due_at=case.due_at, resolved_at=case.resolved_at,
        lat=rounded(place.lat) if place else None, lon=rounded(place.lon) if place else None,
        timeline=timeline(session, case=case, units=units), answers=answers,
        photo_ids=[m.id for m in public_photos(session, case_id=case.id)],
        joined_ticket=session.scalar(select(Case.ticket).join(CaseMerge, CaseMerge.into_case_id == Case.id)
                                     .where(CaseMerge.case_id == case.id)),
        after_photo_ids=list(session.scalars(select(AfterPhoto.id).where(AfterPhoto.case_id == case.id)
                                             .order_by(AfterPhoto.id))),
    )


def timeline(session: Session, *, case: Case, units: dict[str, str]) -> list[Step]:
    """Opened, each status reached, each change of unit: when, in Thai (notes to the citizen masked)."""
    steps: list[Step] = []
    for event in session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)):
        changes = event.details.get("changes") or {}
        if event.action == "case_opened":
            steps.append(Step(at=event.at, text="รับเรื่องเข้าระบบ"))
        if "unit_code" in changes:
            steps.append(Step(at=event.at, text=f"ส่งต่อให้{units.get(changes['unit_code'][1], 'หน่วยงานอื่น')}"))
        if "status" in changes:
            text = f"สถานะ: {STATUS_NAMES.get(changes['status'][1], changes['status'][1])}"
            note = event.details.get("note")
            steps.append(Step(at=event.at, text=f"{text} — {mask_personal_data(note)}" if note else text))
    return steps


def public_photos(session: Session, *, case_id: int) -> list[MediaFile]:
    """The case's stored photos from citizens (shown re-encoded, without EXIF)."""
    return list(session.scalars(select(MediaFile).join(Message, Message.id == MediaFile.message_id)
                                .where(Message.case_id == case_id, Message.direction == "in",
                                       MediaFile.kind == "image", MediaFile.status == "stored")
                                .order_by(MediaFile.id)))


# ---- the opt-in public map: problems by category, nothing personal, places rounded


def public_map_problems(session: Session, *, agency: AgencyConfig, now: dt.datetime) -> list[dict]:
    """Open complaints and those resolved in the last 90 days that have a place, newest first, as anyone may see
    them: category, open or resolved, the day reported and the place rounded to about 110 m (no ticket, no text; a
    case merged into the same problem's is left out: it is that one)."""
    rows = session.execute(
        select(Case, CasePlace).join(CasePlace, CasePlace.case_id == Case.id)
        .where(Case.intent == "complaint", Case.id.not_in(select(CaseMerge.case_id)),
               or_(Case.status.in_(OPEN_STATUSES),
                   and_(Case.status.in_((Status.RESOLVED, Status.CLOSED)),
                        Case.resolved_at >= now - dt.timedelta(days=PUBLIC_MAP_DAYS))))
        .order_by(Case.id.desc()).limit(PUBLIC_MAP_LIMIT))
    names = {c.code: c.name for c in agency.complaint_categories}
    out = []
    for case, place in rows:
        code = category_of(case, place, agency)
        code = code if code in names else "other"
        is_open = case.status in OPEN_STATUSES
        out.append({"category": code, "category_name": names.get(code, "อื่น ๆ"),
                    "state": "open" if is_open else "resolved",
                    "state_name": "ยังไม่แล้วเสร็จ" if is_open else "แก้ไขแล้ว",
                    "reported": thai_date(case.created_at), "lat": rounded(place.lat), "lon": rounded(place.lon)})
    return out


def public_map_counts(problems: list[dict], *, agency: AgencyConfig) -> list[dict]:
    """Open and resolved counts per category, in the agency's order ("อื่น ๆ" last), categories with none left out."""
    order = [(c.code, c.name) for c in agency.complaint_categories] + [("other", "อื่น ๆ")]
    counts = [{"category": code, "category_name": name,
               "open": sum(1 for p in problems if p["category"] == code and p["state"] == "open"),
               "resolved": sum(1 for p in problems if p["category"] == code and p["state"] == "resolved")}
              for code, name in order]
    return [c for c in counts if c["open"] or c["resolved"]]


# ---- Open311 GeoReport v2 (read): services are the agency's complaint categories, requests its complaints


def open311_service(code: str, name: str, keywords: tuple[str, ...], group: str) -> dict:
    """One GeoReport v2 service."""
    return {"service_code": code, "service_name": name, "description": name, "metadata": False, "type": "realtime",
            "keywords": ",".join(keywords), "group": group}


def open311_services(agency: AgencyConfig) -> list[dict]:
    """Every complaint category as a GeoReport v2 service, plus "other"."""
    services = [open311_service(c.code, c.name, c.keywords, "ร้องเรียน") for c in agency.complaint_categories]
    return [*services, open311_service("other", "อื่น ๆ", (), "ร้องเรียน")]


def open311_request(public: PublicCase, *, category_code: str | None, agency: AgencyConfig) -> dict:
    """One case as a GeoReport v2 service request (no personal data)."""
    categories = {c.code: c.name for c in agency.complaint_categories}
    code = category_code if category_code in categories else "other"
    return {
        "service_request_id": public.ticket,
        "status": "open" if public.is_open else "closed",
        "status_notes": public.status_name,
        "service_name": categories.get(code, "อื่น ๆ"),
        "service_code": code,
        "description": public.summary,
        "agency_responsible": public.unit_name,
        "service_notice": "",
        "requested_datetime": _iso(public.created_at),
        "updated_datetime": _iso(public.updated_at),
        "expected_datetime": _iso(public.due_at),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": public.lat,
        "long": public.lon,
        "media_url": "",
    }


def _iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with the zone, as GeoReport v2 asks."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None
