"""Admin pages: units, users, reply templates and the agency's holidays (admins only)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import event
from sqlalchemy.orm import Session

from inbox.admin import service
from web.deps import ReadSessionDep, RowId, RuntimeDep, SessionDep, page_user
from web.templating import flash, render
from agency.vocabulary import ROLES, Role
from storage.models import User

router = APIRouter(prefix="/admin", include_in_schema=False)
SECTIONS = {"units": "หน่วยงาน", "users": "ผู้ใช้งาน", "templates": "ข้อความสำเร็จรูป", "holidays": "วันหยุดของหน่วยงาน"}


class NotAdmin(Exception):
    """Only admins may open the admin pages."""


def admin_user(user: Annotated[User, Depends(page_user)]) -> User:
    """The signed-in admin, or 403."""
    if user.role != Role.ADMIN:
        raise NotAdmin(user)
    return user


AdminUser = Annotated[User, Depends(admin_user)]


@router.get("")
def admin_home() -> RedirectResponse:
    """The first admin section."""
    return RedirectResponse("/admin/units", status_code=303)


@router.get("/{section}")
def admin_page(request: Request, section: str, user: AdminUser, session: ReadSessionDep) -> Response:
    """One admin section with its list and forms."""
    if section not in SECTIONS:
        return render(request, "error.html", user=user, status_code=404, message="ไม่พบหน้านี้")
    return render(request, "admin/page.html", user=user, section=section, sections=SECTIONS, roles=ROLES,
                  **service.listing(session))


@router.post("/units")
def add_unit(request: Request, user: AdminUser, session: SessionDep, code: Annotated[str, Form()] = "",
             name: Annotated[str, Form()] = "") -> Response:
    """Add a unit."""
    return _change(request, session, "units", "เพิ่มหน่วยงานแล้ว",
                   lambda: service.add_unit(session, code=code, name=name, actor=user))


@router.post("/units/{code}")
def update_unit(request: Request, code: str, user: AdminUser, session: SessionDep, name: Annotated[str, Form()] = "",
                active: Annotated[str, Form()] = "") -> Response:
    """Rename or (de)activate a unit."""
    return _change(request, session, "units", "บันทึกหน่วยงานแล้ว",
                   lambda: service.update_unit(session, code=code, name=name, active=active == "1", actor=user))


@router.post("/users")
def add_user(request: Request, user: AdminUser, session: SessionDep, email: Annotated[str, Form()] = "",
             password: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "",
             unit: Annotated[str, Form()] = "", display_name: Annotated[str, Form()] = "") -> Response:
    """Add an account."""
    return _change(request, session, "users", "เพิ่มผู้ใช้งานแล้ว", lambda: service.add_user(
        session, email=email, password=password, role=role, unit_code=unit, display_name=display_name, actor=user))


@router.post("/users/{user_id}")
def update_user(request: Request, user_id: RowId, user: AdminUser, session: SessionDep,
                role: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "",
                active: Annotated[str, Form()] = "") -> Response:
    """Change an account's role, unit or status."""
    return _change(request, session, "users", "บันทึกผู้ใช้งานแล้ว", lambda: service.update_user(
        session, user_id=user_id, role=role, unit_code=unit, active=active == "1", actor=user))


@router.post("/templates")
def save_template(request: Request, user: AdminUser, session: SessionDep, title: Annotated[str, Form()] = "",
                  text: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "",
                  template_id: Annotated[str, Form()] = "") -> Response:
    """Add or edit a canned reply."""
    return _change(request, session, "templates", "บันทึกข้อความสำเร็จรูปแล้ว", lambda: service.save_template(
        session, template_id=int(template_id) if template_id.isdigit() else None, title=title, text=text,
        unit_code=unit, actor=user))


@router.post("/templates/{template_id}/delete")
def delete_template(request: Request, template_id: RowId, user: AdminUser, session: SessionDep) -> Response:
    """Remove a canned reply."""
    return _change(request, session, "templates", "ลบข้อความสำเร็จรูปแล้ว",
                   lambda: service.delete_template(session, template_id=template_id, actor=user))


@router.post("/holidays")
def add_holiday(request: Request, user: AdminUser, session: SessionDep, runtime: RuntimeDep,
                day: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "") -> Response:
    """Add an agency day off; new deadlines skip it."""
    return _change(request, session, "holidays", "เพิ่มวันหยุดแล้ว กำหนดเสร็จของเรื่องใหม่จะไม่นับวันนี้",
                   lambda: service.add_holiday(session, day=day, name=name, actor=user), then=runtime.reload_calendar)


@router.post("/holidays/{day}/delete")
def remove_holiday(request: Request, day: str, user: AdminUser, session: SessionDep, runtime: RuntimeDep) -> Response:
    """Remove an agency day off."""
    return _change(request, session, "holidays", "ลบวันหยุดแล้ว",
                   lambda: service.remove_holiday(session, day=day, actor=user), then=runtime.reload_calendar)


def _change(request: Request, session: Session, section: str, done: str, change: Callable[[], Any], *,
            then: Callable[[], None] | None = None) -> Response:
    """Make one audited change in the request's transaction and go back to the section with a Thai message; a
    refused change is rolled back, and `then` runs once the change is committed."""
    try:
        change()
    except service.AdminError as exc:
        session.rollback()
        flash(request, str(exc), kind="error")
    else:
        flash(request, done)
        if then is not None:
            event.listen(session, "after_commit", lambda _session: then(), once=True)
    return RedirectResponse(f"/admin/{section}", status_code=303)
