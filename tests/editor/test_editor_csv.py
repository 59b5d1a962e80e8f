"""The FAQ spreadsheet (issue 8): export, parse, and what an import would change."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.editor.csvio import CsvProblem, export_csv, faq_entries, import_plan, parse_csv
from bot.kb.kbfile import read_entry


def _faq(kb_dir: Path) -> list[dict]:
    data, _ = read_entry(kb_dir, "", "faq.yml")
    return faq_entries(data)


def test_editor_csv_round_trip_changes_nothing(kb_dir: Path) -> None:
    faq = _faq(kb_dir)
    rows = parse_csv(export_csv(faq))
    assert [row["id"] for row in rows] == [entry["id"] for entry in faq]
    _, summary = import_plan(rows, faq, None)
    assert summary.as_json() == {"added": [], "changed": [], "unchanged": len(faq), "kept": []}


def test_editor_csv_reads_semicolons_and_bom(kb_dir: Path) -> None:
    text = "\ufeffid;questions;answer_nn;answer_nb;sample\nny;kva er dette;Svar;Svar;ja\n"
    assert parse_csv(text) == [
        {
            "id": "ny",
            "questions": "kva er dette",
            "answer_nn": "Svar",
            "answer_nb": "Svar",
            "answer_en": "",
            "link": "",
            "sample": "ja",
        }  # fmt: skip
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,questions,answer_nn\nx,q,a\n", "answer_nb"),
        ("id,questions,answer_nn,answer_nb,sample\nx,q,a,b,kanskje\n", "Rad 2, kolonne sample"),
        ("id,questions,answer_nn,answer_nb\nx,q,a,b\nx,q,a,b\n", "Rad 3: id-en x står to gonger"),
    ],
)
def test_editor_csv_problems_name_row_and_column(text: str, message: str) -> None:
    with pytest.raises(CsvProblem, match=message):
        parse_csv(text)


def test_editor_csv_summary_names_changed_fields_and_kept_entries(kb_dir: Path) -> None:
    faq = _faq(kb_dir)
    rows = parse_csv(export_csv(faq))
    rows[0]["link"] = "https://www.alver.kommune.no/ny"
    rows[0]["sample"] = "ja"
    dropped = rows.pop()
    _, summary = import_plan(rows, faq, None)
    assert summary.changed == [{"id": rows[0]["id"], "fields": ["link", "sample"]}]
    assert summary.kept == [dropped["id"]]
