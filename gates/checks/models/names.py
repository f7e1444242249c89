"""Static name resolution for one module: imports, aliases and constants, from the AST only.

Flow-insensitive on purpose: a name bound in several places to *different* things is
treated as unknown rather than guessed, and the scanned code is never imported. Names
resolve per scope, as Python does: a name bound anywhere in a function (a parameter
too) is that function's own, and what another function binds to the same name does not
change it. What a method binds on ``self`` or ``cls`` (``self.session = ...``) belongs to its
class (and the classes related to it by inheritance in this file); other attribute targets
(``args.x = ...``) are shared by the whole module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import field
from typing import Any

from gates.checks.models.outline import Binding, Outline, Scope
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
# Parameters whose name says what they hold, whatever the caller passes: a function taking
# ``pickle_module`` unpickles with it (torch.load's own signature), so its ``.load`` is pickle's.
PARAMETER_CONVENTIONS = {"pickle_module": "pickle"}


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
    # Name -> the one expression it is bound to (any expression), when there is one.
    exprs: dict[str, ast.expr] = field(default_factory=dict)
    # Functions and classes defined in this module; a star import we cannot see into.
    defined: frozenset[str] = frozenset()
    star_import: bool = False
    # The enclosing function's parameters (name -> default expression or None).
    parameters: dict[str, ast.expr | None] = field(default_factory=dict)
    # Names local to the scope these names are for (bound in it, or its parameters).
    local: frozenset[str] = frozenset()
    # Names (dotted too) with a binding whose value cannot be resolved: a parameter, a loop
    # variable, ``x = make()``. Their alias is what they *may* be (worth checking a call on),
    # never what they must be (reason enough to skip one).
    uncertain: set[str] = field(default_factory=set)
    # Name -> every string it is bound to, when it is bound only to string constants, to
    # more than one (``repo_id = "org/a"`` ... ``repo_id = "org/b"``).
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Name -> the functools.partial(...) call it is bound to (its keywords reach every call).
    partials: dict[str, ast.Call] = field(default_factory=dict)
    # Name -> every qualified name it may stand for, when bindings disagree (``try: from
    # modelscope import snapshot_download / except ImportError: from huggingface_hub import
    # ...``): a call on it is checked as each, since any branch may run.
    maybe: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Classes here whose find_class can refuse a global (it raises): restricted unpicklers.
    restricted: frozenset[str] = frozenset()

    def qualnames(self, node: ast.expr, depth: int = 0) -> list[str]:
        """Every qualified name ``node`` may stand for: :meth:`qualname`'s, or, for a name whose
        bindings disagree, each of theirs."""
        found = self.qualname(node)
        if found is not None:
            return [found]
        if depth > _MAX_DEPTH:
            return []
        if isinstance(node, ast.Name):
            return list(self.maybe.get(node.id, ()))
        if isinstance(node, ast.Attribute):
            return [f"{base}.{node.attr}" for base in self.qualnames(node.value, depth + 1)]
        if isinstance(node, ast.Call):
            return [f"{func}()" for func in self.qualnames(node.func, depth + 1)]
        return []

    def is_parameter(self, node: ast.expr | None) -> bool:
        return isinstance(node, ast.Name) and node.id in self.parameters

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
        if isinstance(node, ast.Name | ast.Attribute):
            key = node.id if isinstance(node, ast.Name) else dotted_name(node)
            if key in self.constants:
                return self.value(self.constants[key], depth + 1)
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
        while depth < _MAX_DEPTH:
            key = node.id if isinstance(node, ast.Name) else dotted_name(node)
            if key is None or key not in self.constants:
                break
            node = self.constants[key]
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
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        # dict(trust_remote_code=True) is {"trust_remote_code": True} (llamafactory's kwargs).
        return not node.args and all(k.arg is not None for k in node.keywords)
    return isinstance(node, ast.Name)


def collect_names(parts: Outline, is_api: Callable[[str], bool] | None = None) -> Names:
    """The module scope's names (see ``ScopedNames`` for the names inside functions)."""
    return ScopedNames(parts, is_api).module


