"""The web report form's citizens (the form itself, its LIFF sign-in and its storage live in `places/`): no webhook, no
menu; what they are told is read on their case's public status page (`sender.py`)."""
from __future__ import annotations

from agency.settings import Settings
from agency.vocabulary import Channel
from bot.senders import OutputChannel
from channels.adapter import PLAIN, ChannelAdapter, Renderer
from channels.web.sender import StatusPageSender


def sender(settings: Settings) -> OutputChannel:
    """The status page stands in for a sender."""
    return StatusPageSender()


def renderer(channel: str) -> Renderer:
    """Plain text: the status page shows it."""
    return PLAIN


ADAPTER = ChannelAdapter(name="web", channels=(Channel.WEB,), renderer=renderer, sender=sender)
