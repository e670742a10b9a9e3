"""The webhook endpoints: verify, parse, commit, and only then answer 200."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from agency.settings import Settings
from listeners import metrics
from listeners.base import CitizenMessage, InputChannel, WebhookRejected, parse_body
from listeners.facebook import FacebookChannel
from listeners.line import LineChannel

log = logging.getLogger(__name__)

# Stores a request's normalised messages durably; returns the ids of those that were new.
Store = Callable[[Sequence[CitizenMessage]], Awaitable[list[int]]]


async def _read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing anything over the limit without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise WebhookRejected(413, f"body over {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise WebhookRejected(413, f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def receive(request: Request, channel: InputChannel, *, store: Store, max_body_bytes: int) -> JSONResponse:
    """Verify and parse the request, store every good event in one transaction, then acknowledge."""
    try:
        body = await _read_body(request, max_body_bytes)
        channel.verify(body, {k.lower(): v for k, v in request.headers.items()})
        payload = parse_body(body)
        messages, skipped = channel.messages(payload)
    except WebhookRejected as exc:
        metrics.WEBHOOK_REQUESTS.labels(channel=channel.name, status=str(exc.status_code)).inc()
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    try:
        new_ids = await store(messages)
    except Exception:  # not stored: 503 makes LINE/Facebook redeliver, so the event is not lost
        log.exception("could not store a %s webhook; asking the platform to redeliver", channel.name)
        metrics.WEBHOOK_REQUESTS.labels(channel=channel.name, status="503").inc()
        return JSONResponse({"error": "storage unavailable, please retry"}, status_code=503,
                            headers={"Retry-After": "5"})
    metrics.WEBHOOK_REQUESTS.labels(channel=channel.name, status="200").inc()
    metrics.WEBHOOK_EVENTS.labels(channel=channel.name, result="stored").inc(len(new_ids))
    metrics.WEBHOOK_EVENTS.labels(channel=channel.name, result="duplicate").inc(len(messages) - len(new_ids))
    metrics.WEBHOOK_EVENTS.labels(channel=channel.name, result="skipped").inc(skipped)
    return JSONResponse({"stored": len(new_ids), "duplicates": len(messages) - len(new_ids), "skipped": skipped})




def webhook_router(*, settings: Settings, store: Store) -> APIRouter:
    """The LINE and Facebook webhook endpoints, verifying with the settings' secrets and storing through `store`."""
    router = APIRouter(prefix="/webhooks", tags=["webhooks"])
    limit = settings.fangsiang_max_body_bytes
    facebook = FacebookChannel(app_secret=settings.facebook_signing_secret,
                               verify_token=settings.facebook_verify_token)
    line = LineChannel(channel_secret=settings.line_signing_secret)

    @router.post("/line", summary="LINE Messaging API webhook")
    async def line_webhook(request: Request) -> JSONResponse:
        """Receive LINE events."""
        return await receive(request, line, store=store, max_body_bytes=limit)

    @router.get("/facebook", summary="Facebook webhook verification", response_class=PlainTextResponse)
    async def facebook_handshake(
        mode: str | None = Query(None, alias="hub.mode"),
        token: str | None = Query(None, alias="hub.verify_token"),
        challenge: str | None = Query(None, alias="hub.challenge"),
    ) -> PlainTextResponse:
        """Echo hub.challenge when the verify token matches."""
        try:
            return PlainTextResponse(facebook.handshake(mode=mode, token=token, challenge=challenge))
        except WebhookRejected as exc:
            return PlainTextResponse(exc.detail, status_code=exc.status_code)

    @router.post("/facebook", summary="Facebook Page webhook (Messenger and Page comments)")
    async def facebook_webhook(request: Request) -> JSONResponse:
        """Receive Facebook Page events."""
        return await receive(request, facebook, store=store, max_body_bytes=limit)

    return router