class ScopedNames:
    """Names per scope, built lazily: most functions hold no call worth checking."""

    def __init__(self, parts: Outline, is_api: Callable[[str], bool] | None = None) -> None:
        self.parts = parts
        self.by_scope: dict[Scope, list[Binding]] = {}
        # Attributes of ``self``/``cls`` bound in a method, per family of classes (see _families).
        self.by_family: dict[str, list[Binding]] = {}
        self.family = _families(parts)
        self.hidden_words: dict[tuple[str | None, str], bool] = {}
        self.read: frozenset[str] | None = None
        for binding in parts.bindings:
            target, _, scope = binding
            if isinstance(target, ast.Name):
                self.by_scope.setdefault(scope, []).append(binding)
                continue
            owner = self._instance_owner(target, scope)
            if owner is not None:
                self.by_family.setdefault(self.family.get(owner, owner), []).append(binding)
            else:
                # Other attribute targets (args.x = ..., module.x = ...) are visible wherever the object is.
                self.by_scope.setdefault((), []).append(binding)
        self.imports = _import_table(parts)
        self.module = self._module(is_api)
        self.cache: dict[Scope, Names] = {(): self.module}
        self.class_cache: dict[tuple[Scope, str], Names] = {}

    def _instance_owner(self, target: ast.expr, scope: Scope) -> str | None:
        """The class whose method binds ``target`` on its own ``self``/``cls``, else None."""
        if not scope or scope[-1] not in self.parts.methods:
            return None
        root = target
        while isinstance(root, ast.Attribute | ast.Subscript):
            root = root.value
        if not isinstance(root, ast.Name) or root.id not in _INSTANCE_NAMES:
            return None
        first = next(iter(self.parts.parameters.get(scope, {})), None)
        return self.parts.methods[scope[-1]] if first == root.id else None

    def _module(self, is_api: Callable[[str], bool] | None) -> Names:
        names = Names(defined=frozenset(self.parts.defined), star_import=self.parts.star_import)
        names.aliases = {k: v for k, v in self.imports.items() if isinstance(v, str)}
        names.maybe = _alternatives(self.parts)
        _resolve(names, self.by_scope.get((), []), self.imports)
        for cls in self.parts.classes:
            bases = [names.qualname(b) for b in cls.bases]
            names.class_bases[cls.name] = [b for b in bases if b]
        names.restricted = frozenset(cls.name for cls in self.parts.classes if _refuses_globals(cls))
        if is_api is not None:
            # class U(pickle.Unpickler) makes U(f) an Unpickler: treat the class as its base.
            for name, base_names in names.class_bases.items():
                api = next((b for b in base_names if is_api(b)), None)
                if api is not None and name not in self.imports:
                    names.aliases[name] = api
        return names

    def for_scope(self, scope: Scope) -> Names:
        found = self.cache.get(scope)
        if found is not None:
            return found
        parent = self.for_scope(scope[:-1])
        owner = self.parts.methods.get(scope[-1])
        if owner is not None:
            parent = self._class_names(scope[:-1], self.family.get(owner, owner), parent)
        local_bindings = self.by_scope.get(scope, [])
        local = frozenset(t.id for t, _, _ in local_bindings if isinstance(t, ast.Name))
        names = Names(
            aliases={k: v for k, v in parent.aliases.items() if k not in local},
            constants={k: v for k, v in parent.constants.items() if k not in local},
            class_bases=parent.class_bases,
            exprs={k: v for k, v in parent.exprs.items() if k not in local},
            choices={k: v for k, v in parent.choices.items() if k not in local},
            maybe={k: v for k, v in parent.maybe.items() if k not in local},
            partials={k: v for k, v in parent.partials.items() if k not in local},
            restricted=parent.restricted - local,
            defined=parent.defined - local,
            star_import=parent.star_import,
            parameters=self.parts.parameters.get(scope, {}),
            local=local,
            uncertain={k for k in parent.uncertain if k not in local},
        )
        _resolve(names, local_bindings, {})
        for name, module in PARAMETER_CONVENTIONS.items():
            if name in names.parameters and name not in names.aliases:
                names.aliases[name] = module
        self.cache[scope] = names
        return names

    def import_before(self, name: str, line: int, scope: Scope) -> str | None:
        """What the last import of ``name`` made before ``line`` in the innermost scope that
        imports it binds it to: for a name imported from two places, the branch a call sits
        in (``from modelscope import snapshot_download`` then ``snapshot_download(...)``)."""
        for owner in [*reversed(scope), 0]:
            rows = [
                (statement.lineno, qual)
                for statement in self.parts.imports_in.get(owner, [])
                for row in _import_rows_of(statement)
                for key, qual in row
                if key == name and statement.lineno < line
            ]
            if rows:
                return str(max(rows)[1])
        return None

    def attributes_read(self, read: frozenset[str] | None) -> None:
        """Resolve class attributes (``ClassName.X`` here, ``self.X``/``cls.X`` per class family
        when a method's names are built), only those the checked calls read (None: all). Every
        resolved attribute costs a word search through the unparsed methods."""
        self.read = read
        # ClassName.X: what a class body at module level binds (its name is the module's).
        pairs: list[tuple[ast.expr, ast.expr | None]] = [
            (ast.Attribute(value=ast.Name(id=cls), attr=target.id), _field_default(value))
            for cls, members in self.parts.class_body.items()
            for target, value, scope in members
            if scope == () and isinstance(target, ast.Name) and (read is None or target.id in read)
        ]
        _collect_constants(self.module, pairs, attributes=True)
        self._forget_hidden(self.module)

    def _forget_hidden(self, names: Names, family: str | None = None) -> None:
        """An attribute constant (``self.model_name``) holds only if no code we did not parse
        could bind it too: a word match in an unparsed method of the class's family (for
        ``ClassName.X``, anywhere unparsed) makes it unknown."""
        spans = [
            (start, end)
            for owner, start, end in self.parts.unparsed
            if family is None or owner is None or self.family.get(owner, owner) == family
        ]
        for key in [k for k in (*names.constants, *names.exprs, *names.choices) if "." in k]:
            attribute = key.rsplit(".", 1)[1]
            if (family, attribute) not in self.hidden_words:
                word = re.compile(rf"\b{re.escape(attribute)}\b")
                text = self.parts.text
                self.hidden_words[(family, attribute)] = any(word.search(text, a, b) for a, b in spans)
            if self.hidden_words[(family, attribute)]:
                names.constants.pop(key, None)
                names.exprs.pop(key, None)
                names.choices.pop(key, None)
                names.uncertain.add(key)

    def _class_names(self, scope: Scope, family: str, parent: Names) -> Names:
        """``parent`` plus what a family's methods bind on ``self``/``cls``: a method sees the
        attributes its class (and the classes it shares a base with in this file) sets, not
        what another class's methods give an attribute of the same name."""
        found = self.class_cache.get((scope, family))
        if found is None:
            found = Names(
                aliases=dict(parent.aliases),
                constants=dict(parent.constants),
                class_bases=parent.class_bases,
                exprs=dict(parent.exprs),
                choices=dict(parent.choices),
                maybe=dict(parent.maybe),
                partials=dict(parent.partials),
                restricted=parent.restricted,
                defined=parent.defined,
                star_import=parent.star_import,
                parameters=parent.parameters,
                local=parent.local,
                uncertain=set(parent.uncertain),
            )
            bindings = self.by_family.get(family, [])
            _resolve(found, bindings, {})
            # self.X and cls.X: what the family's methods bind, and what its class bodies do
            # (``model_name = "org/x"`` in a test class, read as ``self.model_name``).
            pairs = [(t, v) for t, v, _ in bindings if _instance_key(t)]
            for cls, members in self.parts.class_body.items():
                if self.family.get(cls, cls) == family:
                    for target, value, _ in members:
                        assert isinstance(target, ast.Name)
                        for owner in sorted(_INSTANCE_NAMES):
                            attribute = ast.Attribute(value=ast.Name(id=owner), attr=target.id)
                            pairs.append((attribute, _field_default(value)))
            if self.read is not None:
                pairs = _read_pairs(pairs, self.read)
            _collect_constants(found, pairs, attributes=True)
            self._forget_hidden(found, family)
            self.class_cache[(scope, family)] = found
        return found


