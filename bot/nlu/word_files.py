"""Reading the word-list files next to the guards (``bot/nlu/*.yml``).

Each file is a YAML mapping written by hand (stems, whole words, phrases). A file that is
missing or malformed stops the bot at its first use with one message naming the file and
what it needs, not with a bare ``KeyError``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

__all__ = ["load_word_file"]

T = TypeVar("T")


def load_word_file(path: Path, build: Callable[[dict[str, Any]], T], needs: str) -> T:
    """Read the mapping in ``path`` and turn it into what the caller uses.

    Args:
        path: The YAML file.
        build: Makes the caller's value from the mapping (may raise KeyError or TypeError).
        needs: What the file must hold, for the error message ("'stems' and 'words'").

    Raises:
        RuntimeError: The file is missing, is not a mapping, or lacks what ``build`` reads.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise TypeError("not a mapping")
        return build(data)
    except (OSError, KeyError, TypeError, yaml.YAMLError) as error:
        raise RuntimeError(
            f"{path} is missing or malformed ({error}); it needs {needs}, see the comments in it"
        ) from error
