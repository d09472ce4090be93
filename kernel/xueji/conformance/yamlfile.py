"""Reading YAML documents the way xueji's request and case files mean them.

PyYAML follows YAML 1.1, where ``on``, ``off``, ``yes`` and ``no`` are
booleans and ``2025-09-31`` raises a bare ``ValueError`` inside the parser.
xueji's requests have a field named ``on``, and a bad date must get a message
naming its field.  So this loader keeps YAML 1.2's booleans (``true`` and
``false`` only) and leaves dates as strings for the converter to check.
"""

from __future__ import annotations

__all__ = ["load_yaml"]

import re
from pathlib import Path
from typing import Any

import yaml

from xueji._errors import InvalidInputError


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1 booleans and timestamps."""


_Loader.yaml_implicit_resolvers = {
    key: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load_yaml(text: str, *, source: str) -> tuple[Any, list[int]]:
    """Parse ``text``; return the data and, for a top-level list, the line
    number (1-based) where each entry starts."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise InvalidInputError(
            f"{source}: not valid YAML{where}: {problem}; fix the file and retry"
        ) from None
    lines: list[int] = []
    if isinstance(node, yaml.SequenceNode):
        lines = [item.start_mark.line + 1 for item in node.value]
    return data, lines


def read_yaml(path: Path) -> tuple[Any, list[int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError(
            f"{path}: not UTF-8 text; save the file as UTF-8 and retry"
        ) from None
    except OSError as error:
        raise InvalidInputError(f"{path}: cannot be read: {error.strerror}") from None
    return load_yaml(text, source=str(path))
