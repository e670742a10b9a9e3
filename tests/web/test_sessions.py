"""Sign-in and sessions: server-side sessions that end on sign-out and on a password or role change, tokens bound
to a session, per-account throttling with backoff, and forwarded headers believed only from configured proxies."""
from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import httpx
import jwt
import pytest
import uvicorn
from fastapi import FastAPI, Request
from sqlalchemy import select

from accounts.service import set_password
from accounts.throttle import SignInThrottle
from agency.settings import Settings
from fangsiang.serving import uvicorn_config
from inbox.admin.service import update_user
from storage.models import User
from tests.fangsiang.test_cli import run_cli
from tests.inbox.helpers import PASSWORD
from tests.inbox.test_pages import browser, csrf, sign_in
from tests.support.server import LiveServer, free_port


def _user(server: LiveServer, email: str) -> User:
    with server.runtime.db.session() as session:
        return session.scalars(select(User).where(User.email == email)).one()


def test_sign_out_ends_the_session_on_the_server(live_server: LiveServer) -> None:
    live_server.add_user("somchai@example.go.th", role="officer", unit="public_works")
    client = sign_in(live_server, "somchai@example.go.th")
    copied = dict(client.cookies)
    assert client.get("/inbox").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf(client.get("/inbox"))}).status_code == 303
    replay = browser(live_server)
    replay.cookies.update(copied)  # someone kept a copy of the cookie from before the sign-out
    assert replay.get("/inbox").status_code == 303
    assert replay.get("/api/cases").status_code == 401


def test_a_password_change_ends_every_session_and_token(live_server: LiveServer) -> None:
    live_server.add_user("malee@example.go.th", role="officer", unit="environment")
    page = sign_in(live_server, "malee@example.go.th")
    token = live_server.token("malee@example.go.th")
    assert page.get("/inbox").status_code == 200
    assert live_server.client.get("/api/cases", headers=token).status_code == 200
    with live_server.runtime.db.session() as session:
        user = session.scalars(select(User).where(User.email == "malee@example.go.th")).one()
        set_password(session, user=user, password="a new long passphrase", actor="test")
    assert page.get("/inbox").status_code == 303
    assert live_server.client.get("/api/cases", headers=token).status_code == 401
    assert live_server.token("malee@example.go.th", "a new long passphrase")


def test_a_role_change_ends_the_sessions_of_that_account_only(live_server: LiveServer) -> None:
    live_server.add_user("admin@example.go.th", role="admin")
    live_server.add_user("officer@example.go.th", role="officer", unit="public_works")
    admin_token = live_server.token("admin@example.go.th")
    officer_token = live_server.token("officer@example.go.th")
    officer_page = sign_in(live_server, "officer@example.go.th")
    with live_server.runtime.db.session() as session:
        admin = session.scalars(select(User).where(User.email == "admin@example.go.th")).one()
        officer = session.scalars(select(User).where(User.email == "officer@example.go.th")).one()
        update_user(session, user_id=officer.id, role="analyst", unit_code=None, active=True, actor=admin)
    assert live_server.client.get("/api/cases", headers=officer_token).status_code == 401
    assert officer_page.get("/inbox").status_code == 303
    assert live_server.client.get("/api/cases", headers=admin_token).status_code == 200


