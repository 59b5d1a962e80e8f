"""The insight page in Chromium: inbox and report render for an editor; axe is clean."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.insight.screenshots import take


def test_the_insight_page_renders_and_passes_axe(tmp_path: Path) -> None:
    result = take(tmp_path)
    assert [p.name for p in result["files"]] == [
        "insight-inbox.png",
        "report-summary.png",
        "report-charts.png",
    ]
    for path in result["files"]:
        with Image.open(path) as image:
            assert image.width >= 1200
    assert result["axe"] == {"inbox": [], "report": []}
