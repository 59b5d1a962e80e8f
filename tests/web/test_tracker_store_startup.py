"""Several instances opening Rasa's tracker store on one fresh database at the same moment.

Every instance creates Rasa's ``events`` table if it is missing. On PostgreSQL two
``CREATE TABLE`` statements racing each other fail with a unique violation on
``pg_type`` (a fresh-clone CI run of ``make test-cluster`` hit it: one of two bot instances
did not start). Runs on SQLite in ``make test`` and on PostgreSQL in ``make test-postgres``.
"""

from __future__ import annotations

from functools import partial

import sqlalchemy as sa

from bot.rasa.tracker_store import AlverTrackerStore
from tests.concurrency import race

INSTANCES = 8
ROUNDS = 5


def test_instances_starting_together_on_a_fresh_database_all_open(database_url: str) -> None:
    for _ in range(ROUNDS):
        stores = race([partial(AlverTrackerStore, url=database_url, cache=0)] * INSTANCES)
        assert all(isinstance(store, AlverTrackerStore) for store in stores), stores
        inspector = sa.inspect(stores[0].engine)
        assert "events" in inspector.get_table_names()
        for store in stores:
            store.engine.dispose()
        # Drop the table so the next round starts on a fresh database again.
        with stores[0].engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE events"))
