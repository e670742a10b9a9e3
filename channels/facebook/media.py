"""Photos, videos, audio and files citizens send on Messenger or under a Page post: fetched from the attachment's
URL while Facebook keeps it valid."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def source(attachment: Mapping[str, Any]) -> str | None:
    """The attachment's http(s) URL, or None."""
    url = str(attachment.get("url", ""))
    return url if url.startswith(("https://", "http://")) else None
