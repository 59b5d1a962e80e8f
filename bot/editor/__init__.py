"""The editors' pages in the console (issue 8): views of the editor API, preview, CSV, texts.

The channel (``bot/channels/editor_channel.py``) only routes; every change to the knowledge
base goes through :mod:`bot.kb.writer`, every change to a staff account through
:mod:`bot.handoff.accounts`.
"""
