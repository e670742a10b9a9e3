"""Server-side sessions for browsers and API tokens: sign-out ends one; a password, role or unit change ends them all."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import update
from sqlalchemy.orm import Session

from accounts.models import UserSession
from agency.vocabulary import AuditAction
from storage import audit
from storage.models import User, utcnow


def _session_id(key: str) -> str:
    """The stored id of a session key (the key itself never reaches the database)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(session: Session, *, user: User, kind: str, lifetime: dt.timedelta) -> str:
    """A new session for the user; the key to put in the cookie or token."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(UserSession(id=_session_id(key), user_id=user.id, kind=kind, created_at=now,
                            expires_at=now + lifetime))
    session.flush()
    return key


def session_user(session: Session, *, key: str) -> User | None:
    """The active user of a live session (not ended, not expired), else None."""
    row = session.get(UserSession, _session_id(key))
    if row is None or row.ended_at is not None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def end_session(session: Session, *, key: str, reason: str = "signed_out") -> bool:
    """End one session (sign-out); whether it was live."""
    row = session.get(UserSession, _session_id(key))
    if row is None or row.ended_at is not None:
        return False
    row.ended_at, row.ended_reason = utcnow(), reason
    return True


def sign_out(session: Session, *, key: str, everywhere: bool) -> int:
    """Sign-out of a browser: this session ends; with `everywhere` every session and API token of its user too,
    audited; how many ended."""
    row = session.get(UserSession, _session_id(key))
    if row is None:
        return 0
    if not everywhere:
        return int(end_session(session, key=key))
    ended = end_user_sessions(session, user_id=row.user_id, reason="signed_out_everywhere")
    user = session.get(User, row.user_id)
    audit.record(session, actor=user.email if user else "unknown", action=AuditAction.SIGNED_OUT_EVERYWHERE, entity="user",
                 entity_id=row.user_id, sessions_ended=ended)
    return ended


def end_user_sessions(session: Session, *, user_id: int, reason: str) -> int:
    """End every live session of a user (password, role or unit changed, account closed); how many ended."""
    result = session.execute(update(UserSession)
                             .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
                             .values(ended_at=utcnow(), ended_reason=reason))
    return result.rowcount or 0
