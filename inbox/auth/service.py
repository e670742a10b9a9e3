"""Accounts: creating users, checking passwords (argon2), and API tokens (JWT)."""
from __future__ import annotations

import datetime as dt

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import audit
from storage.models import ROLES, Unit, User, utcnow

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password")
TOKEN_ALGORITHM = "HS256"


class AccountError(ValueError):
    """A user cannot be created or changed as asked: English for the operator's CLI, `thai` for the inbox."""

    def __init__(self, message: str, *, thai: str) -> None:
        super().__init__(message)
        self.thai = thai


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
    audit.record(session, actor=actor, action="user_created", entity="user", entity_id=user.id,
                 role=role, unit=unit_code)
    return user


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (in the same time either way)."""
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def issue_token(user: User, *, secret: str, minutes: int) -> str:
    """A signed bearer token for the API."""
    now = utcnow()
    claims = {"sub": str(user.id), "role": user.role, "iat": now, "exp": now + dt.timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM)


def user_id_from_token(token: str, *, secret: str) -> int | None:
    """The user id in a valid, unexpired token, else None."""
    try:
        claims = jwt.decode(token, secret, algorithms=[TOKEN_ALGORITHM])
        return int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        return None
