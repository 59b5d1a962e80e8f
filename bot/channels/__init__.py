"""Custom Rasa input channels: the citizen chat widget and the staff console.

Registered in ``credentials.yml``; see ``docs/chat-api.md`` for the HTTP contract.
"""
