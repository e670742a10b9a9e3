"""The audit trail: every state change records who did what, to which thing, and when."""
from __future__ import annotations

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
