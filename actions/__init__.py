"""Custom actions for the Alver innbyggjarbot (run by the rasa_sdk action server).

One module per concern: opening hours, contact, services, not-understood/FAQ, handoff.
Every fact comes from the knowledge base; every text from bot/messages.yml.

The knowledge base is loaded when the action server imports this package, so a broken
knowledge base stops the server at start-up with a message naming file, entry and field,
instead of failing on the first citizen's question. Later edits are hot-reloaded, and a
bad edit keeps the last good version.
"""

from bot.kb import default_store

default_store()
