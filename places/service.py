"""Places of cases, the same problem found (same category nearby, or the same meaning in the same area), merges, and
passing a merged case's target's updates on to its citizen."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from agency.config import AgencyConfig
from agency.vocabulary import OPEN_STATUSES, STATUS_NAMES, AuditAction, Status
from bot import replies as texts
from bot.outbound import CitizenUnreachable, tell_citizen
from cases.service import CaseError, change_fields, first_inbound
from classifier.privacy import mask_personal_data
from places.config import PlacesConfig, config_for
from places.geo import box_around, distance_m, valid_point
from places.models import CaseMerge, CasePlace
from storage import audit
from storage.models import AuditEvent, Case, Contact, Message, Unit, User, utcnow

if TYPE_CHECKING:
    from runtime import Runtime

# A better source replaces a weaker one: the citizen's own pin, then LINE's shared location, then a photo's EXIF.
SOURCE_RANK = {"form_pin": 3, "line_location": 2, "photo_exif": 1}
CANDIDATE_LIMIT = 5
CANDIDATE_AGE = dt.timedelta(days=365)  # older cases are history, not the same problem now
RELAYED_ACTIONS = ("status_changed", "replied", "reassigned")
LATE_JOIN_WITHIN = dt.timedelta(hours=1)  # a vector kept later than this after the case opened joins nothing


@dataclass(frozen=True)
class Point:
    """A place as read from a message: where, how it is known, the address text and the category chosen."""

    lat: float
    lon: float
    source: str
    address: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class SameProblem:
    """A case that may be the same problem: its distance (None: unknown) and meaning similarity (None: unknown)."""

    case_id: int
    ticket: str
    distance_m: float | None
    similarity: float | None


def point_of(message: Message) -> Point | None:
    """The place a message carries: a LINE location ({latitude, longitude, address}) or the web form's pin/EXIF."""
    location = message.location or {}
    try:
        lat, lon = float(location["latitude"]), float(location["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not valid_point(lat, lon):
        return None
    source = str(location.get("source") or "line_location")
    if source not in SOURCE_RANK:
        return None
    address = " ".join(str(v) for v in (location.get("title"), location.get("address")) if v) or None
    category = location.get("category")
    return Point(lat=lat, lon=lon, source=source, address=address, category=str(category) if category else None)


def place_of(session: Session, *, case_id: int) -> CasePlace | None:
    """The case's place, if one is known."""
    return session.get(CasePlace, case_id)


def set_place(session: Session, *, case: Case, point: Point, message_id: int | None, actor: str = "system"
              ) -> CasePlace | None:
    """Keep the point as the case's place unless a better source is already there (audited); returns the place."""
    place = session.get(CasePlace, case.id)
    if place is not None and SOURCE_RANK[place.source] > SOURCE_RANK[point.source]:
        return place
    if place is not None and (place.lat, place.lon, place.source) == (point.lat, point.lon, point.source):
        return place
    if place is None:
        place = CasePlace(case_id=case.id, lat=point.lat, lon=point.lon, source=point.source)
        session.add(place)
    place.lat, place.lon, place.source = point.lat, point.lon, point.source
    place.address = point.address or place.address
    place.category = point.category or place.category
    place.message_id, place.set_at = message_id, utcnow()
    audit.record(session, actor=actor, action="place_set", entity="case", entity_id=case.id, case_id=case.id,
                 source=point.source, message_id=message_id)
    session.flush()
    return place


def note_case_place(runtime: "Runtime", session: Session, *, message: Message) -> CasePlace | None:
    """After the worker handled a citizen message: the best place among its case's messages becomes the case's, and
    a case that is plainly a known problem is joined to it (the citizen is told its ticket)."""
    if message.case_id is None:
        return None
    # The places first: most messages carry none, and then the case itself (with its contact, unit and messages) is
    # not loaded at all. (A case's messages and place exist only while the case does.)
    carriers = session.scalars(select(Message).where(Message.case_id == message.case_id, Message.direction == "in",
                                                     Message.location.is_not(None)).order_by(Message.id))
    points = [(point, m.id) for m in carriers if (point := point_of(m)) is not None]
    if not points:
        return session.get(CasePlace, message.case_id)
    case = session.get(Case, message.case_id)
    if case is None:
        return None
    point, message_id = max(points, key=lambda item: (SOURCE_RANK[item[0].source], item[1]))
    before = session.get(CasePlace, case.id)
    known = (before.lat, before.lon) if before is not None else None
    place = set_place(session, case=case, point=point, message_id=message_id)
    if place is not None and (place.lat, place.lon) != known:
        join_known_problem(session, case=case, agency=runtime.agency, config=config_for(runtime.settings))
    return place


def note_late_vector(runtime: "Runtime", session: Session, *, message: Message) -> Case | None:
    """A case's opening message got its meaning (e5 vector) after the case was answered and perhaps placed: a case
    with a place that is plainly a known problem by that meaning is joined to it now; returns the case joined."""
    if message.case_id is None or session.get(CasePlace, message.case_id) is None:
        return None
    earlier = session.scalar(select(Message.id).where(Message.case_id == message.case_id, Message.direction == "in",
                                                      Message.embedding.is_not(None), Message.id < message.id).limit(1))
    case = session.get(Case, message.case_id)
    if earlier is not None or case is None:  # the case's meaning was known already: nothing new to compare
        return None
    if case.status != Status.NEW or utcnow() - case.created_at > LATE_JOIN_WITHIN:
        return None  # an officer has taken it up, or its citizen has long had its ticket: not moved under them now
    return join_known_problem(session, case=case, agency=runtime.agency, config=config_for(runtime.settings))


def join_known_problem(session: Session, *, case: Case, agency: AgencyConfig, config: PlacesConfig) -> Case | None:
    """Join a new case to the known problem it plainly is — the same category within the radius AND a near-identical
    meaning — and tell its citizen that problem's ticket; returns the case joined, or None."""
    if not config.auto_join or case.status not in OPEN_STATUSES or session.get(CaseMerge, case.id) is not None \
            or session.scalar(select(CaseMerge.case_id).where(CaseMerge.into_case_id == case.id).limit(1)) \
            or session.scalar(select(AuditEvent.id).where(AuditEvent.case_id == case.id,  # an officer parted it
                                                          AuditEvent.action == AuditAction.MERGE_UNDONE).limit(1)):
        return None
    place = session.get(CasePlace, case.id)
    category = category_of(case, place, agency)
    for found in same_problem(session, case=case, agency=agency, config=config):
        target = session.get(Case, found.case_id)
        if target is None or found.distance_m is None or found.distance_m > config.radius_m \
                or (found.similarity or 0.0) < config.join_similarity or target.created_at > case.created_at \
                or category_of(target, session.get(CasePlace, target.id), agency) != category:
            continue
        try:
            merge(session, case=case, into=target, user="system", agency=agency, now=utcnow())
        except CaseError:
            continue
        return target
    return None


def category_of(case: Case, place: CasePlace | None, agency: AgencyConfig) -> str:
    """The case's problem category: the one the citizen chose, else the agency's complaint category its words
    name, else its unit (a case no category matches is compared with its unit's other cases)."""
    if place is not None and place.category:
        return place.category
    words = " ".join([case.summary or "", *(str(t) for t in case.topics or ())])
    return agency.complaint_category(words) or f"unit:{case.unit_code}"


def case_embedding(session: Session, *, case_ids: list[int]) -> dict[int, np.ndarray]:
    """The e5 vector of each case's first citizen message that has one (float16 bytes as stored)."""
    if not case_ids:
        return {}
    first = (select(Message.case_id, func.min(Message.id).label("id"))
             .where(Message.case_id.in_(case_ids), Message.direction == "in", Message.embedding.is_not(None))
             .group_by(Message.case_id).subquery())
    rows = session.execute(select(Message.case_id, Message.embedding).join(first, first.c.id == Message.id))
    return {case_id: _unit_vector(blob) for case_id, blob in rows if blob}


def _unit_vector(blob: bytes) -> np.ndarray:
    """A stored vector, L2-normalised."""
    vector = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def same_problem(session: Session, *, case: Case, agency: AgencyConfig, config: PlacesConfig,
                 now: dt.datetime | None = None) -> list[SameProblem]:
    """Open or recently resolved cases that may be this one's problem: the same category within the radius, or a
    near-identical meaning in the same area (the same unit where a place is unknown). Nearest first."""
    now = now or utcnow()
    place = session.get(CasePlace, case.id)
    merged = select(CaseMerge.case_id)
    query = (select(Case, CasePlace).outerjoin(CasePlace, CasePlace.case_id == Case.id)
             .where(Case.id != case.id, Case.id.not_in(merged), Case.created_at >= now - CANDIDATE_AGE,
                    or_(Case.status.in_(OPEN_STATUSES),
                        and_(Case.status == "resolved",
                             Case.resolved_at >= now - dt.timedelta(days=config.recent_days)))))
    if place is None:
        query = query.where(Case.unit_code == case.unit_code)
    else:
        box = box_around(place.lat, place.lon, config.area_radius_m)
        query = query.where(or_(and_(CasePlace.lat.between(box.south, box.north),
                                     CasePlace.lon.between(box.west, box.east)),
                                and_(CasePlace.case_id.is_(None), Case.unit_code == case.unit_code)))
    rows = list(session.execute(query.order_by(Case.id.desc()).limit(500)))
    if not rows:
        return []
    vectors = case_embedding(session, case_ids=[case.id, *(c.id for c, _ in rows)])
    mine, category = vectors.get(case.id), category_of(case, place, agency)
    found: list[SameProblem] = []
    for other, other_place in rows:
        distance = (distance_m(place.lat, place.lon, other_place.lat, other_place.lon)
                    if place is not None and other_place is not None else None)
        theirs = vectors.get(other.id)
        similarity = float(np.dot(mine, theirs)) if mine is not None and theirs is not None else None
        nearby = distance is not None and distance <= config.radius_m
        same_area = distance <= config.area_radius_m if distance is not None else other.unit_code == case.unit_code
        if (nearby and category_of(other, other_place, agency) == category) or \
                (similarity is not None and similarity >= config.similarity and same_area):
            found.append(SameProblem(case_id=other.id, ticket=other.ticket,
                                     distance_m=None if distance is None else round(distance, 1),
                                     similarity=None if similarity is None else round(similarity, 4)))
    found.sort(key=lambda s: (s.distance_m if s.distance_m is not None else float("inf"), -(s.similarity or 0)))
    return found[:CANDIDATE_LIMIT]


def merged_into(session: Session, *, case_id: int) -> CaseMerge | None:
    """The merge that joined this case to another, if any."""
    return session.get(CaseMerge, case_id)


def merge(session: Session, *, case: Case, into: Case, user: User | str, agency: AgencyConfig, now: dt.datetime
          ) -> AuditEvent:
    """Join the case to the same problem's case: its citizen is told, and from now on follows the target's status,
    replies and survey (passed on by `relay_merged`). Thai CaseError when it cannot be done."""
    actor = user if isinstance(user, str) else user.email
    if into.id == case.id:
        raise CaseError("ไม่สามารถรวมเรื่องเข้ากับตัวเองได้")
    if session.get(CaseMerge, case.id) is not None:
        raise CaseError(f"เรื่องเลขที่ {case.ticket} ถูกรวมกับเรื่องอื่นไปแล้ว")
    chained = session.get(CaseMerge, into.id)
    if chained is not None:
        root = session.get(Case, chained.into_case_id)
        raise CaseError(f"เรื่องเลขที่ {into.ticket} ถูกรวมกับเรื่องเลขที่ {root.ticket if root else ''} แล้ว "
                        f"กรุณารวมเข้ากับเรื่องเลขที่ {root.ticket if root else ''} แทน")
    if case.status not in OPEN_STATUSES:
        raise CaseError(f"เรื่องที่{STATUS_NAMES[case.status]}แล้ว ไม่สามารถรวมกับเรื่องอื่นได้")
    if into.status not in (*OPEN_STATUSES, "resolved"):
        raise CaseError(f"เรื่องเลขที่ {into.ticket} {STATUS_NAMES[into.status]}แล้ว ไม่สามารถรวมเรื่องเข้าไปได้")
    last_event = session.scalar(select(func.max(AuditEvent.id)).where(AuditEvent.case_id == into.id)) or 0
    session.add(CaseMerge(case_id=case.id, into_case_id=into.id, merged_at=now, actor=actor,
                          relayed_event_id=last_event))
    event = change_fields(session, case=case, actor=user, action="case_merged", now=now,
                          details={"into": into.id, "into_ticket": into.ticket}, **_status_fields(case, into.status, now))
    audit.record(session, actor=actor, action="merge_received", entity="case", entity_id=into.id,
                 case_id=into.id, merged=case.id, merged_ticket=case.ticket)
    told = _tell(session, case=case, key=f"merged:{case.id}", text=(
        f"เรื่องนี้มีผู้แจ้งแล้ว เลขที่ {into.ticket} (เรื่องของท่านเลขที่ {case.ticket}) เจ้าหน้าที่จะดำเนินการไปพร้อมกัน "
        f"เราจะแจ้งความคืบหน้าให้ท่านด้วยค่ะ\n— {agency.short_name}"))
    event.details = {**event.details, "citizen_told": told}
    return event


def unmerge(session: Session, *, case: Case, user: User, agency: AgencyConfig, now: dt.datetime) -> AuditEvent:
    """Undo a merge (not the same problem after all): the case follows its own updates and survey again, takes back
    the status it had before following the target changed it, and its citizen is told (audited on both cases).
    Thai CaseError when the case is not merged."""
    link = session.get(CaseMerge, case.id)
    if link is None:
        raise CaseError(f"เรื่องเลขที่ {case.ticket} ไม่ได้รวมกับเรื่องอื่น")
    into = session.get(Case, link.into_case_id)
    into_ticket = into.ticket if into else ""
    restore = _status_before_following(session, case=case)
    session.delete(link)
    event = change_fields(session, case=case, actor=user, action=AuditAction.MERGE_UNDONE, now=now,
                          details={"from": link.into_case_id, "from_ticket": into_ticket},
                          **(_status_fields(case, restore, now) if restore else {}))
    audit.record(session, actor=user.email, action=AuditAction.MERGE_WITHDRAWN, entity="case",
                 entity_id=link.into_case_id, case_id=link.into_case_id, merged=case.id, merged_ticket=case.ticket)
    told = _tell(session, case=case, key=f"unmerged:{case.id}:{event.id}", text=(
        f"เรื่องเลขที่ {case.ticket} ของท่านได้แยกออกจากเรื่องเลขที่ {into_ticket} แล้ว เนื่องจากไม่ใช่ปัญหาเดียวกัน "
        f"เจ้าหน้าที่จะดำเนินการเรื่องของท่านต่อ และจะแจ้งความคืบหน้าให้ท่านทราบค่ะ\n— {agency.short_name}"))
    event.details = {**event.details, "citizen_told": told}
    return event


def _status_before_following(session: Session, *, case: Case) -> str | None:
    """The status the case had before it was merged, when only following the target has changed it since (an
    officer's own change on the case is kept); None when there is nothing to take back."""
    merged_at = session.scalar(select(func.max(AuditEvent.id)).where(AuditEvent.case_id == case.id,
                                                                     AuditEvent.action == AuditAction.CASE_MERGED))
    if merged_at is None:
        return None
    changed = [e for e in session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                                   AuditEvent.id >= merged_at)
                                          .order_by(AuditEvent.id))
               if "status" in (e.details.get("changes") or {})]
    if not changed or any(e.action not in (AuditAction.CASE_MERGED, AuditAction.MERGE_RELAYED) for e in changed):
        return None
    before = changed[0].details["changes"]["status"][0]
    return before if before != case.status else None


