"""Photos, videos, audio and files citizens send on LINE: LINE keeps them; we fetch them from its content endpoint."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agency.settings import Settings


def source(attachment: Mapping[str, Any]) -> str | None:
    """"line:<message id>" for content LINE keeps; None for an external provider's URL (LINE's to show, not ours to
    fetch)."""
    if not attachment.get("line_message_id") or attachment.get("provider") not in (None, "line"):
        return None
    return f"line:{attachment['line_message_id']}"


def request(message_id: str, settings: Settings) -> tuple[str, dict[str, str]]:
    """The content endpoint of a LINE message and the channel's bearer token."""
    return (f"{settings.line_data_url}/v2/bot/message/{message_id}/content",
            {"Authorization": f"Bearer {settings.line_channel_access_token}"})
