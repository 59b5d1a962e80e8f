"""The knowledge base loader: valid files load; every kind of mistake is named precisely."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.kb import KnowledgeBaseError, KnowledgeBaseStore, load_knowledge_base
from bot.kb.__main__ import main as kb_check
from tests.conftest import FIXTURES, ROOT


def test_fixture_knowledge_base_loads(kb_dir: Path) -> None:
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
        [
            "service_desks.yml, line 56: locations[2] (id 'frekhaug')",
            "opening_hours.wensday",
            "unknown weekday 'wensday' — did you mean 'wednesday'?",
        ],
    ),
    (
        "service_desks.yml",
        'monday: "09:00-15:00"',
        'monday: "09:00-25:00"',
        [
            "service_desks.yml, line 20: locations[0] (id 'knarvik')",
            "opening_hours.monday",
            "25:00",
        ],
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
        ["closures.yml, line 10: exceptions[0], field 'date'", "not a date"],
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
        ["contact.yml, line 13, field 'email'", "not an e-mail address"],
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


# A misspelled key at each level of each file, an unknown placeholder, an unknown desk,
# bad municipality settings: (file, old, new, the message fragment with its line).
SCHEMA_EDITS = [
    (
        "service_desks.yml",
        "service_name:",
        "service_nam:",
        "service_desks.yml, line 5: unknown key 'service_nam' — did you mean 'service_name'?",
    ),
    (
        "service_desks.yml",
        '    opening_hours:\n      monday: "09:00-15:00"\n      tuesday: "09:00-15:00"\n'
        "      thursday",
        '    opening_hour:\n      monday: "09:00-15:00"\n      tuesday: "09:00-15:00"\n'
        "      thursday",
        "service_desks.yml, line 38: locations[1] (id 'manger'): unknown key 'opening_hour'"
        " — did you mean 'opening_hours'?",
    ),
    (
        "service_desks.yml",
        "      nn: kommunehuset på Manger",
        "      nm: kommunehuset på Manger",
        "service_desks.yml, line 34: locations[1] (id 'manger'), field 'venue.nm': "
        "unknown language 'nm'",
    ),
    (
        "service_desks.yml",
        '      tuesday: "09:00-15:00"\n      thursday',
        '      tuesday: "09:00-15:00"\n      tuesday: "10:00-15:00"\n      thursday',
        "service_desks.yml, line 41: locations[1] (id 'manger'), in 'opening_hours': 'tuesday'"
        " is given twice (only the last one counts)",
    ),
    (
        "closures.yml",
        '    hours: "10:00-14:00"',
        '    hours: "10:00-14:00"\n    locations: [mangr]',
        "closures.yml, line 21: exceptions[1], field 'locations': unknown location 'mangr' — "
        "did you mean 'manger'?",
    ),
    (
        "closures.yml",
        "public_holidays_closed:",
        "public_holiday_closed:",
        "closures.yml, line 7: unknown key 'public_holiday_closed' — did you mean "
        "'public_holidays_closed'?",
    ),
    (
        "closures.yml",
        "    reason:",
        "    reasons:",
        "closures.yml, line 12: exceptions[0]: unknown key 'reasons' — did you mean 'reason'?",
    ),
    (
        "closures.yml",
        "    sample: true",
        "    sample: maybe",
        "closures.yml, line 16: exceptions[0], field 'sample': 'maybe' is not true or false",
    ),
    (
        "contact.yml",
        "email: post@",
        "emial: post@",
        "contact.yml, line 13: unknown key 'emial' — did you mean 'email'?",
    ),
    (
        "contact.yml",
        '  number: "56 37 50 00"',
        '  numbr: "56 37 50 00"',
        "contact.yml, line 3: phone: unknown key 'numbr' — did you mean 'number'?",
    ),
    (
        "contact.yml",
        "  address:",
        "  adress:",
        "contact.yml, line 18: post: unknown key 'adress' — did you mean 'address'?",
    ),
    (
        "contact.yml",
        '    number: "113"\n    label:',
        '    number: "113"\n    lable:',
        "contact.yml, line 30: emergency[1] (id 'ambulanse'): unknown key 'lable' — did you "
        "mean 'label'?",
    ),
    (
        "services.yml",
        "services:",
        "service:",
        "services.yml, line 5: unknown key 'service' — did you mean 'services'?",
    ),
    (
        "services.yml",
        "    synonyms: [booke,",
        "    synonym: [booke,",
        "services.yml, line 24: services[1] (id 'booking'): unknown key 'synonym' — did you "
        "mean 'synonyms'?",
    ),
    (
        "services.yml",
        "      nn: Alver rådhus, kommunehuset",
        "      nn: Ring {telefon}. Alver rådhus, kommunehuset",
        "services.yml, line 13: services[0] (id 'digitalt_kundemottak'), field 'answer.nn': "
        "unknown placeholder '{telefon}'",
    ),
    ("faq.yml", "faq:\n", "faqs:\n", "faq.yml, line 6: unknown key 'faqs' — did you mean 'faq'?"),
    (
        "faq.yml",
        "    questions:",
        "    question:",
        "faq.yml, line 8: faq[0] (id 'kortare_opningstid'): unknown key 'question' — did you "
        "mean 'questions'?",
    ),
    (
        "faq.yml",
        "til {email}.",
        "til {emial}.",
        "faq.yml, line 37: faq[1] (id 'sende_dokument_digitalt'), field 'answer.nn': "
        "unknown placeholder '{emial}' — did you mean '{email}'?",
    ),
    (
        "faq.yml",
        "{hours:frekhaug}",
        "{hours:frekhag}",
        "faq.yml, line 50: faq[2] (id 'kor_mange_innbyggjarservice'), field 'answer.nn': "
        "'{hours:frekhag}' names the unknown desk 'frekhag' — did you mean 'frekhaug'?",
    ),
    (
        "faq.yml",
        "{hours:frekhaug}",
        "{hours:radhuset}",
        "field 'answer.nn': '{hours:radhuset}': 'radhuset' has no opening hours",
    ),
    ("faq.yml", "{email}.", "{hours}.", "field 'answer.nn': '{hours}' needs a desk"),
    ("faq.yml", "{email}.", "{email:x}.", "field 'answer.nn': '{email:x}' takes no ':x'"),
    (
        "municipality.yml",
        "privacy_url:",
        "privacy_link:",
        "municipality.yml, line 9: unknown key 'privacy_link' — did you mean 'privacy_url'?",
    ),
    (
        "municipality.yml",
        "  staffed: phone_hours",
        "  staff: phone_hours",
        "municipality.yml, line 18: chat: unknown key 'staff' — did you mean 'staffed'?",
    ),
    (
        "municipality.yml",
        "  - brand_colour",
        "  - brand_color",
        "municipality.yml, line 23, field 'sample[2]': unknown key 'brand_color' — did you "
        "mean 'brand_colour'?",
    ),
    (
        "municipality.yml",
        'brand_colour: "#0b4f6c"',
        "brand_colour: blue",
        "municipality.yml, line 13, field 'brand_colour': 'blue' is not a colour like #0b4f6c",
    ),
    (
        "municipality.yml",
        "privacy_url: https://",
        "privacy_url: ",
        "municipality.yml, line 9, field 'privacy_url': 'www.alver.kommune.no/personvern' is "
        "not a web address",
    ),
    (
        "municipality.yml",
        "  staffed: phone_hours",
        "  staffed: always",
        "municipality.yml, line 18: chat, field 'staffed': 'always' is not one of phone_hours, "
        "never",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), SCHEMA_EDITS)
def test_schema_names_file_line_and_key(
    kb_dir: Path, file: str, old: str, new: str, expected: str
) -> None:
    _replace(kb_dir / file, old, new)
    with pytest.raises(KnowledgeBaseError) as error:
        load_knowledge_base(kb_dir)
    assert any(expected in problem for problem in error.value.problems), error.value.problems


def test_sample_and_source_are_allowed_where_used(kb_dir: Path) -> None:
    """Every file of the fixture uses `sample:` or `source:`; none is an unknown key."""
    used = {
        name: (kb_dir / name).read_text(encoding="utf-8")
        for name in ("service_desks.yml", "closures.yml", "contact.yml", "faq.yml")
    }
    assert all("sample:" in text or "source:" in text for text in used.values())
    load_knowledge_base(kb_dir)


def test_misspelled_key_fails_the_editor_check_command(tmp_path: Path) -> None:
    """`python -m bot.kb check` (what `make kb-check` runs) on a copy with misspelled keys."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot.kb", "check", str(FIXTURES / "knowledge_base_misspelled")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout
    assert "OK" not in result.stdout
    for line in (
        "service_desks.yml, line 34: locations[1] (id 'manger'): unknown key 'opening_hour'"
        " — did you mean 'opening_hours'?",
        "contact.yml, line 3: phone: unknown key 'numbers' — did you mean 'number'?",
        "faq.yml, line 28: faq[1] (id 'sende_dokument_digitalt'), field 'answer.nn': "
        "unknown placeholder '{emial}' — did you mean '{email}'?",
        "faq.yml, line 41: faq[2] (id 'kor_mange_innbyggjarservice'), field 'answer.nn': "
        "'{hours:frekhag}' names the unknown desk 'frekhag' — did you mean 'frekhaug'?",
    ):
        assert f"  - {line}\n" in result.stderr, result.stderr


def test_editor_check_lists_municipality_sample_keys(
    kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kb_check(["check", str(kb_dir)]) == 0
    out = capsys.readouterr().out
    for key in ("privacy_url", "search_url", "brand_colour"):
        assert f"  - municipality.yml: {key}\n" in out
