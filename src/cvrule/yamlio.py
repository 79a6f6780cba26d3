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

__all__ = ["YamlDocument", "check_yaml_shape", "load_yaml", "parse_yaml"]


class _StrictLoader(yaml.SafeLoader):
    pass


# Keep only YAML 1.2 core schema resolvers: drop the 1.1 booleans (yes/no/on/off) and timestamps.
_StrictLoader.yaml_implicit_resolvers = {}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictLoader.add_implicit_resolver(  # longer digit strings stay text (Python refuses to make ints of them)
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]{1,4000}$"), list("-+0123456789")
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


def check_yaml_shape(text: str, path: Path | str, max_depth: int, max_nodes: int, loader: type = yaml.SafeLoader) -> None:
    """Refuse YAML nested deeper than `max_depth` or whose aliases expand to more than `max_nodes`
    nodes (a "billion laughs" of anchors), from the event stream, before anything builds it.

    libyaml's composer (CSafeLoader) recurses in C and crashes the process on deep nesting, and an
    alias bomb is cheap to load but exponential to walk, so neither may reach a loader. The event
    scan runs only when the text could hold either: more opening brackets plus the longest line
    than `max_depth` (block nesting needs a character of indentation or a "- " per level), or
    both an anchor and an alias sign."""
    longest = max(map(len, text.splitlines()), default=0)
    if text.count("[") + text.count("{") + longest <= max_depth and not ("&" in text and "*" in text):
        return
    try:
        _scan_events(text, path, max_depth, max_nodes, loader)
    except yaml.YAMLError as error:
        # libyaml 0.2.6 and later stop at their own nesting limit (1,000) while scanning ahead, before
        # the first deep event reaches this scan: the same refusal, named by our limit.
        if "nesting depth" not in str(error):
            raise
        mark = getattr(error, "problem_mark", None)
        raise InputError(str(path), f"line {mark.line + 1}" if mark else None,
                         f"nested deeper than the limit max_depth={max_depth}") from None


def _scan_events(text: str, path: Path | str, max_depth: int, max_nodes: int, loader: type) -> None:
    open_events = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    close_events = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    anchors: dict[str, int] = {}
    stack: list[tuple[str | None, int]] = []
    nodes = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, open_events):
            nodes += 1
            stack.append((event.anchor, nodes))
            if len(stack) > max_depth:
                raise InputError(str(path), f"line {event.start_mark.line + 1}",
                                 f"nested deeper than the limit max_depth={max_depth}")
        elif isinstance(event, close_events):
            anchor, start = stack.pop()
            if anchor:
                anchors[anchor] = nodes - start + 1
        elif isinstance(event, yaml.ScalarEvent):
            nodes += 1
            if event.anchor:
                anchors[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            nodes += anchors.get(event.anchor, 1)
        if nodes > max_nodes:
            mark = getattr(event, "start_mark", None)
            raise InputError(str(path), f"line {mark.line + 1}" if mark else None,
                             f"aliases expand to more than {max_nodes:,} nodes (an alias bomb is refused)")


def parse_yaml(data: bytes | str, path: Path | str, max_depth: int = 256, max_nodes: int = 1_000_000) -> YamlDocument:
    """Parse one YAML document strictly; raise InputError naming the file and line."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        check_yaml_shape(text, path, max_depth, max_nodes)
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
    except RecursionError:  # PyYAML composes nested collections recursively
        raise InputError(str(path), None, "nested deeper than the YAML reader can follow (a few hundred levels)") from None
    except UnicodeDecodeError as error:
        raise InputError(str(path), f"byte {error.start}", "expected UTF-8 text") from None
    return YamlDocument(value, root)


def load_yaml(data: bytes | str, path: Path | str) -> Any:
    return parse_yaml(data, path).data
