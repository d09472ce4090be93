"""YAML values that remember where they were written.

A case file's mistakes must be reported with the file, the line and the
field.  :func:`load_located` parses a document with the loader of
:mod:`xueji.conformance.yamlfile` (YAML 1.2 booleans, dates left as strings)
and returns plain Python values in which every mapping is a
:class:`LocatedDict` and every list a :class:`LocatedList`: each knows its
own line and the line of each of its entries.  A key written twice in one
mapping is an error (PyYAML would keep the last one silently).
"""

from __future__ import annotations

__all__ = [
    "LocatedDict",
    "LocatedList",
    "Where",
    "line_of",
    "load_located",
    "plain",
]

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from xueji._errors import InvalidInputError
from xueji.conformance.yamlfile import _Loader


class LocatedDict(dict[str, Any]):
    """A mapping with the line it starts on and the line of each value."""

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class LocatedList(list[Any]):
    """A list with the line it starts on and the line of each item."""

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


def line_of(value: object, default: int) -> int:
    """The line a located value starts on, else ``default``."""
    line = getattr(value, "line", 0)
    return line if isinstance(line, int) and line > 0 else default


@attrs.frozen
class Where:
    """A place in a case file: the file, a line and a field path such as
    ``then.obligations[0].due``."""

    source: str
    line: int
    path: str = ""

    def __str__(self) -> str:
        field = f", field `{self.path}`" if self.path else ""
        return f"{self.source}, line {self.line}{field}"

    def key(self, value: object, key: str) -> Where:
        """The place of ``value[key]`` (``value`` a located mapping or not)."""
        line = value.line_of(key) if isinstance(value, LocatedDict) else self.line
        path = f"{self.path}.{key}" if self.path else key
        return Where(self.source, line, path)

    def index(self, value: object, index: int) -> Where:
        line = value.line_of(index) if isinstance(value, LocatedList) else self.line
        return Where(self.source, line, f"{self.path}[{index}]")

    def error(self, text: str) -> InvalidInputError:
        return InvalidInputError(f"{self}: {text}")


def _construct(node: yaml.Node, loader: _Loader, source: str) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        mapping = LocatedDict(line)
        for key_node, value_node in node.value:
            key = _construct(key_node, loader, source)
            if not isinstance(key, str | int):
                raise InvalidInputError(
                    f"{source}, line {key_node.start_mark.line + 1}: a key must be "
                    f"a name, not {key!r}"
                )
            name = str(key)
            if name in mapping:
                raise InvalidInputError(
                    f"{source}, line {key_node.start_mark.line + 1}, field `{name}`: "
                    f"written twice in one mapping (first on line "
                    f"{mapping.line_of(name)}); keep one"
                )
            mapping[name] = _construct(value_node, loader, source)
            mapping.lines[name] = key_node.start_mark.line + 1
        return mapping
    if isinstance(node, yaml.SequenceNode):
        items = LocatedList(line)
        for item in node.value:
            items.append(_construct(item, loader, source))
            items.lines.append(item.start_mark.line + 1)
        return items
    return loader.construct_object(node, deep=True)


def load_located(text: str, *, source: str) -> Any:
    """Parse one YAML document into located values (``None`` if empty).

    Raises:
        InvalidInputError: not valid YAML (naming the line and column), or a
            key written twice in one mapping.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise InvalidInputError(
            f"{source}{where}: not valid YAML: {problem}; fix the file and retry"
        ) from None
    finally:
        loader.dispose()
    if node is None:
        return None
    return _construct(node, loader, source)


def read_located(path: Path) -> Any:
    """:func:`load_located` on a file (UTF-8)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError(
            f"{path}: not UTF-8 text; save the file as UTF-8 and retry"
        ) from None
    except OSError as error:
        raise InvalidInputError(f"{path}: cannot be read: {error.strerror}") from None
    return load_located(text, source=str(path))


def plain(value: Any) -> Any:
    """The same value with plain ``dict`` and ``list`` (for the converter
    and for JSON)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
