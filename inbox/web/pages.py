"""The officers' pages: sign in, the unit's inbox, a case with its thread and actions, live updates."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from inbox.auth.service import authenticate
from inbox.auth.views import load_user
from inbox.cases import service
from inbox.web.security import LOGIN_LIMIT, limiter
from inbox.web.templating import describe, flash, render
from storage import audit
from storage.agency import INTENTS
from storage.models import CASE_STATUSES, CHANNELS, Case, ReplyTemplate, Unit, User, utcnow

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
LIVE_POLL_SECONDS = 2.0


class LoginRequired(Exception):
    """The page needs a signed-in user; the app redirects to /login."""


def page_user(request: Request) -> User:
    """The signed-in user (session cookie), or a redirect to the sign-in page."""
    user = load_user(request, None)
    if user is None:
        raise LoginRequired(request.url.path)
    return user


PageUser = Annotated[User, Depends(page_user)]


@router.get("/")
def home() -> RedirectResponse:
    """The inbox is the home page."""
    return RedirectResponse("/inbox", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/inbox") -> Response:
    """The sign-in form."""
    if load_user(request, None) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", user=None, next=_safe_next(next), error=None, username="")


@router.post("/login")
@limiter.limit(LOGIN_LIMIT)
async def login(
    request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/inbox",
) -> Response:
    """Check the password; on success start a fresh session (HttpOnly, SameSite cookie)."""
    runtime = request.app.state.runtime

    def check() -> int | None:
        with runtime.db.session() as session:
            user = authenticate(session, email=username, password=password)
            if user is None:
                return None
            audit.record(session, actor=user.email, action="signed_in", entity="user", entity_id=user.id)
            return user.id

    user_id = await run_in_threadpool(check) if username and password else None
    if user_id is None:
        return render(request, "login.html", user=None, next=_safe_next(next), username=username,
                      error="อีเมลหรือรหัสผ่านไม่ถูกต้อง กรุณาลองใหม่อีกครั้ง", status_code=401)
    request.session.clear()
    request.session["user_id"] = user_id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    """End the session."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/inbox")
