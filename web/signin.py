"""Signing in: the sign-in page and session for people, bearer tokens for API clients."""
from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm
from starlette.concurrency import run_in_threadpool

from accounts.service import authenticate, issue_token
from accounts.sessions import sign_out, start_session
from accounts.throttle import SignInThrottle
from storage import audit
from storage.models import utcnow
from web.deps import SESSION_KEY, RuntimeDep, load_user
from web.security import LOGIN_LIMIT, TOKEN_LIMIT, limiter
from web.templating import render

if TYPE_CHECKING:
    from runtime import Runtime

router = APIRouter(tags=["auth"])
HOME = "/inbox"
SESSION_LIFETIME = dt.timedelta(hours=12)  # as long as the signed cookie lives
TOO_MANY_FAILURES = "เข้าสู่ระบบด้วยบัญชีนี้ผิดบ่อยเกินไป กรุณารอสักครู่แล้วลองใหม่อีกครั้ง"


@router.post("/api/auth/token", summary="Exchange email and password for a bearer token")
@limiter.limit(TOKEN_LIMIT)
async def token(request: Request, runtime: RuntimeDep,
                form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    """OAuth2 password flow: form fields username (the email) and password."""
    wait = await run_in_threadpool(_reserve, runtime, form.username)
    if wait > 0:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_FAILURES,
                            headers={"Retry-After": str(math.ceil(wait))})

    def check() -> str | None:
        with runtime.db.session() as session:
            user = authenticate(session, email=form.username, password=form.password)
            if user is None:
                return None
            minutes = runtime.settings.fangsiang_token_minutes
            audit.record(session, actor=user.email, action="signed_in", entity="user", entity_id=user.id, kind="token")
            key = start_session(session, user=user, kind="token", lifetime=dt.timedelta(minutes=minutes))
            return issue_token(user, secret=runtime.settings.secret_key, minutes=minutes, session_key=key)

    access_token = await run_in_threadpool(check)
    if access_token is not None:
        await run_in_threadpool(_succeeded, runtime, form.username)
    if access_token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "อีเมลหรือรหัสผ่านไม่ถูกต้อง",
                            headers={"WWW-Authenticate": "Bearer"})
    return {"access_token": access_token, "token_type": "bearer"}


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str = HOME) -> Response:
    """The sign-in form."""
    if load_user(request, None) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", user=None, next=safe_next(next), error=None, username="")


@router.post("/login", include_in_schema=False)
@limiter.limit(LOGIN_LIMIT)
async def login(
    request: Request, runtime: RuntimeDep, username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = HOME,
) -> Response:
    """Check the password; on success start a fresh session (HttpOnly, SameSite cookie)."""
    wait = await run_in_threadpool(_reserve, runtime, username) if username and password else 0.0
    if wait > 0:
        response = render(request, "login.html", user=None, next=safe_next(next), username=username,
                          error=TOO_MANY_FAILURES, status_code=429)
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response

    def check() -> str | None:
        with runtime.db.session() as session:
            user = authenticate(session, email=username, password=password)
            if user is None:
                return None
            audit.record(session, actor=user.email, action="signed_in", entity="user", entity_id=user.id)
            return start_session(session, user=user, kind="browser", lifetime=SESSION_LIFETIME)

    session_key = await run_in_threadpool(check) if username and password else None
    if session_key is not None:
        await run_in_threadpool(_succeeded, runtime, username)
    if session_key is None:
        return render(request, "login.html", user=None, next=safe_next(next), username=username,
                      error="อีเมลหรือรหัสผ่านไม่ถูกต้อง กรุณาลองใหม่อีกครั้ง", status_code=401)
    request.session.clear()
    request.session[SESSION_KEY] = session_key
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, runtime: RuntimeDep, everywhere: Annotated[str, Form()] = "") -> RedirectResponse:
    """End the session on the server (a copy of the old cookie no longer signs anyone in) and forget the cookie;
    "sign out everywhere" (everywhere=1) also ends the user's other browsers and every API token they were issued."""
    key = request.session.get(SESSION_KEY)
    if isinstance(key, str) and key:
        with runtime.db.session() as session:
            sign_out(session, key=key, everywhere=bool(everywhere))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


THROTTLE = SignInThrottle()  # the policy; the counts are in the database, shared by every web process


def _reserve(runtime: "Runtime", email: str) -> float:
    """Take an attempt for this account before checking its password (0), or the seconds it must still wait."""
    with runtime.db.session() as session:
        return THROTTLE.reserve(session, email, now=utcnow())


def _succeeded(runtime: "Runtime", email: str) -> None:
    """A right password: the account's counted attempts are cleared."""
    with runtime.db.session() as session:
        THROTTLE.succeeded(session, email)


def safe_next(target: str | None) -> str:
    """Only redirect within this site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target
