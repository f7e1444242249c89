"""Static name resolution: imports, aliases, constants, conflicts."""

from __future__ import annotations

import ast

from gates.checks.models.names import UNKNOWN, Names, collect_names
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
    names, _ = _names(
        "import torch, requests\nf = torch.load\ng = f\ns = requests.Session()\n"
        "class C:\n    def __init__(self):\n        self.http = requests.Session()\n"
    )
    assert names.qualname(_expr("g")) == "torch.load"
    assert names.qualname(_expr("s.get")) == "requests.Session().get"
    assert names.qualname(_expr("self.http.post")) == "requests.Session().post"


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
