"""Parsing ``policy.yaml`` into plain data while keeping each key's and value's position.

PyYAML composes the document into nodes that carry marks; we build the data from the
nodes ourselves so every position survives, for error messages that point into the file.
"""

from __future__ import annotations

from typing import Any

import yaml

from gates.errors import PolicyError
from gates.policy.loader import LoadedPolicy, Loc, Mark

# A policy is a few levels deep; far deeper nesting is an attack or a mistake, and deep enough
# nesting overflows the composer's recursion.
MAX_DEPTH = 32


class _Refused(Exception):
    def __init__(self, mark: yaml.Mark | None, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _PolicyYamlLoader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps: dates stay strings until pydantic parses them,
    so a malformed date is a validation error with a position, not a crash in PyYAML.

    Aliases are refused before anything is built: each one may stand for a whole subtree, so
    a few lines of nested aliases expand to gigabytes (the "billion laughs").
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _Refused(
                event.start_mark,
                f"YAML alias '*{event.anchor}' is not allowed in a policy; write the value out in full",
            )
        if self._depth >= MAX_DEPTH:
            raise _Refused(
                self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                f"the policy nests deeper than {MAX_DEPTH} levels; a policy is a few levels deep",
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_PolicyYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, loaded: LoadedPolicy) -> dict[str, Any]:
    where = loaded.display_path
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise PolicyError(
            f"{where}:1:1: the policy file is empty; add 'version: 1' or run 'gates policy init'"
        )
    loader = _PolicyYamlLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise PolicyError(f"{where}:1:1: the policy file is empty; add 'version: 1'")
        data = _build(root, (), loader, loaded)
    except _Refused as exc:
        line, column = (exc.mark.line + 1, exc.mark.column + 1) if exc.mark else (1, 1)
        raise PolicyError(f"{where}:{line}:{column}: {exc.message}") from None
    except RecursionError:
        raise PolicyError(f"{where}:1:1: the policy nests too deeply to read") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise PolicyError(f"{where}:{line}:{column}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{where}:1:1: YAML error: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        start = root.start_mark
        kind = type(data).__name__ if data is not None else "nothing"
        raise PolicyError(
            f"{where}:{start.line + 1}:{start.column + 1}: the policy must be a mapping "
            f"(keys such as 'version: 1'), not {kind}"
        )
    return data


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _build(node: yaml.Node, loc: Loc, loader: yaml.SafeLoader, loaded: LoadedPolicy) -> Any:
    loaded.value_marks.setdefault(loc, _mark(node))
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)):
                raise PolicyError(
                    f"{loaded.display_path}:{_mark(key_node).line}:{_mark(key_node).column}: "
                    "keys must be plain words"
                )
            if key in result:
                mark = _mark(key_node)
                raise PolicyError(
                    f"{loaded.display_path}:{mark.line}:{mark.column}: duplicate key '{key}'; keep only one"
                )
            child = (*loc, str(key))
            loaded.key_marks[child] = _mark(key_node)
            result[str(key)] = _build(value_node, child, loader, loaded)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, i), loader, loaded) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
