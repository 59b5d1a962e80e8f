"""The one way to change the knowledge base: validated, atomic, recorded, undoable.

Every change goes through :func:`save`:

1. the file is read with ruamel.yaml's round trip, so comments, order and quoting stay;
2. optimistic concurrency: the caller's ``version`` of the entry (from :func:`version_of`
   on what it read) must still be the current one, else :class:`ChangeConflict` names who
   changed it and when (the caller keeps the editor's input and shows it again);
3. the change is applied and the WHOLE resulting knowledge base is validated with the
   loader's rules in a temporary folder (:class:`InvalidChange` lists the problems);
4. the file is written atomically (temporary file + ``os.replace``, same permissions);
5. the change is recorded in the change log (:mod:`bot.kb.changelog`) with a unified diff
   and the previous text, so that :func:`undo` can restore it.

Entries are named ``faq:<id>`` and ``locations:<id>`` (one list item), ``exceptions``
(the closures list) or ``""`` (the whole file).
"""

from __future__ import annotations

import difflib
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
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.kb.changelog import Change, ChangeLog, change_log, utc_now
from bot.kb.loader import FILES, KnowledgeBaseError, load_knowledge_base

__all__ = [
    "Change",
    "ChangeConflict",
    "EntryNotFound",
    "InvalidChange",
    "LIST_KEYS",
    "add_faq_phrasing",
    "create_faq_entry",
    "current_version",
    "entry_position",
    "list_items",
    "merge",
    "plain",
    "read_entry",
    "retire_faq_entry",
    "save",
    "undo",
    "update_entry",
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


def _conflict(file: str, entry: str) -> ChangeConflict:
    last = change_log().last_for(file, entry)
    if last is None:
        message = (
            f"'{entry or file}' was changed in the file after you opened it. "
            "Your input is kept: compare it with the current version and save again."
        )
    else:
        message = (
            f"{last.account} saved '{entry or file}' at {last.at:%Y-%m-%d %H:%M} UTC after "
            "you opened it. Your input is kept: compare it with the current version and "
            "save again."
        )
    return ChangeConflict(message, last)


def save(
    directory: Path,
    file: str,
    mutate: Callable[[CommentedMap], None],
    *,
    account: str,
    entry: str,
    summary: str,
    version: str | None = None,
    validator: Validator = validate_knowledge_base,
    undoes: int | None = None,
    log: ChangeLog | None = None,
) -> Change:
    """Apply ``mutate`` to one file's data, validate, write atomically and record it.

    Args:
        directory: The knowledge-base folder.
        file: The file's name (``faq.yml``).
        mutate: Changes the round-trip data in place.
        account: Who saves (a username).
        entry: What is changed (see the module doc).
        summary: One line for the history.
        version: The entry's version the caller read; None skips the check (an addition).
        validator: Checks a folder with the changed file (default: the loader's rules).
        undoes: The change this one undoes.
        log: Where to record it (default: the process's change log).

    Raises:
        ChangeConflict: ``version`` is not the current one.
        InvalidChange: The result would not be valid.
    """
    directory = Path(directory)
    with _save_lock:
        before = _read(directory, file)
        data = _load(before)
        if version is not None and version_of(_locate(data, entry)) != version:
            raise _conflict(file, entry)
        mutate(data)
        after = _dump(data)
        if after == before:
            raise InvalidChange([f"{file}: nothing changed; there is nothing to save"])
        _validate(directory, file, after, validator)
        _atomic_write(directory / file, after)
        diff = "".join(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile=f"{file} (before)",
                tofile=f"{file} (after)",
            )
        )
        change = Change(
            id=0,
            file=file,
            entry=entry,
            summary=summary,
            account=account,
            at=utc_now(),
            diff=diff,
            previous=before,
            content=after,
            undoes=undoes,
        )
        return (log or change_log()).record(change)