# How a method names its instance or class; another first parameter is left module-wide.
_INSTANCE_NAMES = frozenset({"self", "cls"})


def _read_pairs(
    pairs: list[tuple[ast.expr, ast.expr | None]], read: frozenset[str]
) -> list[tuple[ast.expr, ast.expr | None]]:
    """The attribute bindings of ``pairs`` a read attribute depends on: those of the read ones,
    and of the attributes their values read in turn (``self.a = self.b``)."""
    wanted = set(read)
    while True:
        chosen: list[tuple[ast.expr, ast.expr | None]] = [
            (t, v) for t, v in pairs if isinstance(t, ast.Attribute) and t.attr in wanted
        ]
        values = [v for _, v in chosen if v is not None]
        more = {n.attr for v in values for n in ast.walk(v) if isinstance(n, ast.Attribute)}
        if more <= wanted:
            return chosen
        wanted |= more


def _refuses_globals(cls: ast.ClassDef) -> bool:
    """A ``find_class`` whose default is refusal: it ends in a ``raise`` and returns a global
    only under a condition (``if (module, name) in ALLOWED: return ...``), an allowlist. One
    that re-raises a lookup error, or refuses a few names and returns the rest, restricts
    nothing an attacker needs."""
    return any(
        isinstance(member, ast.FunctionDef)
        and member.name == "find_class"
        and bool(member.body)
        and isinstance(member.body[-1], ast.Raise)
        and not any(isinstance(statement, ast.Return | ast.Try) for statement in member.body)
        for member in cls.body
    )


