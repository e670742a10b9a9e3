"""The web application: webhooks, the officers' inbox, the JSON API, health and metrics."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from slowapi.errors import RateLimitExceeded
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from inbox.auth import views as auth_views
from inbox.cases import views as case_views
from inbox.runtime import Runtime, build_runtime
from inbox.admin import views as admin_pages
from inbox.web import pages
from inbox.web.security import CSRF_COOKIE, SESSION_COOKIE, FormCSRFMiddleware, limiter
from inbox.web.templating import render
from inbox.worker import Worker
from listeners import views as webhook_views
from storage.ingest import IngestWriter
from storage.settings import Settings, get_settings

log = logging.getLogger(__name__)
PAGE_ERRORS = {404: "ไม่พบหน้านี้", 403: "บัญชีของท่านไม่มีสิทธิ์เข้าถึงหน้านี้", 405: "ไม่สามารถทำรายการนี้ได้"}
STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None, *, run_worker: bool | None = None) -> FastAPI:
    """Build the app; with the in-process worker it also classifies, opens cases and sends replies."""
    settings = settings or get_settings()
    with_worker = settings.fangsiang_in_process_worker if run_worker is None else run_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await run_in_threadpool(build_runtime, settings)
        app.state.runtime = runtime
        # Without a worker in this process and without Redis, nobody reads the in-process queue: a separate
        # `fangsiang worker` on the same database picks new messages up with its sweep instead.
        queued = with_worker or bool(settings.redis_url)
        app.state.ingest = IngestWriter(lambda: runtime.db,
                                        publish=(lambda ids: runtime.queue.publish(ids)) if queued else _unqueued)
        worker = Worker(runtime) if with_worker else None
        app.state.worker = worker
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)
            await run_in_threadpool(app.state.ingest.close)
            runtime.close()

    app = FastAPI(title="Fang Siang ฟังเสียง", lifespan=lifespan, docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret_key, session_cookie=SESSION_COOKIE,
        same_site="lax", https_only=settings.fangsiang_cookie_secure, max_age=12 * 3600,
    )
    app.add_middleware(FormCSRFMiddleware, secret=settings.secret_key, cookie_name=CSRF_COOKIE,
                       cookie_secure=settings.fangsiang_cookie_secure, cookie_samesite="lax")
    limiter.reset()  # each app starts with fresh sign-in counters
    app.state.limiter = limiter
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(webhook_views.router)
    app.include_router(auth_views.router)
    app.include_router(case_views.router)
    app.include_router(pages.router)
    app.include_router(admin_pages.router)

    @app.exception_handler(pages.LoginRequired)
    async def login_required(request: Request, exc: pages.LoginRequired) -> RedirectResponse:
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
            return await request_validation_exception_handler(request, exc)
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
            with runtime.db.session() as session:
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

    @app.get("/metrics", tags=["ops"])
    def metrics() -> Response:
        """Prometheus text format."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def _unqueued(message_ids: list[int]) -> None:
    """Leave stored messages to another process's sweep."""
    log.debug("%d messages stored for the separate worker's sweep", len(message_ids))


def _is_machine_path(request: Request) -> bool:
    """API and webhook callers get JSON errors; people in a browser get a Thai page."""
    return request.url.path.startswith(("/api/", "/webhooks/", "/healthz", "/metrics"))