def _items(data: CommentedMap, kind: str) -> CommentedSeq:
    items = data.get(kind)
    if not isinstance(items, list):
        items = CommentedSeq()
        data[kind] = items
    return items


def merge(item: CommentedMap, values: Mapping[str, Any]) -> None:
    """Set each key of ``values`` on ``item``; None, ``""`` and ``[]`` remove the key.

    A mapping is merged into the mapping already there, key by key, so that keys the
    caller does not send (``source``) and their comments stay.
    """
    for key, value in values.items():
        if value is None or value == "" or value == []:
            item.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(item.get(key), CommentedMap):
            merge(item[key], value)
            if not item[key]:
                item.pop(key)
        elif isinstance(value, Mapping):
            fresh = CommentedMap()
            merge(fresh, value)
            if fresh:
                item[key] = fresh
        else:
            item[key] = value


def _need(data: CommentedMap, entry: str) -> int:
    index = _index(data, entry)
    if index is None:
        raise EntryNotFound(f"There is no entry '{entry}' (any more); reload the page.")
    return index


def add_faq_phrasing(directory: Path, entry_id: str, phrasing: str, *, account: str) -> Change:
    """Add one question phrasing to the FAQ entry ``entry_id``.

    Raises:
        EntryNotFound: No FAQ entry has that id.
        InvalidChange: The phrasing is empty or the entry already has it.
    """
    text = " ".join(str(phrasing).split())
    entry = f"faq:{entry_id}"

    def mutate(data: CommentedMap) -> None:
        item = _items(data, "faq")[_need(data, entry)]
        questions = item.get("questions")
        if not isinstance(questions, list):
            questions = CommentedSeq()
            item["questions"] = questions
        if not text:
            raise InvalidChange([f"faq.yml: {entry}, field 'questions': the phrasing is empty"])
        if text.casefold() in (str(q).casefold() for q in questions):
            raise InvalidChange(
                [f"faq.yml: {entry}, field 'questions': '{text}' is already a phrasing"]
            )
        questions.append(text)

    summary = f"La til formuleringa «{text}» i FAQ-en {entry_id}"
    return save(directory, "faq.yml", mutate, account=account, entry=entry, summary=summary)


def create_faq_entry(directory: Path, entry: Mapping[str, Any], *, account: str) -> Change:
    """Add a new FAQ entry (``id``, ``questions``, ``answer`` {nn, nb[, en]}, ``link`` ...).

    Raises:
        InvalidChange: The entry is invalid (e.g. its id is taken or a text is missing).
    """
    ident = str(entry.get("id") or "").strip()
    values = {key: value for key, value in entry.items() if key != "id"}

    def mutate(data: CommentedMap) -> None:
        item = CommentedMap(id=ident)
        merge(item, values)
        items = _items(data, "faq")
        items.append(item)
        if len(items) > 1:  # a blank line between entries, like the rest of the file
            items.yaml_set_comment_before_after_key(len(items) - 1, before="\n")

    summary = f"Ny FAQ: {ident}"
    return save(
        directory, "faq.yml", mutate, account=account, entry=f"faq:{ident}", summary=summary
    )


def update_entry(
    directory: Path,
    entry: str,
    values: Mapping[str, Any],
    *,
    account: str,
    version: str,
    summary: str,
    file: str | None = None,
) -> Change:
    """Change some keys of one entry (``faq:<id>``, ``locations:<id>``) or of a whole file.

    ``values`` maps keys to their new value; None or ``""`` removes the key (e.g.
    ``{"sample": None}`` when the municipality has checked it). Other keys stay as they
    are, with their comments.
    """
    target = _file_of(entry, file)

    def mutate(data: CommentedMap) -> None:
        item = data if not entry else _items(data, entry.partition(":")[0])[_need(data, entry)]
        merge(item, values)

    return save(
        directory, target, mutate, account=account, entry=entry, summary=summary, version=version
    )


