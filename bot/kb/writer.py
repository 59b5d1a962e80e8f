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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.kb.changelog import Change, ChangeLog, change_log, utc_now
from bot.kb.kbfile import (
    LIST_KEYS,
    ChangeConflict,
    EntryNotFound,
    InvalidChange,
    Validator,
    _atomic_write,
    _dump,
    _file_of,
    _index,
    _load,
    _locate,
    _read,
    _save_lock,
    _validate,
    current_version,
    plain,
    read_entry,
    validate_knowledge_base,
    validate_texts,
    version_of,
)
from bot.kb.loader import FILES
from bot.kb.store import saved

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
        saved(directory)
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
        saved(directory)
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
