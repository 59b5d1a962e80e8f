"""The FAQ as a spreadsheet: CSV export, and an import that is checked before it is written.

Columns: ``id``, ``questions`` (one phrasing per line in the cell), ``answer_nn``,
``answer_nb``, ``answer_en``, ``link``, ``sample`` (``ja``/``nei``). Import changes the
entries whose row differs and adds rows with a new id; entries missing from the file are
kept (retire them on the FAQ page). :func:`import_plan` builds one plan for the whole file,
so the dry run validates exactly what the import would write.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.editor.plans import Plan
from bot.kb.writer import list_items, merge, plain

__all__ = ["COLUMNS", "CsvProblem", "ImportSummary", "export_csv", "import_plan", "parse_csv"]

COLUMNS = ("id", "questions", "answer_nn", "answer_nb", "answer_en", "link", "sample")
MAX_ROWS = 2000
_YES = {"ja", "yes", "true", "1", "x"}
_NO = {"nei", "no", "false", "0", ""}


class CsvProblem(ValueError):
    """The CSV file cannot be read as the FAQ (the message names row and column)."""


@dataclass
class ImportSummary:
    """What an import would change."""

    added: list[str] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """For the page's summary before anything is written."""
        return {
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "kept": self.kept,
        }


def _row(entry: Mapping[str, Any]) -> dict[str, str]:
    answer = entry.get("answer") or {}
    return {
        "id": str(entry.get("id") or ""),
        "questions": "\n".join(str(q) for q in entry.get("questions") or []),
        "answer_nn": str(answer.get("nn") or ""),
        "answer_nb": str(answer.get("nb") or ""),
        "answer_en": str(answer.get("en") or ""),
        "link": str(entry.get("link") or ""),
        "sample": "ja" if entry.get("sample") is True else "nei",
    }


def export_csv(faq: Sequence[Mapping[str, Any]]) -> str:
    """The FAQ entries as CSV text (UTF-8, a header row, RFC 4180 quoting)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for entry in faq:
        writer.writerow(_row(entry))
    return out.getvalue()


def parse_csv(text: str) -> list[dict[str, str]]:
    """The rows of an FAQ CSV file (``;`` or ``,`` separated, as spreadsheets save it).

    Raises:
        CsvProblem: A missing column, a bad ``sample`` value, a repeated id, too many rows.
    """
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = [
        c
        for c in ("id", "questions", "answer_nn", "answer_nb")
        if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise CsvProblem(f"Fila manglar kolonnen/kolonnane {', '.join(missing)} i første rad.")
    rows, seen = [], set()
    for number, raw in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise CsvProblem(f"Fila har meir enn {MAX_ROWS} rader.")
        row = {column: str(raw.get(column) or "").strip() for column in COLUMNS}
        if not any(row.values()):
            continue
        if row["sample"].casefold() not in _YES | _NO:
            raise CsvProblem(f"Rad {number}, kolonne sample: skriv ja eller nei.")
        if row["id"] in seen:
            raise CsvProblem(f"Rad {number}: id-en {row['id']} står to gonger i fila.")
        seen.add(row["id"])
        rows.append(row)
    return rows


def _values(row: Mapping[str, str]) -> dict[str, Any]:
    questions = [" ".join(q.split()) for q in row["questions"].splitlines() if q.strip()]
    return {
        "questions": CommentedSeq(questions),
        "answer": {"nn": row["answer_nn"], "nb": row["answer_nb"], "en": row["answer_en"] or None},
        "link": row["link"] or None,
        "sample": True if row["sample"].casefold() in _YES else None,
    }


def import_plan(
    rows: list[dict[str, str]], current: Sequence[Mapping[str, Any]], version: str | None
) -> tuple[Plan, ImportSummary]:
    """One plan that writes every changed and new row, and the summary of it."""
    by_id = {str(e.get("id")): e for e in current if isinstance(e, Mapping)}
    summary = ImportSummary()
    for row in rows:
        old = by_id.get(row["id"])
        if old is None:
            summary.added.append(row["id"])
            continue
        before = _row(old)
        fields = [c for c in COLUMNS if c != "id" and before[c] != row[c]]
        if fields:
            summary.changed.append({"id": row["id"], "fields": fields})
        else:
            summary.unchanged += 1
    in_file = {row["id"] for row in rows}
    summary.kept = [ident for ident in by_id if ident not in in_file]
    changed = {item["id"] for item in summary.changed}

    def mutate(data: CommentedMap) -> None:
        items = list_items(data, "faq")
        for row in rows:
            if row["id"] in changed:
                item = next(i for i in items if str(i.get("id")) == row["id"])
                merge(item, _values(row))
            elif row["id"] in summary.added:
                item = CommentedMap(id=row["id"])
                merge(item, _values(row))
                items.append(item)
                items.yaml_set_comment_before_after_key(len(items) - 1, before="\n")

    count = len(summary.added) + len(summary.changed)
    plan = Plan("faq.yml", "faq", mutate, f"Importerte FAQ frå CSV ({count} oppføringar)", version)
    return plan, summary


def faq_entries(data: Any) -> list[dict[str, Any]]:
    """The ``faq`` list of ``faq.yml`` as plain data."""
    entries = plain(data.get("faq") if isinstance(data, Mapping) else None) or []
    return [e for e in entries if isinstance(e, dict)]
