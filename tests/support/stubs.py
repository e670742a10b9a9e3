"""A local HTTP stand-in for the LINE Messaging API and the Facebook Graph API that records what it receives."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class RecordedRequest:
    """One request the stub received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> Any:
        """The body parsed as JSON (LINE) or as a form whose JSON-valued fields are decoded (Graph API)."""
        if self.headers.get("content-type", "").startswith("application/json"):
            return json.loads(self.body)
        form = {k: v[0] for k, v in parse_qs(self.body.decode()).items()}
        for key in ("recipient", "message"):
            if key in form and form[key].startswith("{"):
                form[key] = json.loads(form[key])
        return form

    @property
    def text(self) -> str:
        """The message text sent, whatever the API."""
        data = self.json
        if "messages" in data:  # a Flex message's words are its altText
            return "\n".join(m.get("text") or m.get("altText", "") for m in data["messages"])
        message = data.get("message")
        return message.get("text", "") if isinstance(message, dict) else str(message or "")


def map_tile(path: str) -> bytes:
    """A 256-pixel map tile: land with a road through it (shaded by its coordinates, so tiles differ)."""
    import io

    from PIL import Image, ImageDraw

    seed = sum(ord(c) for c in path) % 24
    tile = Image.new("RGB", (256, 256), (236 - seed, 232, 220))
    draw = ImageDraw.Draw(tile)
    draw.line([(0, 128 + seed), (256, 120 - seed)], fill=(255, 255, 255), width=10)
    draw.line([(120 + seed, 0), (128, 256)], fill=(250, 220, 140), width=6)
    out = io.BytesIO()
    tile.save(out, format="PNG")
    return out.getvalue()


@dataclass
class PlatformStub:
    """Answers like LINE and Graph; can be told to fail the next N calls."""

    server: ThreadingHTTPServer | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    _failures: list[int] = field(default_factory=list)
    _reply_token_used: set[str] = field(default_factory=set)
    # LINE message content (GET /v2/bot/message/{id}/content on api-data): message id -> (content type, bytes).
    contents: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    content_failures: int = 0  # answer the next N content requests with 500
    # LINE Login's ID token check (POST /oauth2/v2.1/verify, used by the LIFF report form): token -> claims.
    id_tokens: dict[str, dict] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, count: int, status: int = 503) -> None:
        """Answer the next `count` calls with this status."""
        with self._lock:
            self._failures.extend([status] * count)

    def stop_failing(self) -> None:
        """Answer normally again (forget the failures still owed)."""
        with self._lock:
            self._failures.clear()

    def sent(self, path_part: str = "") -> list[RecordedRequest]:
        """Successful calls whose path contains path_part."""
        with self._lock:
            return [r for r in self.requests if path_part in r.path and r.status == 200]

    def wait_for(self, predicate: Callable[[list[RecordedRequest]], bool], timeout: float = 30.0) -> list[RecordedRequest]:
        """Wait until predicate(successful requests) is true; return them, or fail with what was seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = self.sent()
            if predicate(current):
                return current
            time.sleep(0.05)
        raise AssertionError(f"stub never saw the expected calls; saw {[(r.method, r.path, r.status) for r in self.requests]}")

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
        if path.endswith("/oauth2/v2.1/verify"):
            form = parse_qs(body.decode())
            claims = self.id_tokens.get((form.get("id_token") or [""])[0])
            status = 200 if claims is not None and (form.get("client_id") or [""])[0] == str(claims.get("aud")) else 400
            with self._lock:
                self.requests.append(RecordedRequest(method, path, headers, body, status))
            return (200, claims) if status == 200 else (400, {"error": "invalid_request",
                                                              "error_description": "Invalid IdToken."})
        with self._lock:
            status = self._failures.pop(0) if self._failures else 200
            if status == 200 and path.endswith("/v2/bot/message/reply"):
                token = json.loads(body).get("replyToken")
                if token in self._reply_token_used:
                    status = 400  # a reply token works once
                self._reply_token_used.add(token)
            self.requests.append(RecordedRequest(method, path, headers, body, status))
        if status != 200:
            if "/v2/bot/" in path or "/v2/bot/richmenu" in path:
                return status, {"message": "Invalid reply token" if status == 400 else "stub failure"}
            return status, {"error": {"message": "stub failure", "type": "OAuthException", "code": 2}}
        if path.endswith("/me/messages"):
            return 200, {"recipient_id": "stub", "message_id": f"m_{len(self.requests)}"}
        if path.endswith("/comments"):
            return 200, {"id": f"reply_{len(self.requests)}"}
        if path.endswith("/v2/bot/message/push") or path.endswith("/v2/bot/message/reply"):
            return 200, {"sentMessages": [{"id": str(len(self.requests)), "quoteToken": "q"}]}
        if path.endswith("/v2/bot/richmenu"):
            return 200, {"richMenuId": f"richmenu-stub{len(self.requests)}"}
        if path.endswith("/me/messenger_profile"):
            return 200, {"result": "success"}
        return 200, {}

    def _content(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str, bytes] | None:
        """LINE's content endpoint: the stored bytes, 404 for an unknown id, 500 while told to fail; Facebook's
        CDN (GET /fbcdn/{name}): the stored bytes without any authorisation, as Facebook's signed URLs are."""
        if method == "GET" and path.startswith("/tiles/"):  # a map tile server for the report form's Leaflet map
            return 200, "image/png", map_tile(path)
        if method == "GET" and path.startswith("/fbcdn/"):
            name = path.split("/")[2]
            with self._lock:
                found = self.contents.get(f"fbcdn/{name}")
                self.requests.append(RecordedRequest(method, path, headers, b"", 200 if found else 404))
            return (200, *found) if found else (404, "text/plain", b"URL signature expired")
        if method != "GET" or not (path.startswith("/v2/bot/message/") and path.endswith("/content")):
            return None
        message_id = path.split("/")[4]
        with self._lock:
            if self.content_failures > 0:
                self.content_failures -= 1
                status = 500
            else:
                status = 200 if message_id in self.contents else 404
            self.requests.append(RecordedRequest(method, path, headers, b"", status))
        if status != 200 or headers.get("authorization", "") == "":
            return status if status != 200 else 401, "application/json", b'{"message":"stub"}'
        content_type, data = self.contents[message_id]
        return 200, content_type, data

    def start(self) -> "PlatformStub":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                path = urlsplit(self.path).path
                headers = {k.lower(): v for k, v in self.headers.items()}
                content = stub._content(self.command, path, headers)
                if content is not None:
                    status, content_type, data = content
                else:
                    status, payload = stub._answer(self.command, path, headers, body)
                    content_type, data = "application/json", json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_GET = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
