"""Knowledge-base fields of issue 7: generic desk words, addresses, FAQ synonyms."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb import KnowledgeBase, KnowledgeBaseError, load_knowledge_base


def test_fixture_has_addresses_generic_words_and_synonyms(kb: KnowledgeBase) -> None:
    for location in kb.locations:
        assert location.address is not None, location.id
        assert location.address.map_url.startswith("https://www.openstreetmap.org/search?")
        assert location.address.get("nn") and location.address.get("nb")
        assert location.address.sample  # until an editor has checked it
    assert "service_desks.yml: manger.address" in kb.sample_entries
    assert {"servicetorg", "resepsjon", "kontor"} <= set(kb.generic_words)
    assert ("barnehage", "bhg", "barnehagen", "barnehageplass") in kb.faq_synonyms


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "service_desks.yml",
            "  - servicetorg\n",
            "  - servicetorg\n  - Knarvik Senter\n",
            "'Knarvik Senter' is also a name of the place 'knarvik'",
        ),
        (
            "service_desks.yml",
            "map_url: https://www.openstreetmap.org/search?query=Manger",
            "map_url: www.openstreetmap.org/search?query=Manger",
            "locations[1] (id 'manger'), field 'address.map_url'",
        ),
        (
            "service_desks.yml",
            'text: {nn: "Kommunehuset på Frekhaug", ',
            "text: {",
            "field 'address.text.nn': the Nynorsk text is missing",
        ),
        (
            "faq.yml",
            "  - [dokument, papir, vedlegg]\n",
            "  - [dokument]\n",
            "a group needs at least two words",
        ),
    ],
)
def test_mistakes_are_named(kb_dir: Path, file: str, old: str, new: str, message: str) -> None:
    path = kb_dir / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as error:
        load_knowledge_base(kb_dir)
    assert message in str(error.value)
