"""The web application: webhooks, the officers' inbox, the JSON API, health and metrics."""
from __future__ import annotations

import hmac
import logging

import swagger_ui_bundle
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from slowapi.errors import RateLimitExceeded
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from agency.settings import Settings, get_settings
from fangsiang.jobs import worker_jobs
from fangsiang.runtime import Runtime, build_runtime
from fangsiang.startup import readiness, terminal_progress
from inbox import api as case_api
from inbox import pages as inbox_pages
from inbox.admin import conversation as conversation_pages
from inbox.admin import views as admin_pages
from listeners.base import CitizenMessage
from listeners.ingest import IngestWriter
from listeners.views import WebhookFastPath, webhook_router
from reports import views as report_pages
from reports.cache import stop_builds
from analytics import views as analytics_pages
from channels import registry as channels
from places import views as place_views
from web import signin
from web.deps import LoginRequired
from web.errors import validation_error
from web.headers import HEADERS, SecurityHeaders
from web.request_text import StorableJSONText
from web.security import CSRF_COOKIE, SESSION_COOKIE, FormCSRFMiddleware, limiter
from web.templating import STATIC_DIR, render
from worker.loop import Worker

log = logging.getLogger(__name__)
DOCS_CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; frame-ancestors 'none'")
INGEST_WRITERS = 4  # PostgreSQL: batches committing at once (SQLite has one writer)
PAGE_ERRORS = {404: "ไม่พบหน้านี้", 403: "บัญชีของท่านไม่มีสิทธิ์เข้าถึงหน้านี้", 405: "ไม่สามารถทำรายการนี้ได้"}