def inbox(
    request: Request,
    user: PageUser,
    status: str | None = None,
    intent: str | None = None,
    channel: str | None = None,
    unit: str | None = None,
    overdue: str | None = None,
    escalated: str | None = None,
    q: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """The user's cases, most urgent first, with filters, search, counts per status and pages."""
    filters = {
        "status": status if status in CASE_STATUSES else None,
        "intent": intent if intent in INTENTS else None,
        "channel": channel if channel in CHANNELS else None,
        "unit": unit or None,
        "overdue": True if overdue == "1" else None,
        "q": (q or "").strip()[:100] or None,
    }
    with request.app.state.runtime.db.session() as session:
        now = utcnow()
        query = service.filtered_cases(user, now=now, **filters)
        if escalated == "1":
            query = query.where(Case.escalated_at.is_not(None), Case.status.in_(service.OPEN_STATUSES))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(page, pages)
        cases = session.scalars(service.most_urgent_first(query).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        rows = [_row(case, user=user, now=now) for case in cases]
        counts = service.status_counts(session, user=user)
        units = session.scalars(select(Unit).order_by(Unit.name)).all()
        escalated_count = service.escalated_count(session, user=user) if user.role == "admin" else 0
        unit_name = session.get(Unit, user.unit_code).name if user.unit_code and session.get(Unit, user.unit_code) else ""
    params = {k: v for k, v in {**filters, "overdue": "1" if filters["overdue"] else None,
                                "escalated": "1" if escalated == "1" else None}.items() if v}
    return render(request, "inbox.html", user=user, rows=rows, counts=counts, total=total, page=page, pages=pages,
                  filters=params, units=units, escalated_count=escalated_count, unit_name=unit_name,
                  intents=INTENTS, channels=CHANNELS, statuses=CASE_STATUSES)


@router.get("/inbox/events")
async def live_events(request: Request, user: PageUser) -> EventSourceResponse:
    """Server-Sent Events: the ids of the user's cases that were opened or changed (polls the database)."""
    db = request.app.state.runtime.db

    def changes(since: dt.datetime) -> list[tuple[int, dt.datetime]] | None:
        """Changed cases the user may see now (None once the account is gone or deactivated)."""
        with db.session() as session:
            current = session.get(User, user.id)
            if current is None or not current.active:
                return None
            return service.changed_since(session, user=current, since=since)

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
def case_page(request: Request, case_id: int, user: PageUser) -> HTMLResponse:
    """One case: thread, labels, deadlines, notes, history and the actions the user may take."""
    return _case_page(request, user=user, case_id=case_id)


@router.post("/inbox/cases/{case_id}/reply")
def reply(request: Request, case_id: int, user: PageUser, text: Annotated[str, Form()] = "") -> Response:
    """Send a reply to the citizen."""
    return _act(request, user=user, case_id=case_id, done="ส่งข้อความตอบกลับแล้ว ระบบกำลังส่งถึงประชาชน",
                drafts={"reply": text}, action=lambda session, case: service.reply(
                    session, case=case, user=user, text=text, now=utcnow()))


@router.post("/inbox/cases/{case_id}/status")
def change_status(request: Request, case_id: int, user: PageUser, status: Annotated[str, Form()] = "",
                  note: Annotated[str, Form()] = "") -> Response:
    """Move the case along the workflow."""
    agency = request.app.state.runtime.agency
    return _act(request, user=user, case_id=case_id, drafts={"status": status, "status_note": note},
                done="เปลี่ยนสถานะเรียบร้อยแล้ว", action=lambda session, case: service.change_status(
                    session, case=case, user=user, status=status, note=note, agency=agency, now=utcnow()))


@router.post("/inbox/cases/{case_id}/assign")
def assign(request: Request, case_id: int, user: PageUser, unit: Annotated[str, Form()] = "",
           reason: Annotated[str, Form()] = "") -> Response:
    """Reassign the case to another unit."""
    agency = request.app.state.runtime.agency
    return _act(request, user=user, case_id=case_id, drafts={"unit": unit, "reason": reason},
                done="ส่งต่อหน่วยงานเรียบร้อยแล้ว", action=lambda session, case: service.assign(
                    session, case=case, user=user, unit_code=unit, reason=reason, agency=agency, now=utcnow()))


@router.post("/inbox/cases/{case_id}/intent")
def relabel(request: Request, case_id: int, user: PageUser, intent: Annotated[str, Form()] = "") -> Response:
    """Correct the case's intent."""
    runtime = request.app.state.runtime
    return _act(request, user=user, case_id=case_id, drafts={}, done="แก้ไขประเภทเรื่องเรียบร้อยแล้ว",
                action=lambda session, case: service.relabel(
                    session, case=case, user=user, intent=intent, agency=runtime.agency, calendar=runtime.calendar,
                    now=utcnow()))


@router.post("/inbox/cases/{case_id}/notes")
def add_note(request: Request, case_id: int, user: PageUser, text: Annotated[str, Form()] = "") -> Response:
    """Add an internal note."""
    return _act(request, user=user, case_id=case_id, drafts={"note": text}, done="บันทึกภายในเรียบร้อยแล้ว",
                action=lambda session, case: service.add_note(session, case=case, user=user, text=text, now=utcnow()))


def _act(request: Request, *, user: User, case_id: int, done: str, drafts: dict[str, str],
         action: Callable[[Session, Case], Any]) -> Response:
    """Run one action in one transaction; on a Thai error show the case again, unchanged, with the drafts kept."""
    try:
        with request.app.state.runtime.db.session() as session:
            case = service.load_case_for(session, case_id=case_id, user=user, for_update=True)
            if not service.can_act(user, case):
                return render(request, "error.html", user=user, status_code=403,
                              message="บัญชีของท่านดูเรื่องนี้ได้อย่างเดียว ไม่สามารถแก้ไขได้")
            action(session, case)
            still_visible = service.can_see(user, case)
    except service.CaseNotFound:
        return _not_found(request, user)
    except service.CaseError as exc:
        return _case_page(request, user=user, case_id=case_id, error=str(exc), drafts=drafts, status_code=422)
    flash(request, done)
    return RedirectResponse(f"/inbox/cases/{case_id}" if still_visible else "/inbox", status_code=303)


def _case_page(request: Request, *, user: User, case_id: int, error: str | None = None,
               drafts: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    """Render the case page."""
    personal = user.role != "analyst"
    with request.app.state.runtime.db.session() as session:
        try:
            case = service.load_case_for(session, case_id=case_id, user=user)
        except service.CaseNotFound:
            return _not_found(request, user)
        now = utcnow()
        units = session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
        unit_names = {u.code: u.name for u in session.scalars(select(Unit))}
        author_ids = {m.author_user_id for m in case.messages if m.author_user_id}
        notes = service.case_notes(session, case=case) if personal else []
        author_ids |= {n.author_user_id for n in notes if n.author_user_id}
        authors = {u.id: u.display_name or u.email for u in session.scalars(select(User).where(User.id.in_(author_ids)))}
        history = [{"at": e.at, "actor": e.actor if personal else "", "text": describe(e, unit_names=unit_names)}
                   for e in service.case_history(session, case=case)]
        templates_ = session.scalars(select(ReplyTemplate).where(
            or_(ReplyTemplate.unit_code.is_(None), ReplyTemplate.unit_code == case.unit_code))
            .order_by(ReplyTemplate.title)).all() if service.can_act(user, case) else []
        thread = [{
            "direction": m.direction, "channel": m.channel, "kind": m.kind, "sent_at": m.sent_at,
            "text": service.shown_text(m, personal=personal),
            "location": m.location if personal else None, "delivery": m.delivery,
            "links": [a["url"] for a in m.attachments if personal and a.get("url")],
            "author": authors.get(m.author_user_id, "ระบบตอบกลับอัตโนมัติ") if m.direction == "out" else None,
        } for m in case.messages]
        context = {
            "case": case, "thread": thread, "notes": notes, "authors": authors, "history": history, "units": units,
            "unit_names": unit_names, "reply_templates": templates_, "next_statuses": service.allowed_statuses(case),
            "can_act": service.can_act(user, case), "personal": personal, "overdue": service.is_overdue(case, now=now),
            "time_left": service.time_left(case, now=now), "citizen": case.contact if personal else None,
            "intents": INTENTS, "max_reply": service.MAX_REPLY_CHARS, "error": error, "drafts": drafts or {},
        }
        return render(request, "case.html", user=user, status_code=status_code, **context)


def _row(case: Case, *, user: User, now: dt.datetime) -> dict[str, Any]:
    """One line of the inbox."""
    first = service.first_inbound(case)
    summary = case.summary if user.role != "analyst" else (first.masked_text if first and first.masked_text else "")
    last_in = next((m for m in reversed(case.messages) if m.direction == "in"), None)
    return {"case": case, "summary": summary, "overdue": service.is_overdue(case, now=now),
            "time_left": service.time_left(case, now=now),
            "waiting": last_in is not None and case.messages[-1].direction == "in" and case.status in service.OPEN_STATUSES}


def _not_found(request: Request, user: User) -> HTMLResponse:
    """The same answer for a missing case and another unit's case."""
    return render(request, "error.html", user=user, status_code=404,
                  message="ไม่พบเรื่องนี้ หรือเรื่องนี้ไม่อยู่ในความรับผิดชอบของหน่วยงานของท่าน")


def _safe_next(target: str | None) -> str:
    """Only redirect within this site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/inbox"
    return target
