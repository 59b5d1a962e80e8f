"""Web layer of the chat: settings, shared state, tokens, rate limits, presence, sessions.

The HTTP routes themselves are Rasa input channels in :mod:`bot.channels`.
"""