def retire_faq_entry(directory: Path, entry_id: str, *, account: str, version: str) -> Change:
    """Remove the FAQ entry ``entry_id`` (the history keeps it, and undo brings it back)."""
    entry = f"faq:{entry_id}"

    def mutate(data: CommentedMap) -> None:
        del _items(data, "faq")[_need(data, entry)]

    summary = f"Tok bort FAQ-en {entry_id}"
    return save(
        directory, "faq.yml", mutate, account=account, entry=entry, summary=summary, version=version
    )


def _restore_entry(data: CommentedMap, entry: str, old: Any, position: int | None) -> None:
    kind = entry.partition(":")[0]
    items = _items(data, kind)
    index = _index(data, entry)
    if old is None and index is not None:
        del items[index]
    elif old is not None and index is not None:
        items[index] = old
    elif old is not None:
        items.insert(min(position if position is not None else len(items), len(items)), old)


def undo(
    directory: Path, change_id: int, *, account: str, validator: Validator | None = None
) -> Change:
    """Undo one change: restore the entry (or the file) as it was before it.

    An entry is restored even if other entries of the file changed since; if the entry
    itself changed again since, that later change must be undone first.

    Raises:
        EntryNotFound: There is no such change.
        ChangeConflict: The entry (or file) was changed again after ``change_id``.
        InvalidChange: The restored knowledge base would not be valid.
    """
    change = change_log().get(change_id)
    if change is None or change.file not in {*FILES, "texts.yml"}:
        raise EntryNotFound(f"There is no change number {change_id} to undo.")
    check = validator or (validate_texts if change.file == "texts.yml" else validate_knowledge_base)
    summary = f"Angra endring {change.id} ({change.summary})"
    current = _read(Path(directory), change.file)
    if current == change.content:
        return _restore_file(directory, change, summary, account, check)
    if ":" not in change.entry:
        raise _later(change)
    before, after = _load(change.previous), _load(change.content)
    if version_of(_locate(_load(current), change.entry)) != version_of(
        _locate(after, change.entry)
    ):
        raise _later(change)
    old = _locate(before, change.entry)
    position = _index(before, change.entry)
    return save(
        directory,
        change.file,
        lambda data: _restore_entry(data, change.entry, old, position),
        account=account,
        entry=change.entry,
        summary=summary,
        validator=check,
        undoes=change.id,
    )


def _restore_file(
    directory: Path, change: Change, summary: str, account: str, check: Validator
) -> Change:
    """Write the file's text from before ``change`` back exactly (comments included)."""
    directory = Path(directory)
    with _save_lock:
        now = _read(directory, change.file)
        if now != change.content:
            raise _later(change)
        _validate(directory, change.file, change.previous, check)
        _atomic_write(directory / change.file, change.previous)
        diff = "".join(
            difflib.unified_diff(
                now.splitlines(keepends=True),
                change.previous.splitlines(keepends=True),
                fromfile=f"{change.file} (before)",
                tofile=f"{change.file} (after)",
            )
        )
        return change_log().record(
            Change(
                id=0,
                file=change.file,
                entry=change.entry,
                summary=summary,
                account=account,
                at=utc_now(),
                diff=diff,
                previous=now,
                content=change.previous,
                undoes=change.id,
            )
        )


def _later(change: Change) -> ChangeConflict:
    last = change_log().last_for(change.file, change.entry)
    who = f" ({last.account}, {last.at:%Y-%m-%d %H:%M} UTC)" if last else ""
    return ChangeConflict(
        f"'{change.entry or change.file}' was changed again after change {change.id}{who}; "
        "undo the later change first.",
        last,
    )


def list_items(data: CommentedMap, kind: str) -> CommentedSeq:
    """The list ``kind`` (``faq``, ``exceptions``) of a file's data, created if missing."""
    return _items(data, kind)


def entry_position(data: CommentedMap, entry: str) -> int:
    """The position of ``entry`` (``faq:<id>``) in its list.

    Raises:
        EntryNotFound: If it is not there.
    """
    return _need(data, entry)
