"""The citizen's conversation: tickets and cues in citizen text, signed postbacks, the bot's replies and their
LINE/Messenger rendering, the FAQ, the rich menu, and whether a new message continues an open case."""
