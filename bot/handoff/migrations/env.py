"""Alembic environment of the handoff database.

Run programmatically by :func:`bot.handoff.migrate.upgrade_to_head` (which passes
an open connection in ``config.attributes["connection"]``) or by the ``alembic``
command line with the repository's ``alembic.ini`` (the URL then comes from
``$HANDOFF_DATABASE_URL``, default ``sqlite:///var/handoff.sqlite3``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from bot.handoff.common import database_url_from_env
from bot.handoff.migrate import locked_connection, prepare_for_upgrade
from bot.handoff.schema import metadata

config = context.config


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or database_url_from_env()


def _run(connection: Connection) -> None:
    prepare_for_upgrade(connection, context.script)
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """Write the SQL to stdout (``alembic upgrade head --sql``)."""
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate the database on the given connection, or open one from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    if config.config_file_name is not None:
        from logging.config import fileConfig

        fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = create_engine(_url(), future=True)
    try:
        with locked_connection(engine) as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
