"""The registered channels: `register(adapter)`, `get(channel)`, `adapters()`. LINE, Facebook (Messenger and Page
comments) and the web report form are registered here; a new channel is one folder and one line below."""
from __future__ import annotations

from channels import facebook, line, web
from channels.adapter import PLAIN, ChannelAdapter, Renderer

_ADAPTERS: dict[str, ChannelAdapter] = {}
_BY_CHANNEL: dict[str, ChannelAdapter] = {}


def register(adapter: ChannelAdapter) -> None:
    """Add a channel; its name and the vocabulary channels it answers must be new."""
    taken = [c for c in adapter.channels if c in _BY_CHANNEL]
    if adapter.name in _ADAPTERS or taken:
        raise ValueError(f"channel {adapter.name!r} is already registered (or answers {taken})")
    _ADAPTERS[adapter.name] = adapter
    for channel in adapter.channels:
        _BY_CHANNEL[channel] = adapter


def get(channel: str) -> ChannelAdapter | None:
    """The adapter answering a vocabulary channel ("facebook_comment" → Facebook's), or None."""
    return _BY_CHANNEL.get(channel)


def named(name: str) -> ChannelAdapter | None:
    """The adapter by its own name (its folder, `/webhooks/<name>`, a "<name>:<id>" media source)."""
    return _ADAPTERS.get(name)


def adapters() -> tuple[ChannelAdapter, ...]:
    """Every registered channel, in the order registered."""
    return tuple(_ADAPTERS.values())


def renderer(channel: str) -> Renderer:
    """How replies reach a channel's citizens (plain text for a channel no adapter answers)."""
    adapter = _BY_CHANNEL.get(channel)
    return adapter.renderer(channel) if adapter is not None else PLAIN


for _adapter in (line.ADAPTER, facebook.ADAPTER, web.ADAPTER):
    register(_adapter)
