"""Editor's check of the knowledge base: ``python -m bot.kb check [folder]``."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.kb.kbfile import InvalidChange, validate_texts
from bot.kb.loader import KnowledgeBaseError, load_knowledge_base
from bot.kb.store import DEFAULT_DIRECTORY


def main(argv: list[str]) -> int:
    """Validates the knowledge base and lists entries still marked as sample content.

    Checks every file's keys against the schema (bot/kb/schema.py), every value, the
    references between files (desk ids in closures.yml, placeholders in answers) and
    lists what is still marked ``sample``. Returns 1 if anything is wrong, 2 on bad usage.
    """
    if not argv or argv[0] != "check":
        print("usage: python -m bot.kb check [knowledge_base folder]", file=sys.stderr)
        return 2
    folder = argv[1] if len(argv) > 1 else str(DEFAULT_DIRECTORY)
    try:
        kb = load_knowledge_base(folder)
    except KnowledgeBaseError as error:
        print(error, file=sys.stderr)
        return 1
    try:  # the editors' own versions of the catalogue's texts (issue 8), if any
        validate_texts(Path(folder))
    except InvalidChange as error:
        print("texts.yml has problems; fix them and save again:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(
        f"OK: {len(kb.locations)} locations, {len(kb.exceptions)} closures, "
        f"{len(kb.services)} services, {len(kb.faq)} FAQ entries; every key, place and "
        "placeholder is known."
    )
    if kb.sample_entries:
        print(f"{len(kb.sample_entries)} entries are sample content for editors to verify:")
        for entry in kb.sample_entries:
            print(f"  - {entry}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
