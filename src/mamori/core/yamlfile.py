"""YAML data files read with the line of every mapping and list, so a checker can name `file:line`.

Used by the data that mamori ships and checks at start-up (the consultation map, the casebook).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


class LineMap(dict[str, Any]):
    """A YAML mapping that knows the line it starts on."""

    line = 0


class LineList(list[Any]):
    """A YAML sequence that knows the line it starts on."""

    line = 0


def _convert(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = LineMap()
        out.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            out[str(loader.construct_object(key_node))] = _convert(loader, value_node)  # type: ignore[no-untyped-call]
        return out
    if isinstance(node, yaml.SequenceNode):
        items = LineList(_convert(loader, item) for item in node.value)
        items.line = node.start_mark.line + 1
        return items
    return loader.construct_object(node)  # type: ignore[no-untyped-call]


def read_yaml(
    path: Path, error: Callable[[Path, int, str], Exception], *, max_bytes: int | None = None
) -> LineMap:
    """The file's top-level mapping; every problem (too large, not UTF-8, bad YAML, not a mapping) is
    raised as `error(path, line, message)`."""
    if max_bytes is not None and path.stat().st_size > max_bytes:
        raise error(path, 1, f"the file is larger than {max_bytes} bytes")
    try:
        loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()  # type: ignore[no-untyped-call]
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise error(path, line, f"not valid YAML: {exc.problem}") from exc
    except UnicodeDecodeError as exc:
        raise error(path, 1, "not UTF-8 text") from exc
    data = _convert(loader, root) if root is not None else None
    if not isinstance(data, LineMap):
        raise error(path, 1, "the file must be a mapping")
    return data
