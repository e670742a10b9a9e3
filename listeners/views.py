"""The webhook endpoints: verify, parse, commit, and only then answer 200."""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import Counter
from starlette.types import ASGIApp, Receive, Scope, Send

from agency.settings import Settings
from listeners import metrics
from listeners.base import CitizenMessage, InputChannel, WebhookRejected, parse_body

log = logging.getLogger(__name__)

# Stores a request's normalised messages durably; returns the ids of those that were new.
Store = Callable[[Sequence[CitizenMessage]], Awaitable[list[int]]]


async def _read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing anything over the limit without reading it all."""
    return await _read_limited(request.headers.get("content-length"), request.receive, limit)


async def _read_limited(declared: str | None, receive: Receive, limit: int) -> bytes:
    """Read an ASGI request body, refusing anything over the limit (declared or sent) without reading it all."""
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise WebhookRejected(413, f"body over {limit} bytes")
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            raise WebhookRejected(400, "the client went away before sending the body")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise WebhookRejected(413, f"body over {limit} bytes")
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def accept(read: Awaitable[bytes], headers: dict[str, str], channel: InputChannel, *,
                 store: Store) -> tuple[int, dict[str, object], dict[str, str]]:
    """Verify and parse a request, store every good event in one transaction, then say what to answer:
    (status, JSON body, extra headers)."""
    try:
        body = await read
        channel.verify(body, headers)
        payload = parse_body(body)
        messages, skipped = channel.messages(payload)
    except WebhookRejected as exc:
        _requests(channel.name, str(exc.status_code)).inc()
        return exc.status_code, {"error": exc.detail}, {}
    try:
        new_ids = await store(messages)
    except Exception:  # not stored: 503 makes LINE/Facebook redeliver, so the event is not lost
        log.exception("could not store a %s webhook; asking the platform to redeliver", channel.name)
        _requests(channel.name, "503").inc()
        return 503, {"error": "storage unavailable, please retry"}, {"Retry-After": "5"}
    stored, duplicates = len(new_ids), len(messages) - len(new_ids)
    _requests(channel.name, "200").inc()
    for result, count in (("stored", stored), ("duplicate", duplicates), ("skipped", skipped)):
        counter = _events(channel.name, result)  # the series exists (at 0) once the channel answered a webhook
        if count:
            counter.inc(count)
    return 200, {"stored": stored, "duplicates": duplicates, "skipped": skipped}, {}


@functools.cache
def _requests(channel: str, status: str) -> Counter:
    """The webhook request counter of this channel and status (prometheus_client's labels() takes a lock and
    builds its key on every call: each webhook counted four times paid more for that than for its signature check)."""
    return metrics.WEBHOOK_REQUESTS.labels(channel=channel, status=status)


@functools.cache
def _events(channel: str, result: str) -> Counter:
    """The webhook event counter of this channel and result."""
    return metrics.WEBHOOK_EVENTS.labels(channel=channel, result=result)


async def receive(request: Request, channel: InputChannel, *, store: Store, max_body_bytes: int) -> JSONResponse:
    """Verify and parse the request, store every good event in one transaction, then acknowledge."""
    status, content, headers = await accept(_read_body(request, max_body_bytes),
                                            {k.lower(): v for k, v in request.headers.items()}, channel, store=store)
    return JSONResponse(content, status_code=status, headers=headers)


class WebhookFastPath:
    """ASGI middleware answering the platforms' POSTs to /webhooks/<channel> (line, facebook) itself.

    Platforms deliver in bursts and give up after a few seconds, so their requests skip what only people's requests
    need (sessions, CSRF, form checks, page error handlers, FastAPI's routing and dependency solving; the service
    puts it outside FastAPI itself, so also FastAPI's telemetry check, error and body-limit middlewares). They take
    the same `accept` as the documented routes of `webhook_router`, and are still answered only after the commit.
    """

    def __init__(self, app: ASGIApp, *, settings: Settings, store: Store, headers: dict[str, str],
                 channels: Sequence[InputChannel]) -> None:
        self.app = app
        self._store = store
        self._limit = settings.fangsiang_max_body_bytes
        self._channels = {f"/webhooks/{channel.name}": channel for channel in channels}
        self._headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        channel = self._channels.get(scope["path"]) if scope["type"] == "http" else None
        if channel is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        status, content, extra = await accept(_read_limited(headers.get("content-length"), receive, self._limit),
                                              headers, channel, store=self._store)
        body = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *self._headers,
            *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in extra.items())]})
        await send({"type": "http.response.body", "body": body})


def webhook_router(*, settings: Settings, store: Store, channels: Sequence[InputChannel]) -> APIRouter:
    """Each channel's webhook, POST /webhooks/<name> (and GET for its subscription check, when it has one), storing
    through `store`."""
    router = APIRouter(prefix="/webhooks", tags=["webhooks"])
    limit = settings.fangsiang_max_body_bytes
    for channel in channels:
        _add_webhook(router, channel, store=store, limit=limit)
    return router


def _add_webhook(router: APIRouter, channel: InputChannel, *, store: Store, limit: int) -> None:
    """The channel's routes: its events in, and the platform's subscription check when it has one."""
    name = channel.name

    async def webhook(request: Request) -> JSONResponse:
        return await receive(request, channel, store=store, max_body_bytes=limit)

    router.add_api_route(f"/{name}", webhook, methods=["POST"], summary=channel.summary,
                         description=f"Receive {channel.summary or name} events.", name=f"{name}_webhook",
                         operation_id=f"{name}_webhook_webhooks_{name}_post")
    if not channel.handshake_params:
        return

    async def handshake(request: Request) -> PlainTextResponse:
        try:
            return PlainTextResponse(channel.handshake(request.query_params))
        except WebhookRejected as exc:
            return PlainTextResponse(exc.detail, status_code=exc.status_code)

    router.add_api_route(
        f"/{name}", handshake, methods=["GET"], response_class=PlainTextResponse, name=f"{name}_handshake",
        summary=f"{channel.summary or name}: subscription check",
        description="Echo the challenge when the token matches.",
        operation_id=f"{name}_handshake_webhooks_{name}_get",
        openapi_extra={"parameters": [{"name": p, "in": "query", "required": False, "schema": {"type": "string"}}
                                      for p in channel.handshake_params]})
