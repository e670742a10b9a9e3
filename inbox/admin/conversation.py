"""The conversation room's officer pages: citizens' photos served to staff who may see the case (authenticated),
the case page's photo and satisfaction parts, and the FAQ admin page (the matcher rebuilds when entries change)."""
from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import object_session

from agency.vocabulary import SURVEY_LABELS, SURVEY_REASON_LABELS, AuditAction
from cases import access
from conversation.media import media_of_case, media_path
from conversation.models import FaqRecord, MediaFile
from bot.replies import postback_caption
from conversation.faq_answers import faq_entries
from conversation.surveys import satisfaction
from inbox.admin.views import SECTIONS, AdminUser
from storage import audit
from storage.models import Case, Message, Unit, utcnow
from web.deps import PageUser, ReadSessionDep, RowId, RuntimeDep, SessionDep
from web.templating import flash, render, templates

router = APIRouter(include_in_schema=False)
FAQ_ID = re.compile(r"^[a-z0-9_-]{1,64}$")


def case_media(case: Case) -> dict[int, list[MediaFile]]:
    """The case's fetched media by message id (for the case page)."""
    session = object_session(case)
    out: dict[int, list[MediaFile]] = {}
    if session is None:
        return out
    for media in media_of_case(session, case_id=case.id):
        out.setdefault(media.message_id, []).append(media)
    return out


def case_satisfaction(case: Case) -> dict[str, Any] | None:
    """The case's survey answer with its Thai labels (for the case page)."""
    session = object_session(case)
    answer = satisfaction(session, case_id=case.id) if session is not None else None
    if answer is None:
        return None
    return {**answer, "label": SURVEY_LABELS.get(answer["score"], str(answer["score"])),
            "reason_label": SURVEY_REASON_LABELS.get(answer["reason"] or "", "")}


templates.env.globals.update(case_media=case_media, case_satisfaction=case_satisfaction, postback_caption=postback_caption)


@router.get("/inbox/media/{media_id}")
def media_file(media_id: RowId, session: ReadSessionDep, runtime: RuntimeDep, user: PageUser) -> Response:
    """A citizen's photo/video/file, for staff who may see the case and its personal data."""
    media = session.get(MediaFile, media_id)
    message = session.get(Message, media.message_id) if media is not None else None
    case = session.get(Case, message.case_id) if message is not None and message.case_id else None
    if case is None or not access.can_see(user, case) or not access.sees_personal_data(user):
        return Response("ไม่พบไฟล์", status_code=404, media_type="text/plain; charset=utf-8")
    path = media_path(runtime, media)
    if path is None:
        return Response("ไฟล์ยังไม่พร้อม", status_code=404, media_type="text/plain; charset=utf-8")
    return FileResponse(path, media_type=media.content_type or "application/octet-stream",
                        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"})


# ---------------------------------------------------------------- FAQ admin


@router.get("/admin/faq")
def faq_page(request: Request, session: SessionDep, user: AdminUser) -> Response:
    """The FAQ entries: question variants, answer, unit (a write session: the first visit stores the defaults)."""
    entries = faq_entries(session)
    units = session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    return render(request, "admin/faq.html", user=user, entries=entries, units=units,
                  sections={**SECTIONS, "faq": "คำถามที่พบบ่อย"})


@router.post("/admin/faq")
def faq_save(request: Request, session: SessionDep, user: AdminUser, entry_id: Annotated[str, Form()] = "",
             title: Annotated[str, Form()] = "", questions: Annotated[str, Form()] = "",
             answer: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "") -> Response:
    """Add or edit an entry (one question variant per line); the matcher rebuilds on the next citizen question."""
    entry_id, title, answer = entry_id.strip().lower(), title.strip(), answer.strip()
    variants = [q.strip() for q in questions.splitlines() if q.strip()]
    problem = None
    if not FAQ_ID.match(entry_id):
        problem = "รหัสรายการใช้ได้เฉพาะ a–z ตัวเลข _ และ - (ไม่เกิน 64 ตัว)"
    elif not title or not answer or not variants:
        problem = "กรุณากรอกหัวข้อ คำถามอย่างน้อยหนึ่งแบบ และคำตอบ"
    elif len(answer) > 1800 or len(variants) > 50 or any(len(v) > 300 for v in variants):
        problem = "คำตอบยาวได้ไม่เกิน 1,800 ตัวอักษร และคำถามได้ไม่เกิน 50 แบบ แบบละไม่เกิน 300 ตัวอักษร"
    elif unit and session.get(Unit, unit) is None:
        problem = "ไม่พบหน่วยงานที่เลือก"
    if problem:
        flash(request, problem, kind="error")
        return RedirectResponse("/admin/faq", status_code=303)
    faq_entries(session)  # seeds the defaults the first time
    record = session.get(FaqRecord, entry_id)
    action = AuditAction.FAQ_EDITED if record is not None else AuditAction.FAQ_ADDED
    if record is None:
        record = FaqRecord(id=entry_id, title=title, questions=variants, answer=answer, unit_code=unit or None)
        session.add(record)
    record.title, record.questions, record.answer, record.unit_code = title, variants, answer, unit or None
    record.updated_at = utcnow()
    audit.record(session, actor=user.email, action=action, entity="faq", entity_id=entry_id)
    flash(request, f"บันทึกรายการ “{title}” แล้ว")
    return RedirectResponse("/admin/faq", status_code=303)


@router.post("/admin/faq/{entry_id}/delete")
def faq_delete(request: Request, entry_id: str, session: SessionDep, user: AdminUser) -> Response:
    """Remove an entry."""
    record = session.get(FaqRecord, entry_id)
    if record is not None:
        session.delete(record)
        audit.record(session, actor=user.email, action=AuditAction.FAQ_DELETED, entity="faq", entity_id=entry_id)
        flash(request, f"ลบรายการ “{record.title}” แล้ว")
    return RedirectResponse("/admin/faq", status_code=303)
