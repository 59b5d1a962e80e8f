"""The house rules of issue 6, checked on the source: file size, import cycles, side effects.

* No Python file in ``bot/`` or ``actions/`` is over 500 lines.
* No import cycle among the modules of ``bot/`` and ``actions/`` (an AST import graph;
  imports inside functions count, ``if TYPE_CHECKING:`` imports do not).
* Handoff side effects happen only in the service: no module outside ``bot/handoff/``
  calls a write method of the handoff store (or its repositories).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "actions")
MAX_LINES = 500
STORE_WRITES = {
    "conversations": {"create", "transition", "claim", "expire_waiting", "set_language", "delete"},
    "messages": {"add", "receive_citizen", "set_nlu", "set_feedback"},
    "notes": {"add"},
    "requests": {"create", "mark_answered"},
    "retention": {"purge_older_than"},
    "insight": {"rate", "mark"},  # insight
    "turns": {"receive", "bot_replies"},  # perf2
}
"""Write methods of the handoff store's repositories (``store.conversations.claim``)."""
STORE_WRITES_ALLOWED_IN = ("bot/handoff/", "bot/console/")
"""The service and the store live in bot/handoff/; bot/console/ manages staff accounts."""


def _python_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The project modules ``path`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    here = _module_name(path)
    package = here if _is_package(path) else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in modules else base)
    return {name for name in found if name in modules and name != here}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def test_no_python_file_over_500_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in _python_files()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"files over {MAX_LINES} lines: {too_long}"


def test_no_import_cycles() -> None:
    files = _python_files()
    modules = {_module_name(path) for path in files}
    graph = {_module_name(path): _imports(path, modules) for path in files}
    # Importing a module also runs its package's __init__: no package may import back
    # into a module that imports it, so packages are ordinary nodes of the graph.
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def _store_writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # Calls and references alike: ``state.run(store.conversations.claim, ...)`` passes the method.
    return [
        f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.attr in STORE_WRITES.get(node.value.attr, ())
    ]


def test_handoff_side_effects_only_in_the_service() -> None:
    outside = [
        path
        for path in _python_files()
        if not str(path.relative_to(ROOT)).startswith(STORE_WRITES_ALLOWED_IN)
    ]
    calls = [call for path in outside for call in _store_writes(path)]
    assert calls == [], "handoff writes outside bot/handoff/ (use HandoffService):\n" + "\n".join(
        calls
    )


@pytest.mark.parametrize("name", ["widget_channel.py", "console_channel.py"])
def test_channels_stay_thin(name: str) -> None:
    lines = (ROOT / "bot" / "channels" / name).read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 300, f"{name} has {len(lines)} lines; move logic to the service"
