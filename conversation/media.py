"""Photos, videos and files citizens send: noted by the worker, fetched from where their channel says (LINE's content
endpoint, a Facebook attachment URL while it is valid: `channels/<name>/media.py`) with a size limit, kept under the
data directory, retried later on failure."""
from __future__ import annotations

import datetime as dt
import logging
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels import registry as channels
from conversation.models import MediaFile
from storage.models import Message, utcnow

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)

MEDIA_KINDS = ("image", "video", "audio", "file")
MAX_ATTEMPTS = 8
RETRY_BASE = dt.timedelta(seconds=1)
RETRY_CAP = dt.timedelta(hours=1)
_CHUNK = 64 * 1024


def note_media(session: Session, *, message: Message) -> list[MediaFile]:
    """A row to fetch for each photo, video, audio or file of the message (once per attachment)."""
    notes: list[MediaFile] = []
    adapter = channels.get(message.channel)
    media = adapter.media if adapter is not None else None  # None: not fetched (the web form keeps its own photos)
    for position, attachment in enumerate(message.attachments or () if media is not None else ()):
        kind = str(attachment.get("type", ""))
        kind = "image" if kind == "photo" else kind
        if kind not in MEDIA_KINDS:
            continue
        source = media.source(attachment)
        if source is None:
            continue
        exists = session.scalars(select(MediaFile).where(MediaFile.message_id == message.id,
                                                         MediaFile.position == position)).first()
        if exists is None:
            note = MediaFile(message_id=message.id, position=position, kind=kind, source=source, status="pending",
                             attempts=0, next_attempt_at=utcnow())
            session.add(note)
            notes.append(note)
    session.flush()
    return notes


def fetch_pending(runtime: "Runtime", *, limit: int = 20, now: dt.datetime | None = None) -> int:
    """Fetch the media that are due; returns how many were stored."""
    now = now or utcnow()
    with runtime.db.read_session() as session:  # reading only: the write lock is taken per fetched file below
        due = list(session.scalars(select(MediaFile).where(MediaFile.status == "pending",
                                                           MediaFile.next_attempt_at <= now)
                                   .order_by(MediaFile.id).limit(limit)))
        jobs = [(m.id, m.source, m.kind, m.message_id, m.position) for m in due]
    stored = 0
    for media_id, source, kind, message_id, position in jobs:
        outcome = _fetch(runtime, source=source, kind=kind, message_id=message_id, position=position)
        with runtime.db.session() as session:
            media = session.get(MediaFile, media_id)
            if media is None:
                continue
            media.attempts += 1
            status, detail = outcome
            if status == "stored":
                path, content_type, size = detail
                media.status, media.path, media.content_type, media.size = "stored", path, content_type, size
                media.last_error = None
                stored += 1
            elif status == "too_large":
                media.status, media.size, media.last_error = "too_large", detail, "larger than the size limit"
            elif status == "gone" or media.attempts >= MAX_ATTEMPTS:
                media.status, media.last_error = "failed", str(detail)[:500]
            else:
                media.last_error = str(detail)[:500]
                delay = min(RETRY_BASE * (2 ** media.attempts), RETRY_CAP)
                media.next_attempt_at = utcnow() + delay
    return stored


def _fetch(runtime: "Runtime", *, source: str, kind: str, message_id: int, position: int
           ) -> tuple[str, object]:
    """Download one attachment within the size limit: ("stored", (path, type, size)), ("too_large", size),
    ("gone", why) or ("retry", why)."""
    settings = runtime.settings
    limit = settings.fangsiang_media_max_bytes
    url, headers = source, {}
    name, _, ref = source.partition(":")
    adapter = channels.named(name)  # "line:<id>": the channel's content endpoint; an http(s) URL as it is
    if adapter is not None and adapter.media is not None and adapter.media.request is not None:
        url, headers = adapter.media.request(ref, settings)
    import requests  # loaded by the first download, not at every start

    try:
        with requests.get(url, headers=headers, stream=True, timeout=(5, 30)) as response:
            if response.status_code in (404, 410, 403):
                return "gone", f"content answered {response.status_code}"
            if response.status_code != 200:
                return "retry", f"content answered {response.status_code}"
            declared = int(response.headers.get("content-length") or 0)
            if declared > limit:
                return "too_large", declared
            content_type = response.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
            relative = Path("media") / utcnow().strftime("%Y/%m") / f"{message_id}-{position}{_suffix(content_type, kind)}"
            target = settings.data_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            size = 0
            partial = target.with_suffix(target.suffix + ".part")
            with open(partial, "wb") as fh:
                for chunk in response.iter_content(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        fh.close()
                        partial.unlink(missing_ok=True)
                        return "too_large", size
                    fh.write(chunk)
            partial.replace(target)
            return "stored", (relative.as_posix(), content_type, size)
    except (requests.RequestException, OSError) as exc:
        return "retry", f"{type(exc).__name__}: {exc}"[:300]


def _suffix(content_type: str, kind: str) -> str:
    """A file extension for the content type."""
    guessed = mimetypes.guess_extension(content_type) or ""
    if guessed in (".jpe", ".jpeg"):
        return ".jpg"
    return guessed or {"image": ".jpg", "video": ".mp4", "audio": ".m4a"}.get(kind, ".bin")


def media_of_case(session: Session, *, case_id: int) -> list[MediaFile]:
    """The case's fetched (or pending) media, oldest first."""
    return list(session.scalars(select(MediaFile).join(Message, Message.id == MediaFile.message_id)
                                .where(Message.case_id == case_id).order_by(MediaFile.id)))


def media_path(runtime: "Runtime", media: MediaFile) -> Path | None:
    """The stored file of a media row, inside the data directory, or None."""
    if media.status != "stored" or not media.path:
        return None
    root = (runtime.settings.data_dir / "media").resolve()
    path = (runtime.settings.data_dir / media.path).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path