def test_tokens_not_bound_to_a_live_session_are_refused(live_server: LiveServer) -> None:
    live_server.add_user("admin@example.go.th", role="admin")
    user_id = _user(live_server, "admin@example.go.th").id
    secret = live_server.settings.secret_key
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    for claims in ({"sub": str(user_id), "exp": later}, {"sub": str(user_id), "exp": later, "sid": "made-up"}):
        forged = jwt.encode(claims, secret, algorithm="HS256")
        assert live_server.client.get("/api/cases", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_one_account_failing_does_not_lock_out_the_office(live_server: LiveServer) -> None:
    live_server.add_user("careless@example.go.th", role="officer", unit="public_works")
    live_server.add_user("colleague@example.go.th", role="officer", unit="public_works")
    client = browser(live_server)
    token = csrf(client.get("/login"))
    codes = [client.post("/login", data={"username": "careless@example.go.th", "password": "wrong guess",
                                         "csrf_token": token}).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    # Even the right password waits now, and the API's token endpoint counts the same account.
    right = client.post("/login", data={"username": "careless@example.go.th", "password": PASSWORD,
                                        "csrf_token": token})
    assert right.status_code == 429 and "บ่อยเกินไป" in right.text and int(right.headers["retry-after"]) >= 1
    api = live_server.client.post("/api/auth/token", data={"username": "careless@example.go.th",
                                                           "password": PASSWORD})
    assert api.status_code == 429
    # Same address, another account: signs in at once.
    assert sign_in(live_server, "colleague@example.go.th").get("/inbox").status_code == 200


def test_the_wait_doubles_with_each_failure_up_to_a_cap_and_success_clears_it(database) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)
    throttle = SignInThrottle(free_failures=2, base_seconds=2, cap_seconds=60)
    waits = []
    with database.session() as session:
        for _ in range(9):
            throttle.failed(session, "Somchai@Example.go.th ", now=now)
            waits.append(throttle.retry_after(session, "somchai@example.go.th", now=now))
        assert waits == [0, 2, 4, 8, 16, 32, 60, 60, 60]  # the third failure already imposes a wait
        assert throttle.retry_after(session, "somchai@example.go.th", now=now + dt.timedelta(seconds=61)) == 0
        throttle.succeeded(session, "somchai@example.go.th")
        throttle.failed(session, "somchai@example.go.th", now=now)
        assert throttle.retry_after(session, "somchai@example.go.th", now=now) == 0
        later = now + dt.timedelta(days=2)  # a day on, old failures are forgotten when the next one is counted
        throttle.failed(session, "another@example.go.th", now=later)
        assert throttle.failures(session, "somchai@example.go.th") == 0


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_failures_are_counted_in_the_database_for_every_web_process(live_server: LiveServer) -> None:
    """Two apps on one database (two processes behind a load balancer) see the same failures."""
    from fastapi.testclient import TestClient

    from fangsiang.app import create_app

    live_server.add_user("shared@example.go.th", role="officer", unit="public_works")
    with TestClient(create_app(live_server.settings, run_worker=False)) as other:
        for client in (live_server.client, other) * 3:
            client.post("/api/auth/token", data={"username": "shared@example.go.th", "password": "wrong guess"})
        refused = other.post("/api/auth/token", data={"username": "shared@example.go.th", "password": PASSWORD})
    assert refused.status_code == 429, "six failures across two processes: the seventh attempt waits"


def _client_address(settings: Settings) -> tuple[str, str]:
    """What an app served by `fangsiang serve`'s uvicorn config sees as the client, with and without a forged XFF."""
    probe = FastAPI()

    @probe.get("/who")
    def who(request: Request) -> str:
        return request.client.host if request.client else ""

    port = free_port()
    server = uvicorn.Server(uvicorn_config(probe, settings=settings, host="127.0.0.1", port=port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            plain = client.get("/who").json()
            forged = client.get("/who", headers={"X-Forwarded-For": "203.0.113.9"}).json()
        return plain, forged
    finally:
        server.should_exit = True
        thread.join(10)


def test_forwarded_headers_are_believed_only_from_configured_proxies(tmp_path: Path) -> None:
    default = Settings(_env_file=None, fangsiang_data_dir=tmp_path)
    assert _client_address(default) == ("127.0.0.1", "127.0.0.1")  # rotating X-Forwarded-For changes nothing
    behind_proxy = Settings(_env_file=None, fangsiang_data_dir=tmp_path, fangsiang_trusted_proxies="127.0.0.1")
    assert _client_address(behind_proxy) == ("127.0.0.1", "203.0.113.9")


def test_users_password_command_ends_the_sessions(live_server: LiveServer) -> None:
    live_server.add_user("niran@example.go.th", role="analyst")
    token = live_server.token("niran@example.go.th")
    done = run_cli(live_server, "users", "password", "niran@example.go.th", "--password-stdin",
                   stdin="another long passphrase\n")
    assert done.returncode == 0, done.stderr
    assert live_server.client.get("/api/cases", headers=token).status_code == 401
    assert live_server.token("niran@example.go.th", "another long passphrase")
    short = run_cli(live_server, "users", "password", "niran@example.go.th", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "8 characters" in short.stderr
