"""A strict YAML reader for form files: no aliases, no duplicate keys, and `yes`/`no` stay strings."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

MAX_DEPTH = 40
# Counted while the file is read, so an oversized form is refused at the first value too many, not after
# seconds of parsing: the shipped forms hold about 100 fields and 1,400 values.
MAX_FIELDS = 1000
MAX_VALUES = 20_000


class YamlProblem(ValueError):
    """A YAML file that cannot be read, with the line and column where known and the key path (`path`) if any."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class _StrictLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._values = 0
        self._fields = 0
        self._keys: list[str | int] = []  # where the composer is: keys and list indexes from the top

    def _path(self, *more: str | int) -> str:
        text = ""
        for part in (*self._keys, *more):
            text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
        return text

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        # A mapping's values arrive with their key node as `index`, a list's items with their position.
        part = index.value if isinstance(index, ScalarNode) else index if isinstance(index, int) else None
        if part is not None:
            self._keys.append(part)
        self._depth += 1
        try:
            line = self.peek_event().start_mark.line + 1  # type: ignore[no-untyped-call]
            if self.check_event(yaml.AliasEvent):
                raise YamlProblem(f"aliases (*name) are not allowed in form files (line {line})", self._path())
            if self._depth > MAX_DEPTH:
                raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep (line {line})", self._path())
            self._count(part, line)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if part is not None:
                self._keys.pop()

    def _count(self, part: str | int | None, line: int) -> None:
        self._values += 1
        if self._values > MAX_VALUES:
            raise YamlProblem(f"is too large for a form file: more than {MAX_VALUES} values (line {line})")
        if isinstance(part, int) and len(self._keys) >= 2 and self._keys[-2] == "fields":
            self._fields += 1
            if self._fields > MAX_FIELDS:
                raise YamlProblem(f"has more than {MAX_FIELDS} fields; a form file may hold at most "
                                  f"{MAX_FIELDS} (line {line})", self._path())

    def compose_mapping_node(self, anchor: Any) -> MappingNode:
        node: MappingNode = super().compose_mapping_node(anchor)
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                if key_node.value in seen:
                    raise YamlProblem(f"the key '{key_node.value}' appears twice "
                                      f"(line {key_node.start_mark.line + 1})", self._path(key_node.value))
                seen.add(key_node.value)
        return node

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except Exception as error:  # PyYAML's constructors raise whatever int(), date() or a regex raise: 2024-02-30
            reason = str(error).split(";")[0]
            raise ConstructorError(None, None, f"this value cannot be read ({reason})", node.start_mark) from None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        for key_node, _ in node.value:
            if not isinstance(self.construct_object(key_node, deep=deep), str | int):
                raise ConstructorError(None, None, "keys must be plain words", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 reads yes/no/on/off as booleans (the "Norway problem"); form authors mean the words.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(text: str) -> Any:
    """Parse one YAML document, raising YamlProblem with a line number on anything wrong."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = error.problem or error.context or "not valid YAML"
        raise YamlProblem(f"{where}{problem}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"not valid YAML: {error}") from None
    except RecursionError:
        raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep") from None
    except Exception as error:  # a tagged value PyYAML builds after the fact (`!!set x`) and fails on
        raise YamlProblem(f"a value cannot be read ({str(error).split(';')[0]})") from None
