"""Static name resolution for one module: imports, aliases and constants, from the AST only.

Flow-insensitive on purpose: a name bound in several places to *different* things is
treated as unknown rather than guessed, and the scanned code is never imported.
"""

from __future__ import annotations

import ast
from dataclasses import field
from typing import Any

from gates.checks.models.outline import Outline
from gates.records import record


class _Unknown:
    """A value the AST alone cannot tell (a parameter, a call result, an import from elsewhere)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
_CONFLICT = object()
# Module names so distinctive that a bare name means the module even without an import
# we can see (``dill = import_dill()``, ``yaml = lazy_import("yaml")``); bandit does the same.
WELL_KNOWN_MODULES = frozenset(
    {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve", "jsonpickle", "yaml", "torch"}
)
_MAX_DEPTH = 8


@record
class Names:
    """What the names in one module stand for."""

    # Local (possibly dotted, e.g. ``self.session``) name -> qualified name. A trailing
    # ``()`` marks an instance: ``s = requests.Session()`` maps ``s`` to ``requests.Session()``.
    aliases: dict[str, str] = field(default_factory=dict)
    # Name -> the expression it is bound to, when every binding is the same constant.
    constants: dict[str, ast.expr] = field(default_factory=dict)
    # Class name defined in this module -> qualified names of its bases.
    class_bases: dict[str, list[str]] = field(default_factory=dict)

    def qualname(self, node: ast.expr, depth: int = 0) -> str | None:
        """``T.serialization.load`` -> ``torch.serialization.load`` when ``import torch as T``."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            found = self.aliases.get(node.id)
            if found is None and node.id in WELL_KNOWN_MODULES:
                return node.id
            return found
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value, depth + 1)
            if base is not None:
                return f"{base}.{node.attr}"
            dotted = dotted_name(node)
            return self.aliases.get(dotted) if dotted else None
        if isinstance(node, ast.Call):
            func = self.qualname(node.func, depth + 1)
            return f"{func}()" if func else None
        return None

    def value(self, node: ast.expr | None, depth: int = 0) -> Any:
        """The Python value of a literal or of a constant it names, else ``UNKNOWN``."""
        if node is None or depth > _MAX_DEPTH:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.value(self.constants[node.id], depth + 1)
        if isinstance(node, ast.Dict):
            return node
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "dict"
            and not node.args
        ):
            return node
        return UNKNOWN

    def bound_expr(self, node: ast.expr, depth: int = 0) -> ast.expr:
        """Follow a name to the constant expression it is bound to (for dicts in ``**``)."""
        while isinstance(node, ast.Name) and node.id in self.constants and depth < _MAX_DEPTH:
            node = self.constants[node.id]
            depth += 1
        return node

    def subclasses_of(self, qualnames: frozenset[str], node: ast.expr) -> bool:
        """True if ``node`` names one of ``qualnames`` or a class here derived from one."""
        seen: set[str] = set()
        stack = [node]
        while stack:
            current = stack.pop()
            qual = self.qualname(current)
            if qual in qualnames:
                return True
            if isinstance(current, ast.Name) and current.id in self.class_bases:
                if current.id in seen:
                    continue
                seen.add(current.id)
                if any(base in qualnames for base in self.class_bases[current.id]):
                    return True
        return False


def dotted_name(node: ast.expr) -> str | None:
    """``self.session.get`` -> "self.session.get"; None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _is_constant_expr(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Dict):
        return all(isinstance(k, ast.Constant) for k in node.keys)
    return isinstance(node, ast.Name)


def collect_names(parts: Outline) -> Names:
    names = Names()
    imports: dict[str, str | object] = {}
    for node in parts.imports:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    _bind(imports, alias.asname, alias.name)
                else:
                    top = alias.name.split(".")[0]
                    _bind(imports, top, top)
        elif not node.level and node.module:
            for alias in node.names:
                if alias.name != "*":
                    _bind(imports, alias.asname or alias.name, f"{node.module}.{alias.name}")
    bindings = parts.bindings
    names.aliases = {k: v for k, v in imports.items() if isinstance(v, str)}
    _collect_constants(names, bindings)
    # Two rounds: ``f = torch.load`` then ``g = f`` resolves in the second.
    for _ in range(2):
        found: dict[str, str | object] = {}
        for target, value in bindings:
            key = dotted_name(target)
            if key is None or value is None or key in imports:
                continue
            qual = names.qualname(value)
            if qual is not None and not (key in WELL_KNOWN_MODULES and _imports_module(qual)):
                _bind(found, key, qual)
        names.aliases.update({k: v for k, v in found.items() if isinstance(v, str)})
    for cls in parts.classes:
        bases = [names.qualname(b) for b in cls.bases]
        names.class_bases[cls.name] = [b for b in bases if b]
    return names


def _imports_module(qual: str) -> bool:
    """``dill = import_dill()`` and ``yaml = lazy_import("yaml")`` bind the module; ``yaml = YAML()`` not."""
    if not qual.endswith("()"):
        return False
    callee = qual[:-2].rsplit(".", 1)[-1].lower()
    return "import" in callee or "lazy" in callee


def _collect_constants(names: Names, bindings: list[tuple[ast.expr, ast.expr | None]]) -> None:
    seen: dict[str, ast.expr | object] = {}
    for target, value in bindings:
        if not isinstance(target, ast.Name):
            continue
        if value is None or not _is_constant_expr(value):
            seen[target.id] = _CONFLICT
            continue
        previous = seen.get(target.id)
        if previous is None:
            seen[target.id] = value
        elif previous is not _CONFLICT and ast.dump(previous) != ast.dump(value):  # type: ignore[arg-type]
            seen[target.id] = _CONFLICT
    names.constants = {k: v for k, v in seen.items() if isinstance(v, ast.expr)}


def _bind(table: dict[str, str | object], key: str, qual: str) -> None:
    previous = table.get(key)
    table[key] = qual if previous in (None, qual) else _CONFLICT
