"""Admin pages: units, users, reply templates and the agency's holidays (admins only)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from inbox.admin import service
from web.deps import RowId, SessionDep, get_runtime, page_user
from web.templating import flash, render
from agency.vocabulary import ROLES
from storage.models import User

router = APIRouter(prefix="/admin", include_in_schema=False)
SECTIONS = {"units": "หน่วยงาน", "users": "ผู้ใช้งาน", "templates": "ข้อความสำเร็จรูป", "holidays": "วันหยุดของหน่วยงาน"}


class NotAdmin(Exception):
    """Only admins may open the admin pages."""


def admin_user(user: Annotated[User, Depends(page_user)]) -> User:
    """The signed-in admin, or 403."""
    if user.role != "admin":
        raise NotAdmin(user)
    return user


AdminUser = Annotated[User, Depends(admin_user)]


@router.get("")
def admin_home() -> RedirectResponse:
    """The first admin section."""
    return RedirectResponse("/admin/units", status_code=303)


@router.get("/{section}")
def admin_page(request: Request, section: str, user: AdminUser, session: SessionDep) -> Response:
    """One admin section with its list and forms."""
    if section not in SECTIONS:
        return render(request, "error.html", user=user, status_code=404, message="ไม่พบหน้านี้")
    return render(request, "admin/page.html", user=user, section=section, sections=SECTIONS, roles=ROLES,
                  **service.listing(session))


@router.post("/units")
def add_unit(request: Request, user: AdminUser, code: Annotated[str, Form()] = "",
             name: Annotated[str, Form()] = "") -> Response:
    """Add a unit."""
    return _change(request, "units", "เพิ่มหน่วยงานแล้ว",
                   lambda s: service.add_unit(s, code=code, name=name, actor=user))


@router.post("/units/{code}")
def update_unit(request: Request, code: str, user: AdminUser, name: Annotated[str, Form()] = "",
                active: Annotated[str, Form()] = "") -> Response:
    """Rename or (de)activate a unit."""
    return _change(request, "units", "บันทึกหน่วยงานแล้ว",
                   lambda s: service.update_unit(s, code=code, name=name, active=active == "1", actor=user))


@router.post("/users")
def add_user(request: Request, user: AdminUser, email: Annotated[str, Form()] = "",
             password: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "",
             unit: Annotated[str, Form()] = "", display_name: Annotated[str, Form()] = "") -> Response:
    """Add an account."""
    return _change(request, "users", "เพิ่มผู้ใช้งานแล้ว", lambda s: service.add_user(
        s, email=email, password=password, role=role, unit_code=unit, display_name=display_name, actor=user))


@router.post("/users/{user_id}")
def update_user(request: Request, user_id: RowId, user: AdminUser, role: Annotated[str, Form()] = "",
                unit: Annotated[str, Form()] = "", active: Annotated[str, Form()] = "") -> Response:
    """Change an account's role, unit or status."""
    return _change(request, "users", "บันทึกผู้ใช้งานแล้ว", lambda s: service.update_user(
        s, user_id=user_id, role=role, unit_code=unit, active=active == "1", actor=user))


@router.post("/templates")
def save_template(request: Request, user: AdminUser, title: Annotated[str, Form()] = "",
                  text: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "",
                  template_id: Annotated[str, Form()] = "") -> Response:
    """Add or edit a canned reply."""
    return _change(request, "templates", "บันทึกข้อความสำเร็จรูปแล้ว", lambda s: service.save_template(
        s, template_id=int(template_id) if template_id.isdigit() else None, title=title, text=text,
        unit_code=unit, actor=user))


@router.post("/templates/{template_id}/delete")
def delete_template(request: Request, template_id: RowId, user: AdminUser) -> Response:
    """Remove a canned reply."""
    return _change(request, "templates", "ลบข้อความสำเร็จรูปแล้ว",
                   lambda s: service.delete_template(s, template_id=template_id, actor=user))


@router.post("/holidays")
def add_holiday(request: Request, user: AdminUser, day: Annotated[str, Form()] = "",
                name: Annotated[str, Form()] = "") -> Response:
    """Add an agency day off; new deadlines skip it."""
    return _change(request, "holidays", "เพิ่มวันหยุดแล้ว กำหนดเสร็จของเรื่องใหม่จะไม่นับวันนี้",
                   lambda s: service.add_holiday(s, day=day, name=name, actor=user), calendar=True)


@router.post("/holidays/{day}/delete")
def remove_holiday(request: Request, day: str, user: AdminUser) -> Response:
    """Remove an agency day off."""
    return _change(request, "holidays", "ลบวันหยุดแล้ว",
                   lambda s: service.remove_holiday(s, day=day, actor=user), calendar=True)


def _change(request: Request, section: str, done: str, change: Callable[[Session], Any], *,
            calendar: bool = False) -> Response:
    """Make one audited change in one transaction and go back to the section with a Thai message."""
    runtime = get_runtime(request)
    try:
        with runtime.db.session() as session:
            change(session)
    except service.AdminError as exc:
        flash(request, str(exc), kind="error")
    else:
        flash(request, done)
        if calendar:
            runtime.reload_calendar()
    return RedirectResponse(f"/admin/{section}", status_code=303)
