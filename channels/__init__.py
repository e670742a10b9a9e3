"""The channels citizens write on, each in one folder behind a small registry (`channels.registry`): a channel's
webhook in (verify, parse), its sender and renderer out, its media and its menu. See `channels.adapter`."""