def _field_default(value: ast.expr | None) -> ast.expr | None:
    """A dataclass field's default (``repo_id: str = field(default="org/x")``) is what
    ``repo_id: str = "org/x"`` says: the value an instance holds unless a caller passes another."""
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name | ast.Attribute)
        and (value.func.id if isinstance(value.func, ast.Name) else value.func.attr) == "field"
        and not value.args
    ):
        return next((k.value for k in value.keywords if k.arg == "default"), value)
    return value


def _instance_key(target: ast.expr) -> bool:
    """``self.X`` or ``cls.X`` exactly: the attributes whose values a class's own code decides
    (``args.X`` may be set by argparse, out of sight, so it never becomes a constant)."""
    return (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id in _INSTANCE_NAMES
    )


def _families(parts: Outline) -> dict[str, str]:
    """Class name -> a representative of the classes in this file it is related to by
    inheritance (``class B(A)`` with ``A`` defined here): an attribute one of them sets may be
    read by any other, so they share their ``self`` attributes."""
    leader: dict[str, str] = {}

    def find(name: str) -> str:
        while leader.setdefault(name, name) != name:
            name = leader[name]
        return name

    defined = {cls.name for cls in parts.classes}
    for cls in parts.classes:
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in defined:
                leader[find(cls.name)] = find(base.id)
    return {name: find(name) for name in defined}


def _alternatives(parts: Outline) -> dict[str, tuple[str, ...]]:
    """Names imported from more than one place, with every place (see ``Names.maybe``)."""
    seen: dict[str, dict[str, None]] = {}
    for table in _import_rows(parts):
        for key, qual in table:
            seen.setdefault(key, {})[qual] = None
    return {key: tuple(quals) for key, quals in seen.items() if len(quals) > 1}


def _import_rows(parts: Outline) -> list[list[tuple[str, str]]]:
    """(local name, qualified name) of each import statement."""
    return [row for node in parts.imports for row in _import_rows_of(node)]


def _import_rows_of(node: ast.Import | ast.ImportFrom) -> list[list[tuple[str, str]]]:
    if isinstance(node, ast.Import):
        return [[(a.asname, a.name) if a.asname else (a.name.split(".")[0],) * 2 for a in node.names]]
    if node.module:
        # A relative import names this repository's own module: never a library's.
        module = "." * node.level + node.module if node.level else node.module
        return [[(a.asname or a.name, f"{module}.{a.name}") for a in node.names if a.name != "*"]]
    return [[(a.asname or a.name, "." * node.level + a.name) for a in node.names]]


def _import_table(parts: Outline) -> dict[str, str | object]:
    imports: dict[str, str | object] = {}
    for row in _import_rows(parts):
        for key, qual in row:
            _bind(imports, key, qual)
    return imports


