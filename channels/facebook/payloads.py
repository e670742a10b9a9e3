"""Facebook Page webhook payloads (Messenger and Page comments) as pydantic models: every field the service uses is
checked here, with the field types of `listeners.payloads`. An event that fails them is skipped (and logged) by the
channel; the other events of its batch are stored."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from listeners.payloads import (EpochMillis, EpochSeconds, FiniteFloat, Identifier, Name, NumericIdentifier, Payload,
                                Text)


class FacebookParty(Payload):
    """A sender or recipient in Messenger: a page-scoped id."""

    id: NumericIdentifier


class FacebookCoordinates(Payload):
    """A shared location."""

    lat: FiniteFloat | None = None
    long: FiniteFloat | None = None


class FacebookAttachmentPayload(Payload):
    """What an attachment points at."""

    url: Text | None = None
    coordinates: FacebookCoordinates | None = None
    sticker_id: NumericIdentifier | None = None


class FacebookAttachment(Payload):
    """An image, video, audio, file, location or sticker sent in Messenger."""

    type: Text | None = None
    title: Text | None = None
    payload: FacebookAttachmentPayload | None = None


class FacebookMessage(Payload):
    """A Messenger message (or the Page's own echo)."""

    mid: Identifier
    text: Text | None = None
    is_echo: bool = False
    attachments: list[FacebookAttachment] | None = None


class FacebookPostback(Payload):
    """A button the citizen tapped in Messenger."""

    mid: Identifier | None = None
    title: Text | None = None
    payload: Text | None = None


class FacebookMessaging(Payload):
    """One item of entry[].messaging[]."""

    sender: FacebookParty
    recipient: FacebookParty | None = None
    timestamp: EpochMillis
    message: FacebookMessage | None = None
    postback: FacebookPostback | None = None


class FacebookAuthor(Payload):
    """Who wrote a comment: their id and, when Facebook shares it, their name."""

    id: NumericIdentifier
    name: Name | None = None


class FacebookComment(Payload):
    """The value of a feed change that adds a comment."""

    comment_id: Identifier
    author: FacebookAuthor = Field(alias="from")
    message: Text | None = None
    photo: Text | None = None
    created_time: EpochSeconds | None = None


class FacebookEntry(Payload):
    """One entry of the body: the Page it is for."""

    id: NumericIdentifier


class FacebookBody(Payload):
    """The webhook body for a Page subscription."""

    object: str
    entry: list[Any]
