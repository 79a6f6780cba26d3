"""Strict YAML reading: YAML 1.2 scalars, no duplicate keys, line numbers for key paths.

PyYAML follows YAML 1.1, where `NO` (Norway's country code) is false and `2026-03-17` is a
date object; cvrule reads only `true`/`false` as booleans and leaves dates to the schemas, so
a malformed date gets a clear message instead of an exception from the parser.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from cvrule.errors import InputError

__all__ = ["YamlDocument", "load_yaml"]


class _StrictLoader(yaml.SafeLoader):
    pass


# Keep only YAML 1.2 core schema resolvers: drop the 1.1 booleans (yes/no/on/off) and timestamps.
_StrictLoader.yaml_implicit_resolvers = {}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen[key] = key_node
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


class YamlDocument:
    """A parsed YAML document that can tell the line of any key path in it."""

    def __init__(self, data: Any, root: yaml.Node | None):
        self.data = data
        self._root = root

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        """1-based line of the deepest node along `path` (keys and list indexes)."""
        node = self._root
        line = node.start_mark.line + 1 if node is not None else None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(part):
                        line = key_node.start_mark.line + 1
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and str(part).isdigit():
                part = int(part)
                if part < len(node.value):
                    node = node.value[part]
                    line = node.start_mark.line + 1
                else:
                    return line
            else:
                return line
        return line


def parse_yaml(data: bytes | str, path: Path | str) -> YamlDocument:
    """Parse one YAML document strictly; raise InputError naming the file and line."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        root = yaml.compose(text, Loader=_StrictLoader)
        loader = _StrictLoader(text)
        try:
            value = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        location = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = error.problem or error.context or "invalid YAML"
        raise InputError(str(path), location, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise InputError(str(path), None, f"not valid YAML: {error}") from None
    except UnicodeDecodeError as error:
        raise InputError(str(path), f"byte {error.start}", "expected UTF-8 text") from None
    return YamlDocument(value, root)


def load_yaml(data: bytes | str, path: Path | str) -> Any:
    return parse_yaml(data, path).data