def _resolve(names: Names, bindings: list[Binding], imports: dict[str, str | object]) -> None:
    """Add the constants, expressions and aliases ``bindings`` give (over what ``names`` has)."""
    pairs = [(t, v) for t, v, _ in bindings]
    _collect_constants(names, pairs)
    keyed = [(key, value) for target, value in pairs if (key := dotted_name(target)) is not None]
    # Two rounds: ``f = torch.load`` then ``g = f`` resolves in the second. Each round reads
    # only ``names.aliases``: when the first changed nothing, the second would repeat it.
    for _ in range(2):
        before = dict(names.aliases)
        found: dict[str, str | object] = {}
        for key, value in keyed:
            if key in imports:
                continue
            qual = _binding_qual(key, value, names)
            if qual is None:
                names.uncertain.add(key)
            # A binding we cannot resolve (a parameter, ``x = make()``) does not undo an alias:
            # ``if session is None: session = requests.Session()`` may well be a Session, and
            # a call on it is worth checking. Two different resolved bindings do undo it.
            if qual is not None and not (key in WELL_KNOWN_MODULES and _imports_module(qual)):
                _bind(found, key, qual)
        for key, resolved in found.items():
            if isinstance(resolved, str):
                names.aliases[key] = resolved
            else:
                names.aliases.pop(key, None)
        if names.aliases == before:
            break


def _binding_qual(key: str, value: ast.expr | None, names: Names) -> str | None:
    """What ``key = value`` makes ``key`` stand for, or None."""
    if not isinstance(value, ast.Call):
        return names.qualname(value) if value is not None else None
    callee = names.qualname(value.func)
    first = value.args[0] if value.args else None
    if callee == "functools.partial" and first is not None and not isinstance(first, ast.Starred):
        # load = functools.partial(torch.load, map_location="cpu"): load(p) is torch.load(p, ...).
        wrapped = names.qualname(first)
        if wrapped is not None:
            names.partials[key] = value
        return wrapped
    if callee in _MODULE_IMPORTERS or (callee is None and isinstance(value.func, ast.Name)
                                       and value.func.id in _MODULE_IMPORTERS):  # fmt: skip
        # transformers = pytest.importorskip("transformers"): the module itself (composer).
        module = first.value if isinstance(first, ast.Constant) else None
        if isinstance(module, str) and all(part.isidentifier() for part in module.split(".")):
            return module
    return f"{callee}()" if callee else None


# Calls that return the module their first argument names.
_MODULE_IMPORTERS = frozenset({"pytest.importorskip", "importlib.import_module", "__import__"})


def _imports_module(qual: str) -> bool:
    """``dill = import_dill()`` and ``yaml = lazy_import("yaml")`` bind the module; ``yaml = YAML()`` not."""
    if not qual.endswith("()"):
        return False
    callee = qual[:-2].rsplit(".", 1)[-1].lower()
    return "import" in callee or "lazy" in callee


def _collect_constants(
    names: Names, bindings: list[tuple[ast.expr, ast.expr | None]], *, attributes: bool = False
) -> None:
    """Constants and single expressions of the names ``bindings`` bind; with ``attributes``,
    of their dotted attribute targets too (``self.model_name``)."""
    seen: dict[str, ast.expr | object] = {}
    strings: dict[str, list[str] | None] = {}  # None: some binding is not a string constant
    for target, value in bindings:
        if isinstance(target, ast.Name):
            key: str | None = target.id
        elif attributes and isinstance(target, ast.Attribute):
            key = dotted_name(target)
        else:
            key = None
        if key is None:
            continue
        text = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
        known = strings.get(key, [])
        strings[key] = None if text is None or known is None else [*known, text]
        if value is None:
            seen[key] = _CONFLICT
            continue
        previous = seen.get(key)
        if previous is None:
            seen[key] = value
        elif previous is not _CONFLICT and not _same_constant(previous, value):  # type: ignore[arg-type]
            seen[key] = _CONFLICT
    for key, bound in seen.items():
        if isinstance(bound, ast.expr):
            names.exprs[key] = bound
            if _is_constant_expr(bound):
                names.constants[key] = bound
        else:
            names.exprs.pop(key, None)
            names.constants.pop(key, None)
        texts = strings.get(key)
        if texts is not None and len(set(texts)) > 1:
            names.choices[key] = tuple(dict.fromkeys(texts))
        else:
            names.choices.pop(key, None)


def _same_constant(a: ast.expr, b: ast.expr) -> bool:
    """Two bindings to the same constant (``REV = "main"`` twice); other expressions conflict."""
    if isinstance(a, ast.Constant) and isinstance(b, ast.Constant):
        return type(a.value) is type(b.value) and a.value == b.value
    return _is_constant_expr(a) and _is_constant_expr(b) and ast.dump(a) == ast.dump(b)


def _bind(table: dict[str, str | object], key: str, qual: str) -> None:
    previous = table.get(key)
    table[key] = qual if previous in (None, qual) else _CONFLICT
