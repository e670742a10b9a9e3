"""The officers' pages: the unit's inbox, a case with its thread and actions, live updates."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from agency.vocabulary import CASE_STATUSES, CHANNELS, INTENTS, OPEN_STATUSES, Role, channel_names
from cases import access, alerts, deadlines, offline, queries, service
from cases.schemas import MessageOut
from places import proof
from places.views import places_config
from storage.models import AuditEvent, Case, ReplyTemplate, Unit, User, utcnow
from runtime import Runtime
from agency.thaitime import BANGKOK
from analytics.links import dashboard_filters
from analytics.service import recent_alerts
from web.deps import PageNumber, PageUser, ReadSessionDep, ReadSessions, RowId, RuntimeDep, SessionDep
from web.headers import safe_link
from web.templating import describe, flash, register_templates, render

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")
PAGE_SIZE = 25
LIVE_POLL_SECONDS = 2.0


@router.get("/")
def home() -> RedirectResponse:
    """The inbox is the home page."""
    return RedirectResponse("/inbox", status_code=303)


@router.get("/inbox")
def inbox(
    request: Request,
    user: PageUser,
    runtime: RuntimeDep,
    session: ReadSessionDep,
    status: str | None = None,
    intent: str | None = None,
    channel: str | None = None,
    unit: str | None = None,
    overdue: str | None = None,
    escalated: str | None = None,
    q: str | None = None,
    page: PageNumber = 1,
    date_from: str | None = None,
    date_to: str | None = None,
    sentiment: str | None = None,
    group: str | None = None,
    topic: str | None = None,
    open: str | None = None,
) -> HTMLResponse:
    """The user's cases, most urgent first, with filters, search, counts per status and pages."""
    filters = {
        "status": status if status in CASE_STATUSES else None,
        "intent": intent if intent in INTENTS else None,
        "channel": channel if channel in channel_names(runtime.agency) else None,
        "unit": unit or None,
        "overdue": True if overdue == "1" else None,
        "q": (q or "").strip()[:100] or None,
    }
    linked = dashboard_filters(date_from=date_from, date_to=date_to, sentiment=sentiment, group=group, topic=topic,
                               open_only=open == "1")  # the dashboard's links
    now = utcnow()
    query = queries.filtered_cases(user, now=now, **filters, **linked.query)
    if escalated == "1":
        query = query.where(Case.escalated_at.is_not(None), Case.status.in_(OPEN_STATUSES))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(page, pages)
    cases = session.scalars(queries.most_urgent_first(query).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    rows = [_row(case, user=user, now=now) for case in cases]
    counts = queries.status_counts(session, user=user)
    units = session.scalars(select(Unit).order_by(Unit.name)).all()
    escalated_count = deadlines.escalated_count(session, user=user) if user.role == Role.ADMIN else 0
    spike_alerts = recent_alerts(session, unit=user.unit_code if user.role == Role.OFFICER else None) \
        if user.role in (Role.ADMIN, Role.OFFICER) else []
    urgent_alerts = alerts.open_alerts(session, user=user)
    own_unit = session.get(Unit, user.unit_code) if user.unit_code else None
    unit_name = own_unit.name if own_unit else ""
    params = {k: v for k, v in {**filters, "overdue": "1" if filters["overdue"] else None,
                                "escalated": "1" if escalated == "1" else None, **linked.params}.items() if v}
    return render(request, "inbox.html", user=user, rows=rows, counts=counts, total=total, page=page, pages=pages,
                  filters=params, units=units, escalated_count=escalated_count, unit_name=unit_name,
                  spike_alerts=spike_alerts, urgent_alerts=urgent_alerts,
                  intents=INTENTS, channels=list(channel_names(runtime.agency)), statuses=CASE_STATUSES,
                  CHANNEL_NAMES=channel_names(runtime.agency))


@router.get("/inbox/events")
async def live_events(request: Request, user: PageUser, read_sessions: ReadSessions) -> EventSourceResponse:
    """Server-Sent Events: the ids of the user's cases that were opened or changed (polls the database, each poll
    in a short read session of its own: the stream outlives the request)."""

    def changes(since: dt.datetime) -> list[tuple[int, dt.datetime]] | None:
        """Changed cases the user may see now (None once the account is gone or deactivated)."""
        with read_sessions() as session:
            current = session.get(User, user.id)
            if current is None or not current.active:
                return None
            return queries.changed_since(session, user=current, since=since)

    async def stream() -> AsyncIterator[dict[str, str]]:
        since = utcnow()
        while not await request.is_disconnected():
            await asyncio.sleep(LIVE_POLL_SECONDS)
            changed = await run_in_threadpool(changes, since)
            if changed is None:
                return
            if changed:
                since = max(at for _, at in changed)
                yield {"event": "cases", "data": json.dumps({"cases": sorted({cid for cid, _ in changed})})}

    return EventSourceResponse(stream(), ping=15)


@router.get("/inbox/cases/{case_id}")
def case_page(request: Request, case_id: RowId, user: PageUser, runtime: RuntimeDep,
              session: ReadSessionDep) -> HTMLResponse:
    """One case: thread, labels, deadlines, notes, history and the actions the user may take."""
    return _case_page(request, session, runtime, user=user, case_id=case_id)


@router.post("/inbox/alerts/{alert_id}/acknowledge")
def acknowledge_alert(request: Request, alert_id: RowId, user: PageUser, session: SessionDep) -> Response:
    """An officer of the unit acknowledges an urgent case's alert (for the whole unit) and opens the case."""
    try:
        alert = alerts.acknowledge_alert(session, alert_id=alert_id, user=user, now=utcnow())
    except service.CaseError as exc:
        return render(request, "error.html", user=user, status_code=404, message=str(exc))
    flash(request, "รับทราบการแจ้งเตือนเรื่องเร่งด่วนแล้ว")
    return RedirectResponse(f"/inbox/cases/{alert.case_id}", status_code=303)


@router.post("/inbox/cases/{case_id}/reply")
def reply(request: Request, case_id: RowId, user: PageUser, runtime: RuntimeDep, session: SessionDep,
          text: Annotated[str, Form()] = "") -> Response:
    """Send a reply to the citizen."""
    return _act(request, session, runtime, user=user, case_id=case_id, drafts={"reply": text},
                done="ส่งข้อความตอบกลับแล้ว ระบบกำลังส่งถึงประชาชน", action=lambda case: service.reply(
                    session, case=case, user=user, text=text, now=utcnow()))


@router.post("/inbox/cases/{case_id}/status")
def change_status(request: Request, case_id: RowId, user: PageUser, runtime: RuntimeDep, session: SessionDep,
                  status: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
                  no_photo_reason: Annotated[str, Form()] = "") -> Response:
    """Move the case along the workflow (resolving a physical problem asks for an after-photo or why there is none)."""
    return _act(request, session, runtime, user=user, case_id=case_id,
                drafts={"status": status, "status_note": note, "no_photo_reason": no_photo_reason},
                done="เปลี่ยนสถานะเรียบร้อยแล้ว", action=lambda case: proof.change_status_with_proof(
                    session, case=case, user=user, status=status, note=note, no_photo_reason=no_photo_reason,
                    agency=runtime.agency, places=places_config(runtime), now=utcnow()))


@router.post("/inbox/cases/{case_id}/assign")
def assign(request: Request, case_id: RowId, user: PageUser, runtime: RuntimeDep, session: SessionDep,
           unit: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "") -> Response:
    """Reassign the case to another unit."""
    return _act(request, session, runtime, user=user, case_id=case_id, drafts={"unit": unit, "reason": reason},
                done="ส่งต่อหน่วยงานเรียบร้อยแล้ว", action=lambda case: service.assign(
                    session, case=case, user=user, unit_code=unit, reason=reason, agency=runtime.agency, now=utcnow()))


@router.post("/inbox/cases/{case_id}/intent")
def relabel(request: Request, case_id: RowId, user: PageUser, runtime: RuntimeDep, session: SessionDep,
            intent: Annotated[str, Form()] = "") -> Response:
    """Correct the case's intent."""
    return _act(request, session, runtime, user=user, case_id=case_id, drafts={}, done="แก้ไขประเภทเรื่องเรียบร้อยแล้ว",
                action=lambda case: service.relabel(
                    session, case=case, user=user, intent=intent, agency=runtime.agency, calendar=runtime.calendar,
                    now=utcnow()))


@router.post("/inbox/cases/{case_id}/group")
def set_group(request: Request, case_id: RowId, user: PageUser, runtime: RuntimeDep, session: SessionDep,
              group: Annotated[str, Form()] = "") -> Response:
    """Set the citizen's group (one of the agency's configured groups) on the case."""
    return _act(request, session, runtime, user=user, case_id=case_id, drafts={}, done="บันทึกกลุ่มผู้รับบริการแล้ว",
                action=lambda case: service.set_citizen_group(
                    session, case=case, group=group.strip() or None, agency=runtime.agency, actor=user, now=utcnow()))


@router.post("/inbox/cases/{case_id}/notes")
def add_note(request: Request, case_id: RowId, user: PageUser, runtime: RuntimeDep, session: SessionDep,
             text: Annotated[str, Form()] = "") -> Response:
    """Add an internal note."""
    return _act(request, session, runtime, user=user, case_id=case_id, drafts={"note": text},
                done="บันทึกภายในเรียบร้อยแล้ว",
                action=lambda case: service.add_note(session, case=case, user=user, text=text, now=utcnow()))


@router.get("/inbox/offline")
def offline_form(request: Request, user: PageUser, runtime: RuntimeDep, session: ReadSessionDep) -> HTMLResponse:
    """The form for a matter that arrived by walk-in, phone, letter, e-mail, comment box or website."""
    return _offline_page(request, session, runtime, user=user, form={})


@router.post("/inbox/offline")
def record_offline(request: Request, user: PageUser, runtime: RuntimeDep, session: SessionDep,
                   channel: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "",
                   name: Annotated[str, Form()] = "", phone: Annotated[str, Form()] = "",
                   group: Annotated[str, Form()] = "", received_at: Annotated[str, Form()] = "",
                   unit: Annotated[str, Form()] = "") -> Response:
    """Record the case; the page then shows the ticket to give the citizen."""
    form = {"channel": channel, "text": text, "name": name, "phone": phone, "group": group,
            "received_at": received_at, "unit": unit}
    if user.role not in (Role.ADMIN, Role.OFFICER):
        return render(request, "error.html", user=user, status_code=403, message="บัญชีของท่านไม่มีสิทธิ์บันทึกเรื่อง")
    try:
        case = offline.record_offline_case(
            session, matter=offline.OfflineMatter(channel=channel, text=text, citizen_name=name, citizen_phone=phone,
                                                  group=group, received_at=offline.parse_received_at(received_at),
                                                  unit=unit),
            user=user, agency=runtime.agency, calendar=runtime.calendar, now=utcnow())
    except service.CaseError as exc:
        session.rollback()  # nothing of the refused case is kept
        return _offline_page(request, session, runtime, user=user, form=form, error=str(exc), status_code=422)
    recorded = {"id": case.id, "ticket": case.ticket, "unit": case.unit.name if case.unit else case.unit_code,
                "due_at": case.due_at, "respond_due_at": case.respond_due_at}
    return _offline_page(request, session, runtime, user=user, form={}, recorded=recorded)


def _offline_page(request: Request, session: Session, runtime: Runtime, *, user: User, form: dict[str, str],
                  error: str | None = None, recorded: dict[str, Any] | None = None,
                  status_code: int = 200) -> HTMLResponse:
    units = session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    return render(request, "offline.html", user=user, status_code=status_code, form=form, error=error,
                  recorded=recorded, channels=runtime.agency.offline_channels, groups=runtime.agency.citizen_groups,
                  units=units, now_local=utcnow().astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M"))


def _act(request: Request, session: Session, runtime: Runtime, *, user: User, case_id: int, done: str,
         drafts: dict[str, str], action: Callable[[Case], Any]) -> Response:
    """Run one officer action in the request's transaction; on a Thai error roll it back and show the case again,
    unchanged, with the drafts kept."""
    try:
        case = access.load_case_for(session, case_id=case_id, user=user, for_update=True)
    except access.CaseNotFound:
        return _not_found(request, user)
    if not access.can_act(user, case):
        return render(request, "error.html", user=user, status_code=403,
                      message="บัญชีของท่านดูเรื่องนี้ได้อย่างเดียว ไม่สามารถแก้ไขได้")
    try:
        action(case)
    except service.CaseError as exc:
        session.rollback()  # nothing of the refused action is kept
        return _case_page(request, session, runtime, user=user, case_id=case_id, error=str(exc), drafts=drafts,
                          status_code=422)
    still_visible = access.can_see(user, case)
    flash(request, done)
    return RedirectResponse(f"/inbox/cases/{case_id}" if still_visible else "/inbox", status_code=303)


def _case_page(request: Request, session: Session, runtime: Runtime, *, user: User, case_id: int,
               error: str | None = None, drafts: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    """Render the case page."""
    personal = access.sees_personal_data(user)
    try:
        case = access.load_case_for(session, case_id=case_id, user=user)
    except access.CaseNotFound:
        return _not_found(request, user)
    now = utcnow()
    units = session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    unit_names = {u.code: u.name for u in session.scalars(select(Unit))}
    author_ids = {m.author_user_id for m in case.messages if m.author_user_id}
    notes = queries.case_notes(session, case=case) if personal else []
    author_ids |= {n.author_user_id for n in notes if n.author_user_id}
    authors = {u.id: access.shown_author(u, personal=personal)
               for u in session.scalars(select(User).where(User.id.in_(author_ids)))}
    history = [{"at": e.at, "actor": access.shown_actor(e.actor, personal=personal) or "", "text": describe(
        AuditEvent(action=e.action, details=access.shown_details(e.details, personal=personal)),
        unit_names=unit_names)} for e in queries.case_history(session, case=case)]
    templates_ = session.scalars(select(ReplyTemplate).where(
        or_(ReplyTemplate.unit_code.is_(None), ReplyTemplate.unit_code == case.unit_code))
        .order_by(ReplyTemplate.title)).all() if access.can_act(user, case) else []
    thread = []
    for m in case.messages:  # the API's view of a message, plus what the page adds: safe links and the author
        shown = MessageOut.of(m, personal=personal)
        thread.append({**shown.model_dump(),
                       "links": [link for a in shown.attachments if (link := safe_link(a.get("url")))],
                       "author": authors.get(m.author_user_id, "ระบบตอบกลับอัตโนมัติ") if m.direction == "out"
                       else None})
    context = {
        "case": case, "thread": thread, "notes": notes, "authors": authors, "history": history, "units": units,
        "unit_names": unit_names, "reply_templates": templates_, "next_statuses": service.allowed_statuses(case),
        "can_act": access.can_act(user, case), "personal": personal, "overdue": deadlines.is_overdue(case, now=now),
        "time_left": deadlines.time_left(case, now=now), "citizen": case.contact if personal else None,
        "intents": INTENTS, "max_reply": service.MAX_REPLY_CHARS, "error": error, "drafts": drafts or {},
        "CHANNEL_NAMES": channel_names(runtime.agency), "citizen_groups": runtime.agency.citizen_groups,
        "offline_case": case.channel not in CHANNELS, "runtime": runtime,  # the places part reads its settings
    }
    return render(request, "case.html", user=user, status_code=status_code, **context)


def _row(case: Case, *, user: User, now: dt.datetime) -> dict[str, Any]:
    """One line of the inbox."""
    summary = access.shown_summary(case, personal=access.sees_personal_data(user))
    last_in = next((m for m in reversed(case.messages) if m.direction == "in"), None)
    return {"case": case, "summary": summary, "overdue": deadlines.is_overdue(case, now=now),
            "time_left": deadlines.time_left(case, now=now),
            "waiting": last_in is not None and case.messages[-1].direction == "in" and case.status in OPEN_STATUSES}


def _not_found(request: Request, user: User) -> HTMLResponse:
    """The same answer for a missing case and another unit's case."""
    return render(request, "error.html", user=user, status_code=404,
                  message="ไม่พบเรื่องนี้ หรือเรื่องนี้ไม่อยู่ในความรับผิดชอบของหน่วยงานของท่าน")
