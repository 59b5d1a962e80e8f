"""``python -m bench.long``: the mean latency per block of messages."""

from __future__ import annotations

import pytest

from bench.long import blocks


@pytest.mark.parametrize(
    ("latencies", "size", "expected"),
    [
        ([1.0, 3.0, 5.0, 7.0], 2, [2.0, 6.0]),
        ([1.0, 3.0, 5.0], 2, [2.0, 5.0]),  # the last block may be short
        ([4.0], 10, [4.0]),
        ([], 3, []),
    ],
)
def test_blocks_average_consecutive_messages(
    latencies: list[float], size: int, expected: list[float]
) -> None:
    assert blocks(latencies, size) == expected


def test_a_block_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        blocks([1.0], 0)
