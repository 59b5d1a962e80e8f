"""Fixtures of the cluster tests: a throw-away Redis, and the gate of the slow cluster test.

``test_cluster.py`` (two bot instances behind nginx) is collected only when
``ALVER_CLUSTER_TEST=1`` (``make test-cluster`` sets it), so ``make test`` leaves it out.
The unit tests here run in ``make test`` with a real redis-server (``TEST_REDIS_URL``, or
one started on a free port); without redis-server they are skipped, saying so.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.cluster.servers import REDIS_BIN, redis_server

collect_ignore = [] if os.environ.get("ALVER_CLUSTER_TEST") == "1" else ["test_cluster.py"]


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis for the tests: ``TEST_REDIS_URL`` or a redis-server on a free port."""
    given = os.environ.get("TEST_REDIS_URL", "").strip()
    if given:
        yield given
        return
    if shutil.which(REDIS_BIN) is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with redis_server() as url:
        yield url
