"""Static name resolution: imports, aliases, constants, conflicts."""

from __future__ import annotations

import ast

from gates.checks.models.names import UNKNOWN, Names, ScopedNames, collect_names
from gates.checks.models.outline import outline


def _names(source: str) -> tuple[Names, ast.Module]:
    tree = ast.parse(source)
    return collect_names(outline(tree)), tree


def _expr(source: str) -> ast.expr:
    node = ast.parse(source, mode="eval").body
    return node


def test_import_forms_resolve_to_qualified_names() -> None:
    names, _ = _names(
        "import torch as T\nimport os.path\nfrom torch.serialization import load as L\nimport pickle as pk\n"
    )
    assert names.qualname(_expr("T.load")) == "torch.load"
    assert names.qualname(_expr("L")) == "torch.serialization.load"
    assert names.qualname(_expr("pk.loads")) == "pickle.loads"
    assert names.qualname(_expr("os.path.join")) == "os.path.join"
    assert names.qualname(_expr("unknown.load")) is None


def test_local_aliases_and_instances() -> None:
    names, _ = _names("import torch, requests\nf = torch.load\ng = f\ns = requests.Session()\n")
    assert names.qualname(_expr("g")) == "torch.load"
    assert names.qualname(_expr("s.get")) == "requests.Session().get"


def _method_names(source: str, method: str) -> Names:
    tree = ast.parse(source)
    scoped = ScopedNames(outline(tree))
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == method)
    return scoped.for_scope((id(node),))


def test_what_a_method_binds_on_self_belongs_to_its_class_and_related_classes() -> None:
    source = (
        "import requests, other\n"
        "class C:\n    def __init__(self):\n        self.http = requests.Session()\n"
        "    def use(self):\n        pass\n"
        "class D(C):\n    def use_too(self):\n        pass\n"
        "class E:\n    def __init__(self):\n        self.http = other.Client()\n"
        "    def other(self):\n        pass\n"
    )
    assert _method_names(source, "use").qualname(_expr("self.http.post")) == "requests.Session().post"
    assert _method_names(source, "use_too").qualname(_expr("self.http.post")) == "requests.Session().post"
    # E's own self.http is something else; C's binding neither reaches nor conflicts with it.
    assert _method_names(source, "other").qualname(_expr("self.http.post")) == "other.Client().post"
    assert _names(source)[0].qualname(_expr("self.http.post")) is None  # not at module level


def test_constants_resolve_and_conflicts_are_unknown() -> None:
    names, _ = _names(
        "REV = 'main'\nSAFE = True\nALIAS = SAFE\nX = 1\nX = 2\nfor Y in range(3):\n    pass\nY = 5\n"
    )
    assert names.value(_expr("REV")) == "main"
    assert names.value(_expr("ALIAS")) is True
    assert names.value(_expr("X")) is UNKNOWN
    assert names.value(_expr("Y")) is UNKNOWN
    assert names.value(_expr("never_bound")) is UNKNOWN


def test_conflicting_alias_is_dropped() -> None:
    names, _ = _names("import torch, pickle\nf = torch.load\nf = pickle.loads\n")
    assert names.qualname(_expr("f")) is None


def test_class_derived_from_safe_loader() -> None:
    names, _ = _names("import yaml\nclass L(yaml.SafeLoader):\n    pass\nclass M(L):\n    pass\n")
    assert names.subclasses_of(frozenset({"yaml.SafeLoader"}), _expr("L"))
    assert not names.subclasses_of(frozenset({"yaml.SafeLoader"}), _expr("yaml.Loader"))
