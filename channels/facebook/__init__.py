"""A Facebook Page: the webhook for Messenger and comments on the Page's posts (`inbound.py`, `payloads.py`), the Send
API and comment-reply sender (`sender.py`), Messenger and comment rendering (`render.py`), attachment fetching
(`media.py`), the persistent menu (`menu.py`) and `fangsiang facebook menu` (`commands.py`). The webhook, the sender
and the renderer are imported when first used."""
from __future__ import annotations

import functools

from agency.settings import Settings
from agency.vocabulary import Channel
from bot.senders import OutputChannel
from channels.adapter import ChannelAdapter, Media, Renderer
from channels.facebook import commands, media
from channels.facebook.menu import page_profile
from listeners import simulator
from listeners.base import InputChannel


def inbound(settings: Settings) -> InputChannel:
    """The webhook, verifying with the settings' secrets."""
    from channels.facebook.inbound import FacebookChannel

    return FacebookChannel(app_secret=settings.facebook_signing_secret, verify_token=settings.facebook_verify_token)


def sender(settings: Settings) -> OutputChannel | None:
    """The Graph API sender, or None without a Page access token."""
    if not settings.facebook_page_access_token:
        return None
    from channels.facebook.sender import FacebookSender

    return FacebookSender(page_access_token=settings.facebook_page_access_token, graph_url=settings.facebook_graph_url)


@functools.cache
def renderer(channel: str) -> Renderer:
    """Messenger: one Send API message per outbox row, within its limits by message field; a Page comment: one public
    answer."""
    from bot.replies import QUICK_REPLY_LIMIT
    from channels.facebook import render

    if channel == Channel.FACEBOOK_COMMENT:
        return Renderer(rows=render.comment_rows, text_limit=render.COMMENT_LIMIT)
    return Renderer(rows=render.outbox_rows, max_objects=1, limits={
        "text": render.TEXT_LIMIT, "title": render.ELEMENT_TEXT_LIMIT, "subtitle": render.ELEMENT_TEXT_LIMIT,
        "payload": render.PAYLOAD_LIMIT, "quick_replies": QUICK_REPLY_LIMIT, "elements": render.ELEMENT_LIMIT,
        "buttons": render.BUTTONS_LIMIT})


def example(*, settings: Settings, user: str, text: str) -> tuple[bytes, dict[str, str]]:
    """A signed Page webhook request with one Messenger text message, as Facebook sends it."""
    import time

    body = simulator.encode(simulator.facebook_message_event(page_id=simulator.SIMULATED_PAGE_ID, user_id=user,
                                                             text=text, timestamp_ms=int(time.time() * 1000)))
    return body, {"content-type": "application/json",
                  "x-hub-signature-256": simulator.facebook_signature(body, settings.facebook_signing_secret)}


ADAPTER = ChannelAdapter(
    name="facebook",
    channels=(Channel.FACEBOOK, Channel.FACEBOOK_COMMENT), renderer=renderer,
    sender=sender, credentials="FACEBOOK_PAGE_ACCESS_TOKEN",
    inbound=inbound, example=example,
    media=Media(source=media.source),
    menu=page_profile, commands=commands.register,
)
