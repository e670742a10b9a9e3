"""Accounts: creating users, checking passwords (argon2), and API tokens (JWT)."""
from __future__ import annotations

import datetime as dt
import functools

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.sessions import end_user_sessions
from storage import audit
from agency.vocabulary import ROLES, AuditAction
from storage.models import Unit, User, utcnow

_hasher = PasswordHasher()
TOKEN_ALGORITHM = "HS256"


class AccountError(ValueError):
    """A user cannot be created or changed as asked: English for the operator's CLI, `thai` for the inbox."""

    def __init__(self, message: str, *, thai: str) -> None:
        super().__init__(message)
        self.thai = thai


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown accounts against (same cost as a real one); made on first sign-in, not at import."""
    return _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def create_user(
    session: Session, *, email: str, password: str, role: str, unit_code: str | None, actor: str,
    display_name: str | None = None,
) -> User:
    """Add an account; officers must belong to an existing unit."""
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"not an email address: {email!r}", thai="อีเมลไม่ถูกต้อง")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}", thai="บทบาทไม่ถูกต้อง")
    if len(password) < 8:
        raise AccountError("password must be at least 8 characters", thai="รหัสผ่านต้องยาวอย่างน้อย 8 ตัวอักษร")
    if role == "officer" and not unit_code:
        raise AccountError("an officer needs --unit", thai="เจ้าหน้าที่ต้องสังกัดหน่วยงาน กรุณาเลือกหน่วยงาน")
    if unit_code and session.get(Unit, unit_code) is None:
        raise AccountError(f"no unit with code {unit_code!r}", thai="ไม่พบหน่วยงานที่เลือก")
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(f"a user {email} already exists", thai="มีบัญชีอีเมลนี้อยู่แล้ว")
    user = User(email=email, password_hash=hash_password(password), role=role, unit_code=unit_code,
                display_name=display_name, active=True)
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.USER_CREATED, entity="user", entity_id=user.id,
                 role=role, unit=unit_code)
    return user


def find_unit_code(session: Session, *, unit: str) -> str:
    """The code of the active unit named by its code or its Thai name; AccountError listing the valid ones if none."""
    wanted = " ".join(unit.split()).casefold()
    units = session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.code)).all()
    for candidate in units:
        if wanted in (candidate.code.casefold(), " ".join(candidate.name.split()).casefold()):
            return candidate.code
    listing = "\n".join(f"  {u.code}  {u.name}" for u in units)
    raise AccountError(f"no unit {unit!r}; use one of these codes or names:\n{listing}",
                       thai=f"ไม่พบหน่วยงาน “{unit}” กรุณาเลือกจากรายการ")


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (in the same time either way)."""
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def issue_token(user: User, *, secret: str, minutes: int, session_key: str) -> str:
    """A signed bearer token for the API, bound to a server-side session (see accounts.sessions)."""
    now = utcnow()
    claims = {"sub": str(user.id), "role": user.role, "sid": session_key, "iat": now,
              "exp": now + dt.timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM)


def token_session_key(token: str, *, secret: str) -> str | None:
    """The session key in a valid, unexpired token (exp, sub and sid required), else None."""
    try:
        claims = jwt.decode(token, secret, algorithms=[TOKEN_ALGORITHM],
                            options={"require": ["exp", "sub", "sid"]})
    except jwt.PyJWTError:
        return None
    key = claims["sid"]
    return key if isinstance(key, str) and key else None


def user_id_from_token(token: str, *, secret: str) -> int | None:
    """The user id in a valid, unexpired token bound to a session, else None (the session may still have ended)."""
    try:
        claims = jwt.decode(token, secret, algorithms=[TOKEN_ALGORITHM],
                            options={"require": ["exp", "sub", "sid"]})
        return int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        return None


def set_password(session: Session, *, user: User, password: str, actor: str) -> None:
    """Change a user's password (argon2) and end every session they had, audited."""
    if len(password) < 8:
        raise AccountError("password must be at least 8 characters", thai="รหัสผ่านต้องยาวอย่างน้อย 8 ตัวอักษร")
    user.password_hash = hash_password(password)
    ended = end_user_sessions(session, user_id=user.id, reason="password_changed")
    audit.record(session, actor=actor, action=AuditAction.PASSWORD_CHANGED, entity="user", entity_id=user.id,
                 sessions_ended=ended)
