"""LINE Official Account: the webhook (`inbound.py`, `payloads.py`), the Messaging API sender (`sender.py`), Flex and
quick-reply rendering (`render.py`), content fetching (`media.py`), the rich menu (`menu.py`) and `fangsiang line
rich-menu` (`commands.py`). line-bot-sdk, Pillow and the renderer are imported when first used."""
from __future__ import annotations

import functools
from typing import Any

from agency.config import AgencyConfig
from agency.settings import Settings
from agency.vocabulary import Channel
from bot.postbacks import PostbackSigner
from bot.senders import OutputChannel
from channels.adapter import ChannelAdapter, Media, Renderer
from channels.line import commands, media
from listeners import simulator
from listeners.base import InputChannel


def inbound(settings: Settings) -> InputChannel:
    """The webhook, verifying with the settings' secret."""
    from channels.line.inbound import LineChannel

    return LineChannel(channel_secret=settings.line_signing_secret)


def sender(settings: Settings) -> OutputChannel | None:
    """The Messaging API sender, or None without an access token."""
    if not settings.line_channel_access_token:
        return None
    from channels.line.sender import LineSender

    return LineSender(access_token=settings.line_channel_access_token, base_url=settings.line_api_base_url)


@functools.cache
def renderer(channel: str) -> Renderer:
    """Flex and quick replies, up to five messages on one reply token; LINE's limits by message field."""
    from bot.replies import LABEL_LIMIT, QUICK_REPLY_LIMIT
    from channels.line import render

    return Renderer(rows=render.outbox_rows, max_objects=5,
                    limits={"text": render.TEXT_LIMIT, "altText": render.ALT_TEXT_LIMIT, "label": LABEL_LIMIT,
                            "data": render.DATA_LIMIT, "displayText": render.DATA_LIMIT, "items": QUICK_REPLY_LIMIT})


def example(*, settings: Settings, user: str, text: str) -> tuple[bytes, dict[str, str]]:
    """A signed webhook request with one text message, as LINE sends it."""
    import time

    event = simulator.line_event(user_id=simulator.line_user_id(user), text=text, timestamp_ms=int(time.time() * 1000))
    body = simulator.encode(simulator.line_body(event))
    return body, {"content-type": "application/json",
                  "x-line-signature": simulator.line_signature(body, settings.line_signing_secret)}


def menu(*, signer: PostbackSigner, agency: AgencyConfig) -> dict[str, Any]:
    """The rich menu object (its image is drawn by `fangsiang line rich-menu`)."""
    from channels.line.menu import line_rich_menu

    return line_rich_menu(signer=signer)


ADAPTER = ChannelAdapter(
    name="line", channels=(Channel.LINE,), renderer=renderer,
    sender=sender, credentials="LINE_CHANNEL_ACCESS_TOKEN",
    inbound=inbound, example=example,
    media=Media(source=media.source, request=media.request),
    menu=menu, commands=commands.register,
)
