"""The knowledge-base writer (issue 8): round trip, validation, conflicts, history, undo."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.kb import load_knowledge_base
from bot.kb.changelog import MemoryChangeLog, configure_change_log
from bot.kb.writer import (
    ChangeConflict,
    EntryNotFound,
    InvalidChange,
    add_faq_phrasing,
    create_faq_entry,
    read_entry,
    retire_faq_entry,
    undo,
    update_entry,
)


@pytest.fixture(autouse=True)
def fresh_log() -> Iterator[MemoryChangeLog]:
    log = MemoryChangeLog()
    configure_change_log(log)
    yield log
    configure_change_log(MemoryChangeLog())


def _faq(kb_dir: Path, ident: str) -> object:
    return next(entry for entry in load_knowledge_base(kb_dir).faq if entry.id == ident)


def test_editor_add_phrasing_keeps_comments_and_other_lines(kb_dir: Path) -> None:
    before = (kb_dir / "faq.yml").read_text(encoding="utf-8")
    change = add_faq_phrasing(
        kb_dir, "eigedomsskatt", "  kva kostar  eigedomsskatten ", account="eva"
    )
    after = (kb_dir / "faq.yml").read_text(encoding="utf-8")
    assert change.file == "faq.yml" and change.id == 1 and "eigedomsskatt" in change.summary
    assert "kva kostar eigedomsskatten" in _faq(kb_dir, "eigedomsskatt").questions  # type: ignore[attr-defined]
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["      - kva kostar eigedomsskatten"]
    assert after.startswith("# Frequently asked questions.")
    assert "+      - kva kostar eigedomsskatten" in change.diff
    assert change.previous == before and change.account == "eva"


@pytest.mark.parametrize(
    ("entry_id", "phrasing", "error"),
    [
        ("finst_ikkje", "eit spørsmål", EntryNotFound),
        ("eigedomsskatt", "   ", InvalidChange),
        ("eigedomsskatt", "Eigedomsskatt", InvalidChange),
    ],
)
def test_editor_add_phrasing_refuses(
    kb_dir: Path, entry_id: str, phrasing: str, error: type[Exception]
) -> None:
    before = (kb_dir / "faq.yml").read_text(encoding="utf-8")
    with pytest.raises(error):
        add_faq_phrasing(kb_dir, entry_id, phrasing, account="eva")
    assert (kb_dir / "faq.yml").read_text(encoding="utf-8") == before


def test_editor_create_faq_entry_is_loaded(kb_dir: Path) -> None:
    entry = {
        "id": "hundeskatt",
        "questions": ["må eg betale hundeskatt", "må jeg betale hundeskatt"],
        "answer": {
            "nn": "Nei, Alver har ikkje hundeskatt.",
            "nb": "Nei, Alver har ikke hundeskatt.",
        },
        "link": "https://www.alver.kommune.no",
        "sample": True,
    }
    change = create_faq_entry(kb_dir, entry, account="eva")
    assert change.entry == "faq:hundeskatt"
    created = _faq(kb_dir, "hundeskatt")
    assert created.answer.nb == "Nei, Alver har ikke hundeskatt."  # type: ignore[attr-defined]
    assert "\n\n  - id: hundeskatt\n" in (kb_dir / "faq.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"id": "x1", "questions": ["q"], "answer": {"nn": "Svar"}}, "answer.nb"),
        ({"id": "x2", "questions": [], "answer": {"nn": "a", "nb": "b"}}, "questions"),
        ({"id": "Ugyldig id", "questions": ["q"], "answer": {"nn": "a", "nb": "b"}}, "'id'"),
        (
            {"id": "eigedomsskatt", "questions": ["q"], "answer": {"nn": "a", "nb": "b"}},
            "duplicate",
        ),
        (
            {"id": "x3", "questions": ["q"], "answer": {"nn": "Ring {telefon}", "nb": "b"}},
            "telefon",
        ),
    ],
)
def test_editor_invalid_entry_writes_nothing(kb_dir: Path, entry: dict, problem: str) -> None:
    before = (kb_dir / "faq.yml").read_text(encoding="utf-8")
    with pytest.raises(InvalidChange) as caught:
        create_faq_entry(kb_dir, entry, account="eva")
    assert any(problem in line for line in caught.value.problems), caught.value.problems
    assert (kb_dir / "faq.yml").read_text(encoding="utf-8") == before
    assert not [p for p in kb_dir.iterdir() if p.name.startswith(".")]


def test_editor_write_is_atomic_and_keeps_permissions(kb_dir: Path) -> None:
    path = kb_dir / "faq.yml"
    os.chmod(path, 0o640)
    add_faq_phrasing(kb_dir, "eigedomsskatt", "eigedomsskatt frist", account="eva")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in kb_dir.iterdir() if p.name.startswith(".")) == []


def test_editor_conflict_names_who_and_keeps_the_file(kb_dir: Path) -> None:
    _, version = read_entry(kb_dir, "faq:eigedomsskatt")
    answer = {"nn": "Første versjon.", "nb": "Første versjon."}
    update_entry(
        kb_dir,
        "faq:eigedomsskatt",
        {"answer": answer},
        account="kari",
        version=version,
        summary="s",
    )
    saved = (kb_dir / "faq.yml").read_text(encoding="utf-8")
    with pytest.raises(ChangeConflict) as caught:
        update_entry(
            kb_dir,
            "faq:eigedomsskatt",
            {"answer": {"nn": "Andre.", "nb": "Andre."}},
            account="ola",
            version=version,
            summary="s",
        )
    assert "kari saved 'faq:eigedomsskatt'" in str(caught.value)
    assert caught.value.change is not None and caught.value.change.account == "kari"
    assert (kb_dir / "faq.yml").read_text(encoding="utf-8") == saved


def test_editor_other_entry_saved_meanwhile_is_no_conflict(kb_dir: Path) -> None:
    _, version = read_entry(kb_dir, "faq:eigedomsskatt")
    add_faq_phrasing(kb_dir, "barnehageplass", "bhg plass", account="kari")
    update_entry(
        kb_dir,
        "faq:eigedomsskatt",
        {"sample": None},
        account="ola",
        version=version,
        summary="kontrollert",
    )
    assert _faq(kb_dir, "eigedomsskatt").sample is False  # type: ignore[attr-defined]
    assert "bhg plass" in _faq(kb_dir, "barnehageplass").questions  # type: ignore[attr-defined]


def test_editor_undo_restores_previous_answer(kb_dir: Path) -> None:
    original = (kb_dir / "faq.yml").read_text(encoding="utf-8")
    old_answer = _faq(kb_dir, "eigedomsskatt").answer.nn  # type: ignore[attr-defined]
    _, version = read_entry(kb_dir, "faq:eigedomsskatt")
    change = update_entry(
        kb_dir,
        "faq:eigedomsskatt",
        {"answer": {"nn": "Nytt svar.", "nb": "Nytt svar."}},
        account="kari",
        version=version,
        summary="nytt svar",
    )
    assert _faq(kb_dir, "eigedomsskatt").answer.nn == "Nytt svar."  # type: ignore[attr-defined]
    undone = undo(kb_dir, change.id, account="ola")
    assert undone.undoes == change.id and undone.account == "ola"
    assert _faq(kb_dir, "eigedomsskatt").answer.nn == old_answer  # type: ignore[attr-defined]
    assert (kb_dir / "faq.yml").read_text(encoding="utf-8") == original


def test_editor_undo_one_entry_keeps_later_changes_to_others(kb_dir: Path) -> None:
    first = add_faq_phrasing(kb_dir, "eigedomsskatt", "skatt på huset", account="kari")
    add_faq_phrasing(kb_dir, "barnehageplass", "bhg plass", account="ola")
    undo(kb_dir, first.id, account="kari")
    assert "skatt på huset" not in _faq(kb_dir, "eigedomsskatt").questions  # type: ignore[attr-defined]
    assert "bhg plass" in _faq(kb_dir, "barnehageplass").questions  # type: ignore[attr-defined]


def test_editor_undo_refused_when_entry_changed_again(kb_dir: Path) -> None:
    first = add_faq_phrasing(kb_dir, "eigedomsskatt", "skatt på huset", account="kari")
    add_faq_phrasing(kb_dir, "eigedomsskatt", "skatt på hytta", account="ola")
    with pytest.raises(ChangeConflict, match="undo the later change first"):
        undo(kb_dir, first.id, account="kari")


def test_editor_retire_and_undo_brings_entry_back_in_place(kb_dir: Path) -> None:
    ids = [entry.id for entry in load_knowledge_base(kb_dir).faq]
    _, version = read_entry(kb_dir, "faq:eigedomsskatt")
    change = retire_faq_entry(kb_dir, "eigedomsskatt", account="kari", version=version)
    assert "eigedomsskatt" not in [entry.id for entry in load_knowledge_base(kb_dir).faq]
    add_faq_phrasing(kb_dir, "barnehageplass", "bhg plass", account="ola")
    undo(kb_dir, change.id, account="kari")
    assert [entry.id for entry in load_knowledge_base(kb_dir).faq] == ids


def test_editor_undo_unknown_change(kb_dir: Path) -> None:
    with pytest.raises(EntryNotFound):
        undo(kb_dir, 99, account="kari")


def test_editor_sql_change_log_records_and_finds(tmp_path: Path, kb_dir: Path) -> None:
    from bot.handoff import HandoffStore
    from bot.handoff.kb_changes import KbChangeRepository

    store = HandoffStore(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    try:
        log = KbChangeRepository(store.engine)
        configure_change_log(log)
        change = add_faq_phrasing(kb_dir, "eigedomsskatt", "skatt på huset", account="kari")
        assert log.get(change.id) == change
        assert log.last_for("faq.yml", "faq:eigedomsskatt") == change
        assert log.last_for("faq.yml", "faq:barnehageplass") is None
        assert [c.id for c in log.recent(file="faq.yml")] == [change.id]
        undo(kb_dir, change.id, account="ola")
        assert [c.account for c in log.recent()] == ["ola", "kari"]
    finally:
        store.close()
