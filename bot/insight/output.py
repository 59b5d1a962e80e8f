"""The report's files: CSV for every table, greyscale charts, one self-contained HTML page."""

from __future__ import annotations

import base64
import csv
import html
import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend is chosen first
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .figures import ASSUMPTIONS, Report  # noqa: E402

__all__ = ["CHARTS", "chart_png", "render_html", "write_csv", "write_report"]

CHARTS = {
    "per_dag": ("Samtalar per dag", "Dato", "dato"),
    "per_vekedag": ("Samtalar per vekedag", "Vekedag", "vekedag"),
    "per_time": ("Samtalar per time på døgnet", "Klokkeslett (time)", "time"),
    "tema": ("Dei vanlegaste tema", "Tema", "tema"),
}
"""Chart per table: title, x-axis label and the table's label column (all Nynorsk)."""

_TOP_TOPICS = 10


def write_csv(report: Report, directory: Path) -> list[Path]:
    """Write one CSV file (UTF-8 with BOM, for Excel) per table. Returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in report.tables().items():
        path = directory / f"{name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            fields = list(rows[0]) if rows else ["namn", "verdi"]
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        paths.append(path)
    return paths


def chart_png(report: Report, name: str) -> bytes:
    """One bar chart as PNG: conversations (dark) and citizen messages (light, hatched)."""
    title, xlabel, label = CHARTS[name]
    rows: list[dict[str, Any]] = report.tables()[name]
    if name == "tema":
        rows = rows[:_TOP_TOPICS]
    labels = [str(r[label]) for r in rows]
    fig, ax = plt.subplots(figsize=(9, 4.2), dpi=100)
    positions = list(range(len(rows)))
    if name == "tema":
        ax.barh(positions, [r["samtalar"] for r in rows], color="#333333", label="Samtalar")
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlabel("Samtalar")
        ax.set_ylabel(xlabel)
    else:
        width = 0.4
        ax.bar(
            [p - width / 2 for p in positions],
            [r["samtalar"] for r in rows],
            width,
            color="#222222",
            label="Samtalar",
        )
        ax.bar(
            [p + width / 2 for p in positions],
            [r["meldingar"] for r in rows],
            width,
            color="#bbbbbb",
            edgecolor="#222222",
            hatch="//",
            label="Meldingar frå innbyggjarar",
        )
        step = max(1, len(labels) // 16)
        ax.set_xticks(positions[::step], labels[::step], rotation=45 if name == "per_dag" else 0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Tal")
        ax.legend(frameon=False)
    ax.set_title(title)
    axis = ax.xaxis if name == "tema" else ax.yaxis
    axis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>Ingen data.</p>"
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(_show(v, str(row.get('namn', ''))))}</td>" for v in row.values()
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _show(value: Any, name: str = "") -> str:
    if value is None:
        return "–"
    if name.startswith("del ") and isinstance(value, float):
        return f"{value * 100:.1f} %".replace(".", ",")
    if isinstance(value, float):
        return f"{value:.4g}".replace(".", ",")
    return str(value)


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#111}table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #999;"
    "padding:.25rem .5rem;text-align:left}th{background:#eee}img{max-width:100%}"
    ".saving{border:2px solid #111;padding:1rem;margin:1rem 0}"
)


def render_html(report: Report, title: str = "Alver innbyggjarbot – rapport") -> str:
    """The whole report as one HTML page, charts embedded as data URLs."""
    period = f"{report.start.isoformat()} – {report.end.isoformat()}"
    parts = [
        "<!doctype html><html lang='nn'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)} {period}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1><p>Periode: {period}</p>",
        "<h2>Samandrag</h2>",
        _table(report.summary),
        "<section class='saving'><h2>Estimert innsparing</h2>",
        f"<p><strong>{report.saving[-1]['verdi']} kr</strong></p>",
        _table(report.saving),
        "<h3>Føresetnader</h3><ul>",
        *(f"<li>{html.escape(a)}</li>" for a in ASSUMPTIONS),
        "</ul></section>",
    ]
    for name, (chart_title, _x, _label) in CHARTS.items():
        data = base64.b64encode(chart_png(report, name)).decode("ascii")
        parts += [
            f"<h2>{html.escape(chart_title)}</h2>",
            f"<img alt='{html.escape(chart_title)}' src='data:image/png;base64,{data}'>",
            _table(report.tables()[name]),
        ]
    parts.append("</body></html>")
    return "".join(parts)


def write_report(report: Report, directory: Path) -> dict[str, Path]:
    """Write the CSV files, the chart PNGs and ``rapport.html`` to ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {path.stem: path for path in write_csv(report, directory)}
    for name in CHARTS:
        path = directory / f"{name}.png"
        path.write_bytes(chart_png(report, name))
        written[f"{name}.png"] = path
    page = directory / "rapport.html"
    page.write_text(render_html(report), encoding="utf-8")
    written["rapport.html"] = page
    return written
