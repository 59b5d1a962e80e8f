"""Starting several callables at the same moment, as instances or requests that race."""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["race"]


def race(workers: list[Callable[[], object]]) -> list[object]:
    """Start all callables at the same moment; return results (or exceptions)."""
    barrier = threading.Barrier(len(workers))
    results: list[object] = [None] * len(workers)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = workers[index]()
        except Exception as exc:  # collected and asserted by the caller
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
