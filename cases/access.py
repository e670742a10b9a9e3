"""Who may see and change which case, and what each reader may see of it (the PDPA view, in one place)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from agency.vocabulary import Role
from classifier.text import mask_personal_data
from storage.models import Case, Message, User

# Analysts read everything the agency heard, but never a citizen's personal data.
PERSONAL_ROLES = (Role.ADMIN, Role.OFFICER)


def sees_personal_data(user: User) -> bool:
    """Whether this reader may see citizens' names, contacts and raw words (officers and admins; never analysts)."""
    return user.role in PERSONAL_ROLES


def visible_cases(user: User) -> Select[tuple[Case]]:
    """The cases this user may see: officers their own unit's, admins and analysts all."""
    query = select(Case)
    if user.role == Role.OFFICER:
        query = query.where(Case.unit_code == user.unit_code)
    return query


def can_see(user: User, case: Case) -> bool:
    """Whether this user may open this case."""
    return user.role in (Role.ADMIN, Role.ANALYST) or can_act(user, case)


def can_act(user: User, case: Case) -> bool:
    """Whether this user may change this case (analysts never; officers only their unit's)."""
    return user.role == Role.ADMIN or (user.role == Role.OFFICER and case.unit_code == user.unit_code)


class CaseNotFound(LookupError):
    """No such case, or not one this user may see."""


def load_case_for(session: Session, *, case_id: int, user: User, for_update: bool = False) -> Case:
    """The case if this user may see it, else CaseNotFound (another unit's case looks like no case).

    With for_update the row is locked until the transaction ends, so two officers' actions apply one after the other.
    """
    # Lock only the case row: PostgreSQL refuses FOR UPDATE on the outer-joined unit and contact.
    case = session.get(Case, case_id, with_for_update={"of": Case} if for_update else None)
    if case is None or not can_see(user, case):
        raise CaseNotFound(case_id)
    return case


def shown_text(message: Message, *, personal: bool) -> str:
    """A message's text as this reader may see it: analysts get citizens' and officers' words masked."""
    if personal:
        return message.text
    if message.direction == "in":
        return message.masked_text or "(ข้อความถูกปกปิด)"
    return mask_personal_data(message.text)


def shown_summary(case: Case, *, personal: bool) -> str:
    """A case's summary as this reader may see it: analysts get the first message masked."""
    if personal:
        return case.summary
    first = next((m for m in case.messages if m.direction == "in"), None)
    return first.masked_text if first and first.masked_text else ""


def shown_actor(actor: str, *, personal: bool) -> str | None:
    """Who did something in a case's history: staff emails are personal data too."""
    return actor if personal else None


# What an analyst may read of a history entry: the codes of what changed, and officers' free text masked.
NEUTRAL_DETAILS = ("changes", "unit", "citizen_told", "message_id", "chars", "note_id", "priority", "channel")
OFFICERS_TEXT = ("note", "reason", "no_after_photo_reason")


def shown_details(details: dict[str, Any], *, personal: bool) -> dict[str, Any]:
    """A history entry's details as this reader may see them: analysts get officers' notes and reasons masked."""
    if personal:
        return details
    shown = {key: details[key] for key in NEUTRAL_DETAILS if key in details}
    shown.update({key: mask_personal_data(str(details[key])) for key in OFFICERS_TEXT if details.get(key)})
    return shown


def shown_author(user: User | None, *, personal: bool) -> str:
    """Who wrote a reply or note: a name for officers and admins; analysts see only that staff wrote it."""
    if user is None:
        return "ระบบตอบกลับอัตโนมัติ"
    return (user.display_name or user.email) if personal else "เจ้าหน้าที่"
