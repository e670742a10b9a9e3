"""CSRF protection for every cookie-authenticated form (starlette-csrf) and rate-limited sign-in (slowapi)."""
from __future__ import annotations

import http.cookies
from typing import Any
from urllib.parse import parse_qs

from itsdangerous import BadSignature
from slowapi import Limiter
from slowapi.util import get_remote_address
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_csrf import CSRFMiddleware

from accounts.service import user_id_from_token
from web.request_text import replaying

SESSION_COOKIE = "fangsiang_session"
CSRF_COOKIE = "fangsiang_csrf"
CSRF_FIELD = "csrf_token"
MAX_FORM_BYTES = 256 * 1024
# Per client address; each account is also throttled on its own failures (accounts.throttle), so the address limit
# can let a whole office behind one address sign in.
LOGIN_LIMIT = "60/minute"
TOKEN_LIMIT = "60/minute"

limiter = Limiter(key_func=get_remote_address)


class FormCSRFMiddleware(CSRFMiddleware):
    """starlette-csrf (double-submit cookie), also reading the token from an HTML form's `csrf_token` field.

    Checked on every unsafe request except: webhooks (signed by the platform), requests carrying a VALID bearer
    token (API clients; a browser cannot add one cross-site — an invalid one does not excuse the check), the token
    endpoint, and API calls without the session cookie (nothing ambient to abuse). The sign-in form is protected.
    """

    def __init__(self, app: ASGIApp, *, secret: str, **options: Any) -> None:
        super().__init__(app, secret=secret, **options)
        self._token_secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(("/webhooks/", "/healthz", "/readyz", "/metrics")):
            await self.app(scope, receive, send)  # machine endpoints: no cookies, no forms
            return
        request = Request(scope)
        cookie = request.cookies.get(self.cookie_name)
        valid_cookie = cookie is not None and self._is_valid(cookie)
        scope["csrf_token"] = cookie if valid_cookie else self._generate_csrf_token()
        if self._needs_check(request):
            submitted = request.headers.get(self.header_name)
            body: bytes | None = b""  # a token in the header needs no body read (uploads larger than a form)
            if not submitted:
                receive, body = await _buffered(receive, headers=request.headers)
                submitted = _form_field(body, request.headers, CSRF_FIELD)
            if body is None or not valid_cookie or not submitted or not self._csrf_tokens_match(cookie, submitted):
                await self._get_error_response(request)(scope, receive, send)
                return
        await self.app(scope, receive, self._with_cookie(send, scope, set_cookie=not valid_cookie))

    def _needs_check(self, request: Request) -> bool:
        """Whether this request must carry the CSRF token."""
        path = request.url.path
        if request.method in self.safe_methods or path.startswith("/webhooks/") or path == "/api/auth/token":
            return False
        if path == "/report":  # the public report form: anonymous (no cookie grants anything), multipart with photos
            return False
        if self._valid_bearer(request.headers.get("authorization", "")):
            return False
        return not (path.startswith("/api/") and SESSION_COOKIE not in request.cookies)

    def _valid_bearer(self, header: str) -> bool:
        """Whether the Authorization header carries a bearer token we signed, unexpired."""
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and user_id_from_token(token.strip(), secret=self._token_secret) is not None

    def _is_valid(self, token: str) -> bool:
        """Whether a token was signed by us."""
        try:
            self.serializer.loads(token)
        except BadSignature:
            return False
        return True

    def _with_cookie(self, send: Send, scope: Scope, *, set_cookie: bool) -> Send:
        """Set the CSRF cookie (the token the page's forms carry) on the response when the browser lacks it."""
        async def wrapped(message: Message) -> None:
            if set_cookie and message["type"] == "http.response.start":
                cookie: http.cookies.BaseCookie = http.cookies.SimpleCookie()
                cookie[self.cookie_name] = scope["csrf_token"]
                cookie[self.cookie_name]["path"] = self.cookie_path
                cookie[self.cookie_name]["samesite"] = self.cookie_samesite
                cookie[self.cookie_name]["httponly"] = True
                if self.cookie_secure:
                    cookie[self.cookie_name]["secure"] = True
                MutableHeaders(scope=message).append("set-cookie", cookie.output(header="").strip())
            await send(message)
        return wrapped

    def _get_error_response(self, request: Request) -> Response:
        """A Thai page (or JSON for the API) asking the officer to reload and try again."""
        text = "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"
        if request.url.path.startswith("/api/"):
            return PlainTextResponse(text, status_code=403)
        return HTMLResponse(
            f'<!doctype html><html lang="th"><meta charset="utf-8"><title>ไม่สามารถดำเนินการได้</title>'
            f'<link rel="stylesheet" href="/static/app.css"><main class="narrow"><div class="alert error" '
            f'role="alert">{text}</div><p><a href="javascript:history.back()">ย้อนกลับ</a></p></main></html>',
            status_code=403,
        )


async def _buffered(receive: Receive, *, headers: Headers) -> tuple[Receive, bytes | None]:
    """Read the request body and a receive that replays it downstream; None (refused) past MAX_FORM_BYTES."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return receive, None
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return receive, None  # stop reading: nobody signed in needs to send more than this
        chunks.append(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    return replaying(body, receive), body


def _form_field(body: bytes | None, headers: Headers, name: str) -> str | None:
    """One field of a URL-encoded form body."""
    if not body or not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    values = parse_qs(body.decode("utf-8", errors="replace")).get(name)
    return values[0] if values else None
