"""LINE Messaging API webhook payloads as pydantic models: every field the service uses is checked here, with the
field types of `listeners.payloads`. An event that fails them is skipped (and logged) by the channel; the other
events of its batch are stored."""
from __future__ import annotations

from typing import Any

from listeners.payloads import EpochMillis, FiniteFloat, Identifier, NumericIdentifier, Payload, Text


class LineSource(Payload):
    """Who sent the event: a user, or a group or room (not a citizen writing to the agency)."""

    type: str | None = None
    userId: Identifier | None = None


class LineDeliveryContext(Payload):
    """Whether LINE is redelivering an event it could not deliver before."""

    isRedelivery: bool = False


class LineContentProvider(Payload):
    """Where a media message's content lives (line or external)."""

    type: Text | None = None


class LineMessage(Payload):
    """A message object of any type; the fields of the types the service reads."""

    id: Identifier
    type: Identifier
    text: Text | None = None
    title: Text | None = None
    address: Text | None = None
    latitude: FiniteFloat | None = None
    longitude: FiniteFloat | None = None
    packageId: NumericIdentifier | None = None
    stickerId: NumericIdentifier | None = None
    keywords: list[Text] | None = None
    contentProvider: LineContentProvider | None = None


class LinePostback(Payload):
    """The data of a postback action the citizen tapped."""

    data: Text


class LineEvent(Payload):
    """One webhook event from a user."""

    type: Identifier
    webhookEventId: Identifier
    timestamp: EpochMillis
    source: LineSource
    replyToken: Identifier | None = None
    deliveryContext: LineDeliveryContext | None = None
    message: LineMessage | None = None
    postback: LinePostback | None = None


class LineBody(Payload):
    """The webhook body: its events (an empty list is LINE's URL check); `destination`, the bot's id, is not used."""

    events: list[Any]
