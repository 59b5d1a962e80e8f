"""Reads a knowledge-base YAML file and remembers the line of every key and list item.

Mappings become :class:`LineMap` and lists :class:`LineList`: ordinary ``dict`` and
``list`` objects that also know on which line each key or item starts, so that every
problem can be reported with the line an editor has to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

__all__ = ["LineList", "LineMap", "duplicate_keys", "line_of", "read_yaml"]


class LineMap(dict[Any, Any]):
    """A mapping read from YAML, with the 1-based line of itself and of each key."""

    line: int = 0
    lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]  # (key, line) of keys given twice; the last one wins


class LineList(list[Any]):
    """A list read from YAML, with the 1-based line of itself and of each item."""

    line: int = 0
    lines: list[int]


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that keeps dates as text (so bad dates are reported per entry)
    and records line numbers."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[LineMap]:
    data = LineMap()
    data.line = node.start_mark.line + 1
    data.lines = {}
    data.duplicates = []
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            data[key] = loader.construct_object(value_node, deep=True)
        except TypeError:  # an unhashable key such as a list: report it as text
            key = str(key)
            data[key] = loader.construct_object(value_node, deep=True)
        if key in data.lines:
            data.duplicates.append((key, key_node.start_mark.line + 1))
        data.lines[key] = key_node.start_mark.line + 1


def _construct_list(loader: _Loader, node: yaml.SequenceNode) -> Iterator[LineList]:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_list)


def read_yaml(path: Path, problems: list[str]) -> LineMap:
    """Reads one file; appends a plain-language problem and returns ``{}`` if it can't.

    Args:
        path: The YAML file.
        problems: Where to append the problem, naming the file (and line).
    """
    empty = LineMap()
    empty.lines, empty.duplicates = {}, []
    if not path.is_file():
        problems.append(f"{path.name}: the file is missing from {path.parent}")
        return empty
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except UnicodeDecodeError:
        problems.append(f"{path.name}: the file is not UTF-8 text; save it as UTF-8")
        return empty
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(error, "problem", None) or str(error)
        problems.append(f"{path.name}: not valid YAML{where}: {reason}")
        return empty
    if data is None:
        return empty
    if not isinstance(data, LineMap):
        problems.append(f"{path.name}: the top level must be a mapping (key: value)")
        return empty
    return data


_STEP = re.compile(r"[^.\[\]]+|\[(\d+)\]")


def line_of(node: Any, path: str, own_line: bool = True) -> int | None:
    """The line of the deepest key or item of ``path`` (``a.b[2].c``) found under ``node``.

    If not even the first step exists, returns ``node``'s own line (``None`` with
    ``own_line=False``, or if ``node`` was not read from YAML).
    """
    line: int | None = getattr(node, "line", None) if own_line else None
    for match in _STEP.finditer(path):
        index, key = match.group(1), match.group(0)
        if isinstance(node, LineList) and index is not None and int(index) < len(node):
            line, node = node.lines[int(index)], node[int(index)]
        elif isinstance(node, LineMap) and index is None and key in node:
            line, node = node.lines.get(key, line), node[key]
        else:
            break
    return line


def duplicate_keys(node: Any, path: str = "") -> list[tuple[str, str, int]]:
    """Every key written twice in the same mapping: ``(parent path, key, line)``.

    YAML keeps only the last of two equal keys, so the first one would silently be lost.
    """
    found: list[tuple[str, str, int]] = []
    if isinstance(node, LineMap):
        found += [(path, str(key), line) for key, line in getattr(node, "duplicates", [])]
        for key, value in node.items():
            found += duplicate_keys(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += duplicate_keys(item, f"{path}[{index}]")
    return found
