"""Out to the web report form's citizens: nothing to send, they read their case's public status page."""
from __future__ import annotations

from bot.senders import OutgoingMessage


class StatusPageSender:
    """The web report form's citizens have no chat: what they are told is read on the case's public status page."""

    def send(self, message: OutgoingMessage) -> None:
        """Nothing to deliver: the status page shows the officers' answers and every change of status."""
