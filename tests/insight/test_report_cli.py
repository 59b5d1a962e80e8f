"""``python -m bot.report``: CSV for every table, greyscale charts, one HTML page."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PIL import Image

from bot.handoff import HandoffStore
from bot.report.__main__ import main
from tests.insight.seed import END, START


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_the_report_command_writes_every_file(
    store: HandoffStore, seeded: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rapport"
    url = store.engine.url.render_as_string(hide_password=False)
    code = main(
        ["--from", START.isoformat(), "--to", END.isoformat(), "--out", str(out), "--database", url]
    )
    assert code == 0
    assert "rapport.html" in capsys.readouterr().out
    names = {p.name for p in out.iterdir()}
    assert names == {
        "samandrag.csv",
        "per_dag.csv",
        "per_vekedag.csv",
        "per_time.csv",
        "tema.csv",
        "innsparing.csv",
        "per_dag.png",
        "per_vekedag.png",
        "per_time.png",
        "tema.png",
        "rapport.html",
    }
    summary = {row["namn"]: row["verdi"] for row in _csv(out / "samandrag.csv")}
    assert summary["samtalar"] == "8"
    assert summary["løyst av boten"] == "3"
    assert summary["estimert innsparing (kr)"] == "111"
    # the bot's own FAQ matching with the fixture knowledge base ("boss" is "søppel")
    topics = {row["tema"]: row["samtalar"] for row in _csv(out / "tema.csv")}
    assert topics["faq:renovasjon"] == "1"
    page = (out / "rapport.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 4
    assert "Estimert innsparing" in page and "111 kr" in page
    assert "lang='nn'" in page


@pytest.mark.parametrize("name", ["per_dag", "per_vekedag", "per_time", "tema"])
def test_charts_are_greyscale(
    store: HandoffStore, seeded: dict[str, str], tmp_path: Path, name: str
) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    main(
        [
            "--from",
            START.isoformat(),
            "--to",
            END.isoformat(),
            "--out",
            str(tmp_path),
            "--database",
            url,
        ]
    )
    with Image.open(tmp_path / f"{name}.png") as image:
        pixels = image.convert("RGB").getdata()
        assert all(r == g == b for r, g, b in pixels)


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2026-11-08", "--to", "2026-11-01", "--out", "x"],
        ["--from", "8.11.2026", "--to", "2026-11-01", "--out", "x"],
        ["--from", "2026-11-01", "--out", "x"],
    ],
)
def test_bad_arguments_stop_with_a_usage_error(args: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2
