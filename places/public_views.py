"""The public side of places: the web report form (`GET|POST /report`, also inside LINE as a LIFF app), the case's
public status page (`GET /t/{ticket}?k={token}`) with its photos, and the Open311 GeoReport v2 read API."""
from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from agency.vocabulary import OPEN_STATUSES
from places import liff, public, report
from places.config import config_for
from places.flood import take_report_slot
from places.models import AfterPhoto, CasePlace
from places.photos import PhotoError, clean_photo
from runtime import Runtime
from storage.models import Case, Message, utcnow
from web.deps import ReadSessionDep, ReadSessions, RuntimeDep, SessionDep
from web.headers import CONTENT_SECURITY_POLICY
from web.templating import render

router = APIRouter(include_in_schema=True)
STATIC = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".txt": "text/plain"}
TICKET = r"^[A-Za-z0-9-]{3,32}$"
WAIT_FOR_TICKET = 20.0  # seconds the form waits for the worker to open the case before showing a waiting page
OPEN311_LIMIT = 1000


# ---- the report form


def _form_page(request: Request, runtime: Runtime, *, error: str | None = None,
               values: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    """The report form, with the map tiles' host allowed in the page's content security policy."""
    settings = runtime.settings
    page = render(request, "places/report.html", user=None, status_code=status_code, error=error,
                  values=values or {}, categories=runtime.agency.complaint_categories, agency=runtime.agency,
                  tiles_url=settings.fangsiang_map_tiles_url, attribution=settings.fangsiang_map_attribution,
                  liff_id=settings.line_liff_id, area=config_for(settings).area,
                  max_photo_mb=settings.fangsiang_media_max_bytes // 1_000_000)
    return with_tiles_policy(page, settings.fangsiang_map_tiles_url)


def with_tiles_policy(page: Response, tiles_url: str) -> Response:
    """The page's content security policy, with the map tiles' host allowed for images."""
    tiles = _origin(tiles_url)
    if tiles:
        page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace("img-src 'self' data:",
                                                                                  f"img-src 'self' data: {tiles}")
    return page


def _origin(url: str) -> str:
    """The scheme and host of a tile URL template ({s} subdomains as a wildcard), or ""."""
    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return ""
    host = parts.netloc.replace("a.", "*.", 1) if "{s}." in url else parts.netloc
    return f"{parts.scheme}://{host}"


@router.get("/report", summary="The web report form (Thai, phone-first)", include_in_schema=False)
def report_form(request: Request, runtime: RuntimeDep) -> Response:
    """Text, category, up to 3 photos, a map pin or "use my location" or a typed address, contact, PDPA consent."""
    return _form_page(request, runtime)


@router.post("/report", summary="File a report: 303 to its public status page, or {ticket, status_url} as JSON",
             tags=["places"])
async def report_post(request: Request, runtime: RuntimeDep, session: SessionDep, reads: ReadSessions) -> Response:
    """multipart: text, category, lat, lon, photo ×0–3, contact, consent (and address, id_token inside LINE)."""
    settings = runtime.settings
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        form = await request.form(max_files=report.MAX_PHOTOS + 1, max_fields=30)
    except Exception:  # a malformed or oversized multipart body
        return _refuse(request, runtime, "ข้อมูลที่ส่งมาไม่ถูกต้อง กรุณาลองส่งใหม่อีกครั้งค่ะ", wants_json, {}, 400)
    values = {k: _text(form.get(k)) for k in ("text", "category", "lat", "lon", "address", "contact", "consent")}
    try:
        photos = [await _photo(upload, max_bytes=settings.fangsiang_media_max_bytes)
                  for upload in form.getlist("photo") if isinstance(upload, UploadFile) and upload.filename]
        filed = report.Report(
            text=values["text"], category=values["category"], lat=_coordinate(values["lat"]),
            lon=_coordinate(values["lon"]), address=values["address"], contact=values["contact"],
            consent=values["consent"].lower() in ("yes", "on", "true", "1"), photos=tuple(photos))
        report.check(filed, agency=runtime.agency, places=config_for(settings))
        id_token = _text(form.get("id_token"))
        if id_token:
            filed = await run_in_threadpool(_with_line_identity, filed, id_token, runtime)
    except (report.ReportError, PhotoError) as exc:
        return _refuse(request, runtime, str(exc), wants_json, values, 413 if "ใหญ่เกินไป" in str(exc) else 422)
    finally:
        await form.close()
    address = request.client.host if request.client else "unknown"
    if not await run_in_threadpool(partial(take_report_slot, runtime.db, secret=settings.secret_key, address=address,
                                           limit=settings.fangsiang_report_per_hour, now=utcnow())):
        return _refuse(request, runtime, "ท่านส่งเรื่องบ่อยเกินไป กรุณารอสักครู่แล้วลองใหม่อีกครั้งค่ะ", wants_json, values, 429)
    message_id = await run_in_threadpool(_store, runtime, session, filed)
    ticket = await run_in_threadpool(_wait_for_ticket, reads, message_id)
    if ticket is None:
        pending = f"/report/pending/{message_id}?k={_pending_token(runtime, message_id)}"
        if wants_json:
            return JSONResponse({"ticket": None, "status_url": str(request.base_url).rstrip("/") + pending},
                                status_code=202)
        return RedirectResponse(pending, status_code=303)
    path = public.status_path(secret=settings.secret_key, ticket=ticket)
    if wants_json:
        return JSONResponse({"ticket": ticket, "status_url": str(request.base_url).rstrip("/") + path}, status_code=201)
    return RedirectResponse(path, status_code=303)


def _refuse(request: Request, runtime: Runtime, message: str, wants_json: bool, values: dict[str, Any],
            status_code: int) -> Response:
    """A Thai refusal: JSON for machines, the form again with what was typed for people."""
    if wants_json:
        return JSONResponse({"detail": message}, status_code=status_code)
    return _form_page(request, runtime, error=message, values=values, status_code=status_code)


def _text(value: object) -> str:
    """A form field as storable text (no NUL, no lone surrogate), "" when absent or a file."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8").strip()


def _coordinate(value: str) -> float | None:
    """A latitude or longitude typed or pinned; None when empty; ReportError when not a number."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise report.ReportError("ตำแหน่งไม่ถูกต้อง กรุณาปักหมุดใหม่อีกครั้งค่ะ") from exc


async def _photo(upload: UploadFile, *, max_bytes: int):  # type: ignore[no-untyped-def]
    """One uploaded photo, read within the limit, checked and stripped."""
    raw = await upload.read(max_bytes + 1)
    return await run_in_threadpool(clean_photo, raw, max_bytes=max_bytes)


def _with_line_identity(filed: report.Report, id_token: str, runtime: Runtime) -> report.Report:
    """The report linked to the LINE user the ID token belongs to (the LIFF app's channel), or ReportError."""
    settings = runtime.settings
    if not settings.line_liff_id:
        raise report.ReportError("ระบบยังไม่ได้เปิดใช้การแจ้งเรื่องผ่าน LINE กรุณาส่งแบบฟอร์มโดยไม่เข้าสู่ระบบ LINE ค่ะ")
    try:
        who = liff.verify_id_token(id_token, liff_id=settings.line_liff_id, api_base_url=settings.line_api_base_url)
    except liff.LiffError as exc:
        raise report.ReportError("ยืนยันตัวตนกับ LINE ไม่สำเร็จ กรุณาเปิดแบบฟอร์มจาก LINE อีกครั้งค่ะ") from exc
    return report.Report(**{**filed.__dict__, "line_user_id": who.user_id, "line_name": who.name})


def _store(runtime: Runtime, session: Session, filed: report.Report) -> int:
    """Store the report in the request's transaction, committed here so the worker can see it (its photo files
    removed if it fails: nothing is kept half), and queue it for the worker."""
    written: list[Path] = []
    try:
        message, written = report.store(session, report=filed, data_dir=runtime.settings.data_dir, now=utcnow(),
                                        area=config_for(runtime.settings).area)
        message_id = message.id
        session.commit()
    except Exception:
        session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise
    try:
        runtime.queue.publish([message_id])
    except Exception:  # the worker's sweep finds stored messages that were never queued
        pass
    return message_id


def _ticket_of(session: Session, message_id: int) -> str | None:
    """The ticket of the case the worker opened for the report, if it has."""
    return session.scalar(select(Case.ticket).join(Message, Message.case_id == Case.id).where(Message.id == message_id))


def _wait_for_ticket(reads: Callable[[], AbstractContextManager[Session]], message_id: int, *, timeout: float = WAIT_FOR_TICKET) -> str | None:
    """The report's ticket once the worker has opened its case, looked up in a fresh read session each time (None
    after the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        with reads() as session:
            ticket = _ticket_of(session, message_id)
        if ticket or time.monotonic() > deadline:
            return ticket
        time.sleep(0.2)


def _pending_token(runtime: Runtime, message_id: int) -> str:
    """The token of a report's waiting page."""
    return public.status_token(secret=runtime.settings.secret_key, ticket=f"report-{message_id}")


@router.get("/report/pending/{message_id}", include_in_schema=False)
def report_pending(request: Request, runtime: RuntimeDep, session: ReadSessionDep, message_id: int,
                   k: str = "") -> Response:
    """While the worker opens the case: a page that looks again every few seconds, then goes to the status page."""
    if not public.token_matches(secret=runtime.settings.secret_key, ticket=f"report-{message_id}", token=k):
        raise HTTPException(404)
    ticket = _ticket_of(session, message_id)
    if ticket:
        return RedirectResponse(public.status_path(secret=runtime.settings.secret_key, ticket=ticket), status_code=303)
    page = render(request, "places/pending.html", user=None)
    page.headers["Refresh"] = "3"
    return page


@router.get("/places/static/{name:path}", include_in_schema=False)
def places_static(name: str) -> Response:
    """The form's own script and the vendored Leaflet files (no CDN)."""
    path = (STATIC / name).resolve()
    if STATIC not in path.parents or not path.is_file() or path.suffix not in STATIC_TYPES:
        raise HTTPException(404)
    return FileResponse(path, media_type=STATIC_TYPES[path.suffix], headers={"Cache-Control": "public, max-age=3600"})


# ---- the public status page


def _public_case_or_404(runtime: Runtime, session: Session, ticket: str, token: str) -> Case:
    """The case of a status link whose token is right; 404 (the same for a wrong token and an unknown ticket)."""
    if not public.token_matches(secret=runtime.settings.secret_key, ticket=ticket, token=token):
        raise HTTPException(404)
    case = public.find_case(session, ticket=ticket)
    if case is None:
        raise HTTPException(404)
    return case


@router.get("/t/{ticket}", summary="A case's public status page", include_in_schema=False)
def status_page(request: Request, runtime: RuntimeDep, session: ReadSessionDep, ticket: str, k: str = "") -> Response:
    """Timeline, unit, deadline, the officers' answers and photos; nothing personal."""
    case = _public_case_or_404(runtime, session, ticket, k)
    shown = public.public_case(session, case=case, agency=runtime.agency)
    page = render(request, "places/status.html", user=None, case=shown, token=k, agency=runtime.agency)
    page.headers["Referrer-Policy"] = "no-referrer"  # the token stays in this page's address only
    page.headers["Cache-Control"] = "no-store"
    return page


@router.get("/t/{ticket}/photos/{media_id}", include_in_schema=False)
def status_photo(runtime: RuntimeDep, session: ReadSessionDep, ticket: str, media_id: int, k: str = "") -> Response:
    """One of the case's citizen photos, re-encoded without EXIF."""
    case = _public_case_or_404(runtime, session, ticket, k)
    media = next((m for m in public.public_photos(session, case_id=case.id) if m.id == media_id), None)
    path = _media_file(runtime, media.path if media else None)
    return _jpeg_without_exif(path)


@router.get("/t/{ticket}/after/{photo_id}", include_in_schema=False)
def status_after_photo(runtime: RuntimeDep, session: ReadSessionDep, ticket: str, photo_id: int,
                       k: str = "") -> Response:
    """One of the officers' after-photos of the case (or of the case it was merged into), re-encoded without EXIF."""
    case = _public_case_or_404(runtime, session, ticket, k)
    after = session.get(AfterPhoto, photo_id) if 0 < photo_id < 2**31 else None
    mine = after is not None and after.case_id in public.after_photo_holders(session, case_id=case.id)
    path = _media_file(runtime, after.path if mine else None)
    return _jpeg_without_exif(path)


def _jpeg_without_exif(path: Path | None) -> Response:
    """A stored picture as a fresh JPEG (nothing of its metadata), or 404."""
    if path is None:
        raise HTTPException(404)
    try:
        with Image.open(path) as image:
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=85)
    except OSError as exc:
        raise HTTPException(404) from exc
    return Response(out.getvalue(), media_type="image/jpeg",
                    headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


def _media_file(runtime: Runtime, relative: str | None) -> Path | None:
    """A stored file, inside the data directory's media folder."""
    if not relative:
        return None
    root = (runtime.settings.data_dir / "media").resolve()
    path = (runtime.settings.data_dir / relative).resolve()
    return path if root in path.parents and path.is_file() else None


# ---- the opt-in public map (`[places] public_map = true`)


def _public_map_on(runtime: Runtime) -> None:
    """404 unless the agency opted in to the public map."""
    if not config_for(runtime.settings).public_map:
        raise HTTPException(404)


@router.get("/map", include_in_schema=False)
def public_map(request: Request, runtime: RuntimeDep, session: ReadSessionDep) -> Response:
    """Open and resolved problems by category on a map (Leaflet; tiles from the configured URL, markers on a plain
    background without them) and as counts; it reads its points from /map/problems.json."""
    _public_map_on(runtime)
    problems = public.public_map_problems(session, agency=runtime.agency, now=utcnow())
    settings = runtime.settings
    page = render(request, "places/public_map.html", user=None, agency=runtime.agency,
                  counts=public.public_map_counts(problems, agency=runtime.agency), total=len(problems),
                  tiles_url=settings.fangsiang_map_tiles_url, attribution=settings.fangsiang_map_attribution,
                  area=config_for(settings).area, days=public.PUBLIC_MAP_DAYS)
    return with_tiles_policy(page, settings.fangsiang_map_tiles_url)


@router.get("/map/problems.json", tags=["places"], summary="The public map's problems (opt-in; no personal data)")
def public_map_feed(runtime: RuntimeDep, session: ReadSessionDep) -> JSONResponse:
    """`problems`: category, state (open | resolved), the day reported and the place rounded to about 110 m; 404
    unless the agency opted in."""
    _public_map_on(runtime)
    problems = public.public_map_problems(session, agency=runtime.agency, now=utcnow())
    return JSONResponse({"problems": problems, "resolved_within_days": public.PUBLIC_MAP_DAYS,
                         "counts": public.public_map_counts(problems, agency=runtime.agency)})


# ---- Open311 GeoReport v2 (read)


def _open311_error(status_code: int, description: str) -> JSONResponse:
    """GeoReport v2's error shape: a list of {code, description}."""
    return JSONResponse([{"code": status_code, "description": description}], status_code=status_code)


@router.get("/open311/v2/services.json", tags=["open311"], summary="GeoReport v2: the kinds of problems")
def open311_services(runtime: RuntimeDep) -> JSONResponse:
    """The agency's complaint categories as services."""
    return JSONResponse(public.open311_services(runtime.agency))


@router.get("/open311/v2/requests.json", tags=["open311"], summary="GeoReport v2: complaints (public data)")
def open311_requests(runtime: RuntimeDep, session: ReadSessionDep, service_request_id: str = "",
                     service_code: str = "", status: str = "", start_date: str = "", end_date: str = "",
                     limit: int = Query(default=OPEN311_LIMIT, ge=1, le=OPEN311_LIMIT)) -> JSONResponse:
    """Complaints, newest first; filters as the spec names them (ids comma-separated; status open|closed)."""
    query = select(Case).where(Case.intent == "complaint")
    if status and status not in ("open", "closed"):
        return _open311_error(400, "status must be open or closed")
    try:
        start = dt.datetime.fromisoformat(start_date.replace("Z", "+00:00")) if start_date else None
        end = dt.datetime.fromisoformat(end_date.replace("Z", "+00:00")) if end_date else None
    except ValueError:
        return _open311_error(400, "start_date and end_date must be ISO 8601 with a time zone")
    if any(d is not None and d.tzinfo is None for d in (start, end)):
        return _open311_error(400, "start_date and end_date must carry a time zone")
    if service_request_id:
        query = query.where(Case.ticket.in_([t.strip() for t in service_request_id.split(",") if t.strip()][:100]))
    if status:
        open_now = Case.status.in_(OPEN_STATUSES)
        query = query.where(open_now if status == "open" else ~open_now)
    if start is not None:
        query = query.where(Case.created_at >= start)
    if end is not None:
        query = query.where(Case.created_at <= end)
    codes = {c.strip() for c in service_code.split(",") if c.strip()}
    out = []
    for case in session.scalars(query.order_by(Case.id.desc()).limit(limit * (4 if codes else 1))):
        item = _open311_item(session, case, runtime)
        if not codes or item["service_code"] in codes:
            out.append(item)
        if len(out) >= limit:
            break
    return JSONResponse(out)


@router.get("/open311/v2/requests/{service_request_id}.json", tags=["open311"],
            summary="GeoReport v2: one complaint by its ticket")
def open311_request(runtime: RuntimeDep, session: ReadSessionDep, service_request_id: str) -> JSONResponse:
    """A list with the one request, as the spec answers; 404 in its error shape (also for what is no ticket)."""
    if not re.fullmatch(TICKET, service_request_id):
        return _open311_error(404, "no such service request")
    case = public.find_case(session, ticket=service_request_id)
    if case is None or case.intent != "complaint":
        return _open311_error(404, "no such service request")
    return JSONResponse([_open311_item(session, case, runtime)])


def _open311_item(session: Session, case: Case, runtime: Runtime) -> dict:
    """One case as a GeoReport v2 request."""
    place = session.get(CasePlace, case.id)
    shown = public.public_case(session, case=case, agency=runtime.agency)
    category = (place.category if place and place.category else None) or runtime.agency.complaint_category(
        " ".join([case.summary or "", *(str(t) for t in case.topics or ())]))
    return public.open311_request(shown, category_code=category, agency=runtime.agency)