def _status_fields(case: Case, status: str, now: dt.datetime) -> dict[str, Any]:
    """The fields a case takes when it follows its target to `status`."""
    if status == case.status:
        return {}
    fields: dict[str, Any] = {"status": status}
    if status in ("resolved", "forwarded", "rejected"):
        fields["resolved_at"] = now
    if status == "closed":
        fields["closed_at"] = now
    if status in OPEN_STATUSES and case.resolved_at is not None:
        fields["resolved_at"] = None
    if status != "closed" and case.closed_at is not None:
        fields["closed_at"] = None
    if case.first_response_at is None and status != "new":
        fields["first_response_at"] = now
    return fields


def _tell(session: Session, *, case: Case, text: str, key: str) -> bool:
    """Queue a message to the case's citizen; False when they cannot be reached."""
    contact = session.get(Contact, case.contact_id)
    if contact is None:
        return False
    first = first_inbound(case) if case.channel == "facebook_comment" else None
    try:
        return tell_citizen(session, contact=contact, text=text, key=key, case_id=case.id,
                            thread_ref=first.thread_ref if first else None) is not None
    except CitizenUnreachable:
        return False


def relay_merged(runtime: "Runtime", *, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Pass each merged case's target's new status changes, replies and reassignments on to the merged case and its
    citizen (the worker's periodic job); returns how many were passed on."""
    now = now or utcnow()
    agency = runtime.agency
    relayed = 0
    changes = (select(CaseMerge, AuditEvent).join(AuditEvent, AuditEvent.case_id == CaseMerge.into_case_id)
               .where(AuditEvent.id > CaseMerge.relayed_event_id, AuditEvent.action.in_(RELAYED_ACTIONS)))
    with runtime.db.read_session() as session:  # nothing to pass on (every 2 s, mostly): no write lock taken
        if session.execute(changes.with_only_columns(AuditEvent.id).limit(1)).first() is None:
            return 0
    with runtime.db.session() as session:
        pending = session.execute(changes.order_by(AuditEvent.id).limit(limit)).all()
        for link, event in pending:
            case, target = session.get(Case, link.case_id), session.get(Case, link.into_case_id)
            if case is None or target is None or event.id <= link.relayed_event_id:
                continue
            _relay_one(session, case=case, target=target, event=event, agency=agency, now=now)
            link.relayed_event_id = event.id
            relayed += 1
    return relayed


def _relay_one(session: Session, *, case: Case, target: Case, event: AuditEvent, agency: AgencyConfig,
               now: dt.datetime) -> None:
    """One change of the target, made on the merged case and told to its citizen."""
    key = f"merge:{case.id}:{event.id}"
    unit = session.get(Unit, target.unit_code)
    unit_name = unit.name if unit else target.unit_code
    if event.action == "replied":
        reply = session.get(Message, event.details.get("message_id"))
        if reply is None or not reply.text:
            return
        change_fields(session, case=case, actor="system", action="merge_relayed", now=now,
                      details={"from": target.id, "event": event.id, "kind": "replied"})
        _tell(session, case=case, key=key, text=(f"ความคืบหน้าเรื่องเลขที่ {case.ticket} "
                                                 f"(รวมกับเรื่องเลขที่ {target.ticket}):\n"
                                                 f"{mask_personal_data(reply.text)}\n— {agency.short_name}"))
        return
    if event.action == "reassigned":
        change_fields(session, case=case, actor="system", action="merge_relayed", now=now, unit_code=target.unit_code,
                      details={"from": target.id, "event": event.id, "kind": "reassigned"})
        _tell(session, case=case, key=key, text=texts.unit_changed(ticket=case.ticket, unit_name=unit_name,
                                                                   agency=agency.short_name))
        return
    status = ((event.details.get("changes") or {}).get("status") or [None, target.status])[1]
    fields = _status_fields(case, str(status), now)
    if not fields:
        return
    note = event.details.get("note")
    change_fields(session, case=case, actor="system", action="merge_relayed", now=now,
                  details={"from": target.id, "event": event.id, "kind": "status_changed"}, **fields)
    text = texts.status_update(ticket=case.ticket, status=str(status), note=mask_personal_data(note) if note else None,
                               unit_name=unit_name, agency=agency.short_name)
    if text is not None:
        _tell(session, case=case, key=key, text=text)
