"""``python -m bot.console``: manage staff users of the chat console.

Delegates to :mod:`bot.handoff.cli`, with the same default database as the web layer.
"""