def create_app(settings: Settings | None = None, *, run_worker: bool | None = None) -> FastAPI:
    """Build the app; with the in-process worker it also classifies, opens cases and sends replies."""
    settings = settings or get_settings()
    with_worker = settings.fangsiang_in_process_worker if run_worker is None else run_worker

    startup = terminal_progress()  # a first start trains the classifier: its progress, for the log and /readyz

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await run_in_threadpool(lambda: build_runtime(settings, serving=True))
        app.state.runtime = runtime
        # Without a worker in this process and without Redis, nobody reads the in-process queue: a separate
        # `fangsiang worker` on the same database picks new messages up with its sweep instead.
        queued = with_worker or bool(settings.redis_url)
        app.state.ingest = IngestWriter(lambda: runtime.db, writers=1 if runtime.db.is_sqlite else INGEST_WRITERS,
                                        publish=(lambda ids: runtime.queue.publish(ids)) if queued else _unqueued)
        worker = Worker(runtime, jobs=worker_jobs(), progress=startup.report) if with_worker else None
        app.state.worker = worker
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)
            await run_in_threadpool(stop_builds, runtime.db)  # the report pool's threads end with the service
            await run_in_threadpool(app.state.ingest.close)
            runtime.close()

    app = _App(title="Fang Siang ฟังเสียง", lifespan=lifespan, docs_url=None, redoc_url=None,
               openapi_url="/api/openapi.json")
    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret_key, session_cookie=SESSION_COOKIE,
        same_site="lax", https_only=settings.fangsiang_cookie_secure, max_age=12 * 3600,
    )
    app.add_middleware(FormCSRFMiddleware, secret=settings.secret_key, cookie_name=CSRF_COOKIE,
                       cookie_secure=settings.fangsiang_cookie_secure, cookie_samesite="lax")
    app.add_middleware(StorableJSONText)  # NUL in a query, NUL or a lone surrogate in an API body: never a 500
    app.add_middleware(SecurityHeaders)
    limiter.reset()  # each app starts with fresh sign-in counters
    app.state.limiter = limiter

    async def store(messages: Sequence[CitizenMessage]) -> list[int]:
        return await app.state.ingest.store(messages)

    # Every registered channel with a webhook, verifying with the settings' secrets.
    inputs = [adapter.inbound(settings) for adapter in channels.adapters() if adapter.inbound is not None]
    # Outermost, outside FastAPI itself: the platforms' webhook POSTs are answered before the people's middlewares
    # and FastAPI's own per-request work (the same checks as the documented routes).
    app.wrap_outside(WebhookFastPath, settings=settings, store=store, headers=HEADERS, channels=inputs)

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    # Swagger UI from the swagger-ui-bundle package, so the API docs work on an agency's closed network.
    app.mount("/api/docs/assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="api-docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> Response:
        page = get_swagger_ui_html(openapi_url="/api/openapi.json", title="Fang Siang API",
                                   swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/api/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="/api/docs/assets/favicon-32x32.png")
        page.headers["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY  # Swagger UI starts inline
        return page

    for router in (webhook_router(settings=settings, store=store, channels=inputs), signin.router, case_api.router,
                   inbox_pages.router, conversation_pages.router, admin_pages.router, report_pages.router,
                   analytics_pages.router, place_views.router):
        app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(admin_pages.NotAdmin)
    async def not_admin(request: Request, exc: admin_pages.NotAdmin) -> Response:
        return render(request, "error.html", user=exc.args[0], status_code=403,
                      message="หน้านี้สำหรับผู้ดูแลระบบเท่านั้น")

    @app.exception_handler(RateLimitExceeded)
    async def too_many_attempts(request: Request, exc: RateLimitExceeded) -> Response:
        message = "พยายามเข้าสู่ระบบบ่อยเกินไป กรุณารอสักครู่แล้วลองใหม่อีกครั้ง"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=429, headers={"Retry-After": "60"})
        return render(request, "login.html", user=None, next="/inbox", username="", error=message,
                      status_code=429)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_machine_path(request):
            return await http_exception_handler(request, exc)
        message = PAGE_ERRORS.get(exc.status_code, "เกิดข้อผิดพลาด กรุณาลองใหม่อีกครั้ง")
        return render(request, "error.html", user=None, status_code=exc.status_code, message=message)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _is_machine_path(request):
            return validation_error(exc)
        return render(request, "error.html", user=None, status_code=422,
                      message="ที่อยู่หน้าเว็บหรือข้อมูลที่ส่งมาไม่ถูกต้อง กรุณากลับไปที่กล่องเรื่องแล้วลองใหม่")

    @app.exception_handler(OperationalError)
    async def database_unavailable(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", type(exc.orig).__name__ if exc.orig else exc)
        return JSONResponse({"error": "ฐานข้อมูลไม่พร้อมใช้งาน กรุณาลองใหม่อีกครั้ง"}, status_code=503,
                            headers={"Retry-After": "5"})

    @app.get("/healthz", tags=["ops"])
    def healthz(request: Request) -> JSONResponse:
        """Liveness and readiness: the database answers, the worker has loaded the classifier."""
        runtime: Runtime = request.app.state.runtime
        checks: dict[str, str] = {}
        try:
            with runtime.db.read_session() as session:
                session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except OperationalError:
            checks["database"] = "unavailable"
        worker: Worker | None = request.app.state.worker
        if worker is not None:
            checks["worker"] = "ok" if worker.ready.is_set() else "starting"
        healthy = checks["database"] == "ok"
        return JSONResponse({"status": "ok" if healthy else "unavailable", **checks},
                            status_code=200 if healthy else 503)

    @app.get("/readyz", tags=["ops"])
    def readyz(request: Request) -> JSONResponse:
        """Readiness: 503 with what is still loading (database, classifier training, worker), then 200."""
        waiting = readiness(runtime=request.app.state.runtime, worker=request.app.state.worker, progress=startup)
        if waiting:
            return JSONResponse({"status": "starting", "waiting_for": waiting}, status_code=503,
                                headers={"Retry-After": "5"})
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", tags=["ops"])
    def metrics(request: Request) -> Response:
        """Prometheus text format, for a scraper holding FANGSIANG_METRICS_TOKEN (never public)."""
        expected = settings.fangsiang_metrics_token
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not expected:
            return JSONResponse({"detail": "metrics are off: set FANGSIANG_METRICS_TOKEN and scrape with it"},
                                status_code=404)
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return JSONResponse({"detail": "a valid metrics token is required"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


class _App(FastAPI):
    """FastAPI with one ASGI layer outside everything FastAPI does per request (its telemetry check, error and
    body-limit middlewares, then the middleware stack): what that layer answers costs the event loop no more."""

    _outside: ASGIApp | None = None

    def wrap_outside(self, middleware: Callable[..., ASGIApp], **options: Any) -> None:
        """Put this ASGI middleware around the whole application (it hands everything else on to FastAPI)."""
        self._outside = middleware(super().__call__, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._outside is None:
            await super().__call__(scope, receive, send)
        else:
            await self._outside(scope, receive, send)


def _unqueued(message_ids: list[int]) -> None:
    """Leave stored messages to another process's sweep."""
    log.debug("%d messages stored for the separate worker's sweep", len(message_ids))


def _is_machine_path(request: Request) -> bool:
    """API and webhook callers get JSON errors; people in a browser get a Thai page."""
    return request.url.path.startswith(("/api/", "/webhooks/", "/healthz", "/readyz", "/metrics"))
