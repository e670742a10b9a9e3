"""Signing in to the API, and who is asking."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from starlette.concurrency import run_in_threadpool

from inbox.auth.service import authenticate, issue_token, user_id_from_token
from inbox.web.security import TOKEN_LIMIT, limiter
from storage.models import User

router = APIRouter(tags=["auth"])
bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


@router.post("/api/auth/token", summary="Exchange email and password for a bearer token")
@limiter.limit(TOKEN_LIMIT)
async def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    """OAuth2 password flow: form fields username (the email) and password."""
    runtime = request.app.state.runtime

    def check() -> str | None:
        with runtime.db.session() as session:
            user = authenticate(session, email=form.username, password=form.password)
            if user is None:
                return None
            return issue_token(user, secret=runtime.settings.secret_key,
                               minutes=runtime.settings.fangsiang_token_minutes)

    access_token = await run_in_threadpool(check)
    if access_token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "อีเมลหรือรหัสผ่านไม่ถูกต้อง",
                            headers={"WWW-Authenticate": "Bearer"})
    return {"access_token": access_token, "token_type": "bearer"}


def load_user(request: Request, token: str | None) -> User | None:
    """The signed-in user from a bearer token or the session cookie."""
    runtime = request.app.state.runtime
    user_id = user_id_from_token(token, secret=runtime.settings.secret_key) if token else None
    if user_id is None and "session" in request.scope:
        user_id = request.session.get("user_id")
    if user_id is None:
        return None
    with runtime.db.session() as session:
        user = session.get(User, int(user_id))
        return user if user is not None and user.active else None


def current_user(request: Request, token: Annotated[str | None, Depends(bearer)]) -> User:
    """The caller, or 401."""
    user = load_user(request, token)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "กรุณาเข้าสู่ระบบ", headers={"WWW-Authenticate": "Bearer"})
    return user


CurrentUser = Annotated[User, Depends(current_user)]
