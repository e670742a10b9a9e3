"""Request text no database can store: NUL characters are dropped from every query string (a search for a%00b is a
search for ab), and from officers' URL-encoded forms; an API JSON body holding NUL or a lone UTF-16 surrogate gets a
clear 422."""
from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.errors import AsciiJSONResponse

MAX_CHECKED_BYTES = 1_000_000  # larger bodies are left to the endpoint's own limits
UNSTORABLE = "ข้อความมีอักขระพิเศษที่ระบบบันทึกไม่ได้ กรุณาลบอักขระนั้นออกแล้วลองใหม่อีกครั้ง"


def unstorable_text(value: Any) -> bool:
    """Whether a JSON value holds a string (or key) with NUL or a lone surrogate."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item or not item.isascii() and _has_surrogate(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False



def replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the already-read body downstream once, then the connection's own messages."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay

class StorableJSONText:
    """ASGI middleware: NUL dropped from query strings and forms; API JSON with NUL or a lone surrogate → 422 in Thai."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (b"%00" in scope["query_string"] or b"\x00" in scope["query_string"]):
            scope = {**scope, "query_string": scope["query_string"].replace(b"%00", b"").replace(b"\x00", b"")}
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        kind = headers.get("content-type", "")
        form = kind.startswith("application/x-www-form-urlencoded")
        api_json = "json" in kind and scope["path"].startswith("/api/")
        if not (form or api_json) or (declared.isdigit() and int(declared) > MAX_CHECKED_BYTES):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if form:  # an officer's form: NUL dropped, as in query strings
            body = body.replace(b"%00", b"").replace(b"\x00", b"")
            data = None
        else:
            data = _json(body)
        if data is not None and unstorable_text(data):
            await AsciiJSONResponse({"detail": UNSTORABLE}, status_code=422)(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)


def _json(body: bytes) -> Any:
    """The body as JSON, or None when it is not (the endpoint answers its own 422)."""
    try:
        return json.loads(body)
    except ValueError:
        return None
