"""Each citizen event handed to the conversation, which decides where it goes (conversation.routing) and answers."""
from __future__ import annotations

from typing import TYPE_CHECKING

from conversation import routing

if TYPE_CHECKING:
    from runtime import Runtime


def prepare(runtime: "Runtime") -> None:
    """Build what answering needs before the first citizen writes (the FAQ matcher and its vectors)."""
    routing.prepare(runtime)


def process_message(runtime: "Runtime", *, message_id: int) -> str:
    """Handle one stored citizen message exactly once; returns what was done (for metrics and logs)."""
    return routing.handle_message(runtime, message_id=message_id)
