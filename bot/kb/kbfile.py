"""Reading, checking and writing one knowledge-base file for :mod:`bot.kb.writer`.

The round-trip YAML (ruamel.yaml: comments, order and quoting kept), entry addressing
(``faq:<id>``, ``locations:<id>``, ``exceptions``, ``""``), versions (a hash of an entry's
content), validation of a changed folder and the atomic write. The writer's errors live
here too, so that every module of the writer raises the same ones.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from bot.kb.changelog import Change
from bot.kb.loader import FILES, KnowledgeBaseError, load_knowledge_base

__all__ = [
    "LIST_KEYS",
    "ChangeConflict",
    "EntryNotFound",
    "InvalidChange",
    "Validator",
    "current_version",
    "plain",
    "read_entry",
    "validate_knowledge_base",
    "validate_texts",
    "version_of",
]

LIST_KEYS = {"faq": "faq.yml", "locations": "service_desks.yml", "services": "services.yml"}
"""Entry kinds addressed as ``kind:id`` and the file they are in."""
_save_lock = threading.Lock()
Validator = Callable[[Path], None]


class InvalidChange(ValueError):
    """The change would make the knowledge base invalid; nothing was written.

    Attributes:
        problems: One line per problem, naming file, line, entry and field.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "The change was not saved, because the knowledge base would have "
            f"{len(problems)} problem(s): " + "; ".join(problems)
        )


class ChangeConflict(RuntimeError):
    """Someone else saved the entry after the caller read it; nothing was written.

    Attributes:
        change: The other person's change (who and when), if it is in the log.
    """

    def __init__(self, message: str, change: Change | None) -> None:
        self.change = change
        super().__init__(message)


class EntryNotFound(KeyError):
    """No entry with that id (or no such change); nothing was written."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True  # type: ignore[assignment]
    yaml.width = 4096  # type: ignore[assignment]  # never re-wrap long answers
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _load(text: str) -> CommentedMap:
    data = _yaml().load(text) if text.strip() else None
    return data if isinstance(data, CommentedMap) else CommentedMap()


def _dump(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def plain(value: Any) -> Any:
    """``value`` as plain dicts, lists and JSON scalars (dates as ``YYYY-MM-DD``)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def version_of(value: Any) -> str:
    """A short hash of an entry's content: what a save must name to prove it is current."""
    canonical = json.dumps(plain(value), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _file_of(entry: str, file: str | None) -> str:
    kind = entry.partition(":")[0]
    if kind in LIST_KEYS:
        return LIST_KEYS[kind]
    if entry == "exceptions":
        return "closures.yml"
    if file is None:
        raise EntryNotFound(f"Say which file the entry '{entry}' is in.")
    return file


def _index(data: Mapping[str, Any], entry: str) -> int | None:
    kind, _, ident = entry.partition(":")
    items = data.get(kind)
    if not isinstance(items, list):
        return None
    for index, item in enumerate(items):
        if isinstance(item, Mapping) and str(item.get("id")) == ident:
            return index
    return None


def _locate(data: Mapping[str, Any], entry: str) -> Any:
    """The value of ``entry`` in a file's data (None if it is not there)."""
    if not entry:
        return data
    if ":" not in entry:
        return data.get(entry)
    index = _index(data, entry)
    return None if index is None else data[entry.partition(":")[0]][index]


def _read(directory: Path, file: str) -> str:
    path = directory / file
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def read_entry(directory: Path, entry: str, file: str | None = None) -> tuple[Any, str]:
    """An entry's plain content and its version.

    Raises:
        EntryNotFound: If there is no such entry.
    """
    value = _locate(_load(_read(directory, _file_of(entry, file))), entry)
    if value is None and entry:
        raise EntryNotFound(f"There is no entry '{entry}' (any more); reload the page.")
    return plain(value), version_of(value)


def current_version(directory: Path, entry: str, file: str | None = None) -> str:
    """The version of ``entry`` now (of an empty value if it does not exist)."""
    return version_of(_locate(_load(_read(directory, _file_of(entry, file))), entry))


def validate_knowledge_base(folder: Path) -> None:
    """The loader's rules on a whole folder; raises :class:`InvalidChange`."""
    try:
        load_knowledge_base(folder)
    except KnowledgeBaseError as error:
        raise InvalidChange(error.problems) from None


def validate_texts(folder: Path) -> None:
    """The rules of the editors' text overrides (``texts.yml``); raises :class:`InvalidChange`."""
    from bot.messages import OVERRIDES_FILE, override_problems  # the catalogue's own rules

    path = folder / OVERRIDES_FILE
    data = _yaml().load(path.read_text(encoding="utf-8")) if path.is_file() else None
    problems = override_problems(plain(data) if data is not None else None)
    if problems:
        raise InvalidChange(problems)


def _validate(directory: Path, file: str, text: str, validator: Validator) -> None:
    with tempfile.TemporaryDirectory(prefix="kb-check-") as temporary:
        folder = Path(temporary)
        for name in {*FILES, file}:
            source = directory / name
            if source.is_file():
                shutil.copyfile(source, folder / name)
        (folder / file).write_text(text, encoding="utf-8")
        validator(folder)


def _atomic_write(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
