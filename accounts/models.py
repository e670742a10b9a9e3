"""The accounts room's tables: sessions that end on the server (sign-out, a password or role change) and failed
sign-ins per account."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class UserSession(Base):
    """A signed-in browser or an API token; the cookie or token holds a random key whose SHA-256 is the id."""

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # browser | token
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    ended_reason: Mapped[str | None] = mapped_column(String(32))  # signed_out | password_changed | role_changed...


class SignInFailure(Base):
    """Failed sign-ins for one email as typed (lower case), whether or not such an account exists."""

    __tablename__ = "sign_in_failures"
    email_key: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[dt.datetime] = mapped_column(index=True)
