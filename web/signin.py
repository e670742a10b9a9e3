"""Signing in: the sign-in page and session for people, bearer tokens for API clients."""
from __future__ import annotations

import datetime as dt
import math
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accounts.service import authenticate, issue_token
from accounts.sessions import sign_out, start_session
from accounts.throttle import SignInThrottle
from storage import audit
from agency.vocabulary import AuditAction
from storage.models import User, utcnow
from web.deps import SESSION_KEY, MaybeUser, RuntimeDep, SessionDep
from web.security import LOGIN_LIMIT, TOKEN_LIMIT, limiter
from web.templating import render

router = APIRouter(tags=["auth"])
HOME = "/inbox"
SESSION_LIFETIME = dt.timedelta(hours=12)  # as long as the signed cookie lives
TOO_MANY_FAILURES = "เข้าสู่ระบบด้วยบัญชีนี้ผิดบ่อยเกินไป กรุณารอสักครู่แล้วลองใหม่อีกครั้ง"


class TokenOut(BaseModel):
    """A bearer token for the API."""

    access_token: str
    token_type: str = "bearer"


@router.post("/api/auth/token", summary="Exchange email and password for a bearer token", response_model=TokenOut)
@limiter.limit(TOKEN_LIMIT)
async def token(request: Request, runtime: RuntimeDep, session: SessionDep,
                form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Response | TokenOut:
    """OAuth2 password flow: form fields username (the email) and password."""
    wait = await run_in_threadpool(partial(THROTTLE.take_attempt, runtime.db, form.username, now=utcnow()))
    if wait > 0:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_FAILURES,
                            headers={"Retry-After": str(math.ceil(wait))})
    minutes = runtime.settings.fangsiang_token_minutes

    def sign_in() -> str | None:
        user = _authenticated(session, email=form.username, password=form.password, kind="token")
        if user is None:
            return None
        key = start_session(session, user=user, kind="token", lifetime=dt.timedelta(minutes=minutes))
        return issue_token(user, secret=runtime.settings.secret_key, minutes=minutes, session_key=key)

    access_token = await run_in_threadpool(sign_in)
    if access_token is None:
        return JSONResponse({"detail": "อีเมลหรือรหัสผ่านไม่ถูกต้อง"}, status_code=status.HTTP_401_UNAUTHORIZED,
                            headers={"WWW-Authenticate": "Bearer"})
    return TokenOut(access_token=access_token)


@router.get("/login", include_in_schema=False)
def login_form(request: Request, user: MaybeUser, next: str = HOME) -> Response:
    """The sign-in form."""
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", user=None, next=safe_next(next), error=None, username="")


@router.post("/login", include_in_schema=False)
@limiter.limit(LOGIN_LIMIT)
async def login(
    request: Request, runtime: RuntimeDep, session: SessionDep, username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = HOME,
) -> Response:
    """Check the password; on success start a fresh session (HttpOnly, SameSite cookie)."""
    wait = await run_in_threadpool(partial(THROTTLE.take_attempt, runtime.db, username, now=utcnow())) \
        if username and password else 0.0
    if wait > 0:
        response = render(request, "login.html", user=None, next=safe_next(next), username=username,
                          error=TOO_MANY_FAILURES, status_code=429)
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response

    def sign_in() -> str | None:
        user = _authenticated(session, email=username, password=password, kind="browser")
        return start_session(session, user=user, kind="browser", lifetime=SESSION_LIFETIME) if user else None

    session_key = await run_in_threadpool(sign_in) if username and password else None
    if session_key is None:
        return render(request, "login.html", user=None, next=safe_next(next), username=username,
                      error="อีเมลหรือรหัสผ่านไม่ถูกต้อง กรุณาลองใหม่อีกครั้ง", status_code=401)
    request.session.clear()
    request.session[SESSION_KEY] = session_key
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, session: SessionDep, everywhere: Annotated[str, Form()] = "") -> RedirectResponse:
    """End the session on the server (a copy of the old cookie no longer signs anyone in) and forget the cookie;
    "sign out everywhere" (everywhere=1) also ends the user's other browsers and every API token they were issued."""
    key = request.session.get(SESSION_KEY)
    if isinstance(key, str) and key:
        sign_out(session, key=key, everywhere=bool(everywhere))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


THROTTLE = SignInThrottle()  # the policy; the counts are in the database, shared by every web process


def _authenticated(session: Session, *, email: str, password: str, kind: str) -> User | None:
    """The account these credentials open, its sign-in audited, or None (the attempt was counted when it was taken,
    `SignInThrottle.take_attempt`; a right password clears the count)."""
    user = authenticate(session, email=email, password=password)
    if user is None:
        return None
    THROTTLE.succeeded(session, email)
    audit.record(session, actor=user.email, action=AuditAction.SIGNED_IN, entity="user", entity_id=user.id,
                 **({"kind": kind} if kind == "token" else {}))
    return user


def safe_next(target: str | None) -> str:
    """Only redirect within this site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target
