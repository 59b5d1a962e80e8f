"""The knowledge base loader: valid files load; every kind of mistake is named precisely."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.kb import KnowledgeBaseError, KnowledgeBaseStore, load_knowledge_base
from bot.kb.__main__ import main as kb_check


def test_real_knowledge_base_loads(kb_dir: Path) -> None:
    kb = load_knowledge_base(kb_dir)
    assert [loc.id for loc in kb.desks] == ["knarvik", "manger", "frekhaug"]
    assert sorted(kb.location("manger").opening_hours) == ["monday", "thursday", "tuesday"]
    assert sorted(kb.location("frekhaug").opening_hours) == ["friday", "wednesday"]
    assert kb.contact.phone == "56 37 50 00"
    assert kb.contact.email == "post@alver.kommune.no"
    assert {n.number for n in kb.contact.emergency} == {"116 117", "113", "110", "112"}
    assert {s.id for s in kb.services} >= {
        "digitalt_kundemottak",
        "booking",
        "min_side",
        "skjema",
        "byggesak",
    }
    assert all(f.answer.nn and f.answer.nb and f.questions for f in kb.faq)
    assert "faq.yml: eigedomsskatt" in kb.sample_entries


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD_EDITS = [
    # (file, old, new, words the error must contain)
    (
        "service_desks.yml",
        '      wednesday: "09:00-15:00"\n      friday',
        '      wensday: "09:00-15:00"\n      friday',
        ["service_desks.yml", "frekhaug", "opening_hours.wensday", "unknown weekday"],
    ),
    (
        "service_desks.yml",
        'monday: "09:00-15:00"',
        'monday: "09:00-25:00"',
        ["service_desks.yml", "knarvik", "opening_hours.monday", "25:00"],
    ),
    (
        "service_desks.yml",
        'monday: "09:00-15:00"',
        'monday: "15:00-09:00"',
        ["knarvik", "opening_hours.monday", "closes at 09:00"],
    ),
    (
        "service_desks.yml",
        'monday: "09:00-15:00"',
        'monday: "ni til tre"',
        ["knarvik", "opening_hours.monday", "not a time range"],
    ),
    (
        "services.yml",
        "      nb: Du kan booke møte",
        "      xx: Du kan booke møte",
        ["services.yml", "booking", "answer.nb", "Bokmål text is missing"],
    ),
    (
        "faq.yml",
        "  - id: barnehageplass",
        "  - id: eigedomsskatt",
        ["faq.yml", "eigedomsskatt", "duplicate id"],
    ),
    (
        "closures.yml",
        "  - date: 2026-12-24",
        "  - date: 2026-13-24",
        ["closures.yml", "exceptions[0]", "not a date"],
    ),
    (
        "closures.yml",
        '    hours: "10:00-14:00"',
        '    hours: "10:00-14:00"\n    locations: [bergen]',
        ["closures.yml", "exceptions[1]", "unknown location 'bergen'"],
    ),
    ("contact.yml", "  - id: legevakt", "  - id: vakt", ["contact.yml", "emergency", "legevakt"]),
    (
        "contact.yml",
        "email: post@alver.kommune.no",
        "email: post-alver",
        ["contact.yml", "email", "not an e-mail address"],
    ),
    ("faq.yml", "faq:\n", "faq:\n  - [broken\n", ["faq.yml", "not valid YAML", "line"]),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), BAD_EDITS)
def test_bad_file_names_file_entry_and_field(
    kb_dir: Path, file: str, old: str, new: str, expected: list[str]
) -> None:
    _replace(kb_dir / file, old, new)
    with pytest.raises(KnowledgeBaseError) as error:
        load_knowledge_base(kb_dir)
    message = str(error.value)
    for word in expected:
        assert word in message, f"{word!r} missing from: {message}"


def test_missing_file_is_named(kb_dir: Path) -> None:
    (kb_dir / "faq.yml").unlink()
    with pytest.raises(KnowledgeBaseError, match="faq.yml: the file is missing"):
        load_knowledge_base(kb_dir)


def test_all_problems_are_reported_at_once(kb_dir: Path) -> None:
    _replace(kb_dir / "service_desks.yml", 'monday: "09:00-15:00"', 'monday: "09:00-25:00"')
    _replace(kb_dir / "faq.yml", "  - id: barnehageplass", "  - id: eigedomsskatt")
    with pytest.raises(KnowledgeBaseError) as error:
        load_knowledge_base(kb_dir)
    assert len(error.value.problems) == 2


def test_store_reloads_changes_and_keeps_last_good(kb_dir: Path) -> None:
    store = KnowledgeBaseStore(kb_dir, check_interval=0)
    assert store.get().contact.phone == "56 37 50 00"

    _replace(kb_dir / "contact.yml", 'number: "56 37 50 00"', 'number: "56 37 50 01"')
    assert store.get().contact.phone == "56 37 50 01"
    assert store.last_error is None

    time.sleep(0.01)  # a new mtime even on coarse file systems
    _replace(kb_dir / "service_desks.yml", 'monday: "09:00-15:00"', 'monday: "09:00-25:00"')
    kb = store.get()
    assert kb.contact.phone == "56 37 50 01", "a bad edit must not replace the good knowledge base"
    assert store.last_error is not None and "25:00" in store.last_error


def test_first_load_of_a_bad_folder_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="missing"):
        KnowledgeBaseStore(tmp_path)


def test_editor_check_command(kb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kb_check(["check", str(kb_dir)]) == 0
    assert "sample content" in capsys.readouterr().out
    _replace(kb_dir / "service_desks.yml", 'monday: "09:00-15:00"', 'monday: "09:00-25:00"')
    assert kb_check(["check", str(kb_dir)]) == 1
    assert "opening_hours.monday" in capsys.readouterr().err
    assert kb_check([]) == 2
