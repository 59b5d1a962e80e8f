"""Alembic migrations of the handoff database (run by :mod:`bot.handoff.migrate`)."""
