"""Request dependencies every page and API room uses: the runtime, a database session, the signed-in user."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from accounts.service import token_session_key
from accounts.sessions import session_user
from runtime import Runtime
from storage.models import User

bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)
SESSION_KEY = "sid"  # the signed session cookie holds the key of a server-side session (accounts.sessions)


class LoginRequired(Exception):
    """The page needs a signed-in user; the app redirects to /login."""


def get_runtime(request: Request) -> Runtime:
    """The running service's parts, built once by the composition root."""
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """A database session in one transaction for this request: committed on success, rolled back on error."""
    with runtime.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def load_user(request: Request, token: str | None) -> User | None:
    """The signed-in user of a live server-side session: the bearer token's if one is given, else the cookie's."""
    runtime = get_runtime(request)
    if token:
        key = token_session_key(token, secret=runtime.settings.secret_key)
    else:
        key = request.session.get(SESSION_KEY) if "session" in request.scope else None
    if not isinstance(key, str) or not key:
        return None
    with runtime.db.session() as session:
        return session_user(session, key=key)


def current_user(request: Request, token: Annotated[str | None, Depends(bearer)]) -> User:
    """The API caller, or 401."""
    user = load_user(request, token)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "กรุณาเข้าสู่ระบบ", headers={"WWW-Authenticate": "Bearer"})
    return user


def page_user(request: Request) -> User:
    """The signed-in user (session cookie), or a redirect to the sign-in page."""
    user = load_user(request, None)
    if user is None:
        raise LoginRequired(request.url.path)
    return user


# A database row id in a URL: anything outside PostgreSQL's integer range cannot be a row (422, never a 500).
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]

CurrentUser = Annotated[User, Depends(current_user)]
PageUser = Annotated[User, Depends(page_user)]
