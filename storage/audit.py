"""The audit trail: every state change records who did what, to which thing, and when."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from storage.models import AuditEvent


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    case_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add one audit event to the session's transaction."""
    event = AuditEvent(
        actor=actor, action=action, entity=entity, entity_id=str(entity_id), case_id=case_id, details=details
    )
    session.add(event)
    return event


def apply_changes(thing: object, values: Mapping[str, object]) -> dict[str, list[object]]:
    """Set the fields that differ on a model object; returns them as {field: [old, new]} for the audit event."""
    diff: dict[str, list[object]] = {}
    for name, value in values.items():
        old = getattr(thing, name)
        if old != value:
            diff[name] = [_plain(old), _plain(value)]
            setattr(thing, name, value)
    return diff


def _plain(value: object) -> object:
    """A value as JSON can store it (dates and times as ISO text)."""
    return value.isoformat() if isinstance(value, dt.date) else value
