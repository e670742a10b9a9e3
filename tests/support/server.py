"""The real service, started in this process on a free port, with helpers to play LINE and Facebook."""
from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx
import uvicorn

from fangsiang.app import create_app
from listeners import simulator
from agency.settings import Settings

PAGE_ID = "100000000000001"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving create_app(settings) in a thread, with the in-process worker unless told otherwise."""

    def __init__(self, settings: Settings, *, run_worker: bool = True) -> None:
        self.settings = settings
        self.app = create_app(settings, run_worker=run_worker)
        # The port is bound here and handed to uvicorn, never released in between: tests in parallel processes
        # (pytest-xdist) cannot be given the same port.
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                                     lifespan="on", timeout_graceful_shutdown=2))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)
        # Idle connections are dropped before uvicorn's own 5-s keep-alive ends: at httpx's default (also 5 s) a request
        # could go out on a connection the server was closing ("Server disconnected without sending a response",
        # seen once in CI on a slow machine between two steps of a browser test).
        self.client = httpx.Client(base_url=self.url, timeout=30, limits=httpx.Limits(keepalive_expiry=2.0))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    @property
    def worker(self) -> Any:
        return self.app.state.worker

    def start(self, *, wait_for_worker: bool = True) -> "LiveServer":
        self._thread.start()
        deadline = time.monotonic() + 300
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        if wait_for_worker and self.worker is not None:
            if not self.worker.ready.wait(300):
                raise RuntimeError("worker did not become ready")
        return self

    def stop(self) -> None:
        self.client.close()
        self._server.should_exit = True
        self._thread.join(30)
        self._socket.close()

    # Playing the platforms -------------------------------------------------------------------------------------
    def post_line(self, *events: dict[str, Any], body: bytes | None = None, signature: str | None = None,
                  headers: dict[str, str] | None = None) -> httpx.Response:
        """POST a LINE webhook, signed with the channel secret unless a signature is given."""
        raw = body if body is not None else simulator.encode(simulator.line_body(*events))
        sig = signature if signature is not None else simulator.line_signature(raw, self.settings.line_signing_secret)
        return self.client.post("/webhooks/line", content=raw,
                                headers={"content-type": "application/json", "x-line-signature": sig, **(headers or {})})

    def post_facebook(self, payload: dict[str, Any] | None = None, *, body: bytes | None = None,
                      signature: str | None = None) -> httpx.Response:
        """POST a Facebook webhook, signed with the app secret unless a signature is given."""
        raw = body if body is not None else simulator.encode(payload or {})
        sig = signature if signature is not None else simulator.facebook_signature(
            raw, self.settings.facebook_signing_secret)
        return self.client.post("/webhooks/facebook", content=raw,
                                headers={"content-type": "application/json", "x-hub-signature-256": sig})

    def line_text(self, text: str, *, user: str = "citizen-1", **kwargs: Any) -> dict[str, Any]:
        """A LINE text message event from a named citizen."""
        return simulator.line_event(user_id=simulator.line_user_id(user), text=text,
                                    timestamp_ms=int(time.time() * 1000), **kwargs)

    def facebook_text(self, text: str, *, user: str = "psid-1", **kwargs: Any) -> dict[str, Any]:
        """A Facebook Messenger webhook body with one text message."""
        return simulator.facebook_message_event(page_id=PAGE_ID, user_id=user, text=text,
                                                timestamp_ms=int(time.time() * 1000), **kwargs)

    def facebook_comment(self, text: str, *, user: str = "commenter-1", **kwargs: Any) -> dict[str, Any]:
        """A Facebook Page webhook body with one new comment."""
        return simulator.facebook_comment_event(page_id=PAGE_ID, user_id=user, text=text,
                                                timestamp_ms=int(time.time() * 1000), **kwargs)

    # Acting as staff ---------------------------------------------------------------------------------------------
    def add_user(self, email: str, *, role: str, unit: str | None = None, password: str = "correct horse 1") -> str:
        """Create an account directly through the service layer."""
        from accounts.service import create_user

        with self.runtime.db.session() as session:
            create_user(session, email=email, password=password, role=role, unit_code=unit, actor="test")
        return password

    def token(self, email: str, password: str = "correct horse 1") -> dict[str, str]:
        """Authorization header for this user's API token."""
        response = self.client.post("/api/auth/token", data={"username": email, "password": password})
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def wait_until(self, predicate: Any, timeout: float = 30.0, interval: float = 0.05) -> Any:
        """Poll until predicate() returns something truthy; return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise AssertionError("condition not met in time")
