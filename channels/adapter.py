"""What a channel gives the service, in one value: its webhook in (verify and parse), its sender and renderer out, its
media and its menu. Each channel's folder (`channels/<name>/__init__.py`) builds one `ChannelAdapter`; the registry
(`channels.registry`) hands them to the rooms that need them."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agency.settings import Settings
from bot.senders import OutputChannel
from listeners.base import InputChannel

if TYPE_CHECKING:
    from bot.replies import Reply

# One outbox row: the plain text (kept with the row, and sent as it is when there are no objects) and the platform's
# message objects sent in one call.
OutboxRow = tuple[str, list[dict[str, Any]]]


def plain_rows(answers: Sequence["Reply"]) -> list[OutboxRow]:
    """The answers' texts together in one row, no platform objects (a channel without rich messages)."""
    return [("\n\n".join(a.text for a in answers), [])]


@dataclass(frozen=True)
class Renderer:
    """How replies reach one channel's citizens: our neutral replies → outbox rows, one send each."""

    rows: Callable[[Sequence["Reply"]], list[OutboxRow]] = plain_rows
    # The platform's documented limits by JSON key of its message objects: the longest string, or the most items.
    limits: Mapping[str, int] = field(default_factory=dict)
    max_objects: int = 0           # message objects the platform takes in one call
    text_limit: int | None = None  # the longest text a row without objects may send


PLAIN = Renderer()


@dataclass(frozen=True)
class Media:
    """Photos, videos and files a channel's citizens send: where each is fetched from."""

    # An attachment as the channel's parser stored it → its source ("<channel>:<id>" or an http(s) URL), or None when
    # it is not ours to fetch.
    source: Callable[[Mapping[str, Any]], str | None]
    # The id of a "<channel>:<id>" source → (URL, headers) of the platform's content endpoint.
    request: Callable[[str, Settings], tuple[str, dict[str, str]]] | None = None


@dataclass(frozen=True)
class ChannelAdapter:
    """One channel: its name (its folder, `/webhooks/<name>`, its commands) and everything the service does on it.
    What needs a heavy import (line-bot-sdk, Pillow, Thai text) is imported when first used, so that reading the
    registry stays light (the `fangsiang` command reads it at every start)."""

    name: str
    channels: tuple[str, ...]           # the vocabulary's channels (`Channel`) it answers
    renderer: Callable[[str], Renderer]  # renderer(channel): how replies reach that channel's citizens
    sender: Callable[[Settings], OutputChannel | None]  # None without credentials (replies go to the transcript)
    credentials: str = ""               # the settings a real sender needs (named in the log when they are missing)
    inbound: Callable[[Settings], InputChannel] | None = None  # the webhook: verify and parse; None: no webhook
    # A realistic webhook request from a citizen writing `text`, signed as the platform signs it: (body, headers)
    # (`fangsiang simulate` posts it; the channel contract checks the webhook with it).
    example: Callable[..., tuple[bytes, dict[str, str]]] | None = None
    media: Media | None = None
    menu: Callable[..., dict[str, Any]] | None = None  # menu(signer=, agency=) → the platform's menu definition
    commands: Callable[[Any], None] | None = None      # register(subparsers): the channel's `fangsiang <name> …`
