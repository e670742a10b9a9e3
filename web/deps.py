"""Request dependencies every page and API room uses: the runtime, a database session, the signed-in user.

A handler never opens a session itself. One that changes something takes `SessionDep`: one transaction for the
request, committed when the handler returns and rolled back when it raises, both before the response is sent (so
the page a redirect leads to already shows the change, and a failed commit is never answered with success). A
handler that only reads takes `ReadSessionDep`: on SQLite its transaction begins deferred, so rendering a long page
or building an export never holds the write lock the webhook and the worker need; it refuses to flush.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from accounts.service import token_session_key
from accounts.sessions import session_user
from cases import access
from cases.errors import CaseError
from runtime import Runtime
from storage.models import Case, User

bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)
SESSION_KEY = "sid"  # the signed session cookie holds the key of a server-side session (accounts.sessions)


class LoginRequired(Exception):
    """The page needs a signed-in user; the app redirects to /login."""


def get_runtime(request: Request) -> Runtime:
    """The running service's parts, built once by the composition root."""
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """The request's write session: committed when the handler returns, rolled back when it raises.

    A handler that catches a domain error and answers with a page calls `session.rollback()` first, so nothing of
    the refused change is committed."""
    with runtime.db.sessions() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


def get_read_session(runtime: RuntimeDep) -> Iterator[Session]:
    """The request's read session (never takes SQLite's write lock; writes through it are refused)."""
    with runtime.db.read_session() as session:
        yield session


def get_read_sessions(runtime: RuntimeDep) -> Callable[[], AbstractContextManager[Session]]:
    """Short read sessions, one per use, for a response that outlives the request (a live event stream)."""
    return runtime.db.read_session


# scope="function": the session ends when the handler ends, before the response goes out
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]
ReadSessions = Annotated[Callable[[], AbstractContextManager[Session]], Depends(get_read_sessions)]


def load_user(request: Request, token: str | None) -> User | None:
    """The signed-in user of a live server-side session: the bearer token's if one is given, else the cookie's."""
    runtime = get_runtime(request)
    if token:
        key = token_session_key(token, secret=runtime.settings.secret_key)
    else:
        key = request.session.get(SESSION_KEY) if "session" in request.scope else None
    if not isinstance(key, str) or not key:
        return None
    with runtime.db.read_session() as session:
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


def maybe_user(request: Request) -> User | None:
    """Whoever is signed in (session cookie), on a page anyone may open."""
    return load_user(request, None)


# A database row id in a URL: anything outside PostgreSQL's integer range cannot be a row (422, never a 500).
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
# Paging: an offset past any table and a page past any list are refused (422) before they reach the database.
Offset = Annotated[int, Query(ge=0, le=MAX_ROW_ID)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_ROW_ID)]

CurrentUser = Annotated[User, Depends(current_user)]
PageUser = Annotated[User, Depends(page_user)]
MaybeUser = Annotated[User | None, Depends(maybe_user)]


def acting_case(session: Session, *, case_id: int, user: User) -> Case:
    """The case the user may change, locked in the session's transaction: 404 when it is not theirs to see, 403
    when they may only read it (HTTPException with the Thai reason)."""
    try:
        case = access.load_case_for(session, case_id=case_id, user=user, for_update=True)
    except access.CaseNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "ไม่พบเรื่องนี้") from exc
    if not access.can_act(user, case):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "บัญชีของท่านไม่มีสิทธิ์แก้ไขเรื่องนี้")
    return case


def case_to_act_on(session: SessionDep, case_id: RowId, user: CurrentUser) -> Iterator[Case]:
    """The case an officer acts on (`acting_case`), and 422 with the Thai reason when the service refuses the
    action (nothing is kept)."""
    case = acting_case(session, case_id=case_id, user=user)
    try:
        yield case
    except CaseError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc


ActionCase = Annotated[Case, Depends(case_to_act_on, scope="function")]
