"""Jinja2 templates with the officer's vocabulary: Thai dates (B.E.), status and intent names, history lines."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from agency import vocabulary
from agency.thaitime import thai_date
from storage.models import AuditEvent, User, utcnow
from web.thaidate import PLACEHOLDER, be_day_text

SHELL_TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
_loaders: list[FileSystemLoader] = [FileSystemLoader(str(SHELL_TEMPLATES))]
templates = Jinja2Templates(env=Environment(loader=ChoiceLoader(_loaders), autoescape=select_autoescape()))
ACTION_NAMES = vocabulary.ACTION_NAMES  # every audit action's Thai name, defined once in the vocabulary
REASON_NAMES = vocabulary.SURVEY_REASON_LABELS  # reasons recorded as codes; the others are recorded in Thai
FIELD_NAMES = {"status": "สถานะ", "unit_code": "หน่วยงาน", "intent": "ประเภทเรื่อง", "due_at": "กำหนดเสร็จ",
               "citizen_group": "กลุ่มผู้รับบริการ"}


def thai_datetime(moment: dt.datetime | None) -> str:
    """A moment as 12 ธ.ค. 2569 เวลา 16.30 น. (empty for none)."""
    return thai_date(moment, with_time=True) if moment else ""


def thai_day(moment: dt.datetime | dt.date | None) -> str:
    """A day as 12 ธ.ค. 2569."""
    if moment is None:
        return ""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(12), tzinfo=dt.UTC)
    return thai_date(moment)


def describe(event: AuditEvent, *, unit_names: dict[str, str]) -> str:
    """One line of a case's history in Thai: what changed, from what to what, and why."""
    parts = [ACTION_NAMES.get(event.action, event.action)]
    names = {"status": vocabulary.STATUS_NAMES, "intent": vocabulary.INTENT_NAMES, "unit_code": unit_names,
             "citizen_group": {None: "ไม่ระบุ"}}
    for field, (old, new) in (event.details.get("changes") or {}).items():
        if field in names:
            parts.append(f"{FIELD_NAMES[field]}: {names[field].get(old, old)} → {names[field].get(new, new)}")
    if event.details.get("score") in vocabulary.SURVEY_LABELS:
        parts.append(f"คะแนน {event.details['score']}/5 ({vocabulary.SURVEY_LABELS[event.details['score']]})")
    for key, label in (("note", "หมายเหตุ"), ("reason", "เหตุผล"), ("no_after_photo_reason", "ไม่มีภาพหลังแก้ไข เพราะ")):
        if event.details.get(key):
            value = event.details[key]
            parts.append(f"{label}: {REASON_NAMES.get(value, value) if isinstance(value, str) else value}")
    if event.action == "case_opened":
        parts.append(f"หน่วยงาน: {unit_names.get(event.details.get('unit'), event.details.get('unit'))}")
    if event.details.get("citizen_told"):
        parts.append("แจ้งประชาชนแล้ว")
    return " · ".join(parts)


def render(request: Request, name: str, *, user: User | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the signed-in user, the CSRF token and any flash message."""
    flash = request.session.pop("flash", None) if "session" in request.scope else None
    return templates.TemplateResponse(request, name, {
        "user": user, "csrf_token": request.scope.get("csrf_token", ""), "flash": flash, "now": utcnow(),
        **context,
    }, status_code=status_code)


def flash(request: Request, text: str, *, kind: str = "success") -> None:
    """A one-time message shown on the next page."""
    request.session["flash"] = {"kind": kind, "text": text}


templates.env.filters.update(thai_datetime=thai_datetime, thai_day=thai_day, be_day=be_day_text,
                             number=lambda value: f"{int(value or 0):,}")
templates.env.globals.update(
    STATUS_NAMES=vocabulary.STATUS_NAMES, INTENT_NAMES=vocabulary.INTENT_NAMES, CHANNEL_NAMES=vocabulary.CHANNEL_NAMES,
    ROLE_NAMES=vocabulary.ROLE_NAMES, SENTIMENT_NAMES=vocabulary.SENTIMENT_NAMES,
    DELIVERY_NAMES=vocabulary.DELIVERY_NAMES, DATE_PLACEHOLDER=PLACEHOLDER,
    PRIVACY_POLICY_NAME=vocabulary.PRIVACY_POLICY_NAME,
)


def register_templates(directory: Path) -> None:
    """Let a page room's own templates (which extend the shell's base.html) be found by name."""
    if all(loader.searchpath != [str(directory)] for loader in _loaders):
        _loaders.append(FileSystemLoader(str(directory)))
