"""The policy models: read-only, compared by value, validated by pydantic from their metadata."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from gates.policy.base import PolicyValueError, Waiver
from gates.policy.model import Policy, default_policy
from gates.policy.paths import Paths
from gates.policy.plain import from_plain, to_plain
from gates.policy.sections.coverage import CoverageSection, PathMapping
from gates.policy.validation import ValidationError, validate


def test_models_are_read_only() -> None:
    policy = default_policy()
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.fail_on = "warning"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del policy.paths.source  # type: ignore[misc]
    assert policy.fail_on == "error"


def test_replace_makes_a_changed_copy() -> None:
    paths = Paths(source=["src/"])
    wider = dataclasses.replace(paths, source=["."])
    assert wider.source == ["."]
    assert paths.source == ["src/"]


def test_models_compare_by_value() -> None:
    assert default_policy() == default_policy()
    assert default_policy() != dataclasses.replace(default_policy(), base="main")
    assert Paths() != CoverageSection()
    assert repr(Paths(source=["a/"])).startswith("Paths(source=['a/'], critical=[]")


def test_the_shared_init_behaves_as_the_generated_one() -> None:
    # policy_model shares one __init__ among the tables (start-up); it must still refuse
    # positional, unknown and missing arguments, and give each table its own fresh defaults.
    with pytest.raises(TypeError, match="unexpected keyword argument 'sources'"):
        Paths(sources=["a/"])  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Paths(["a/"])  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing required keyword argument 'reason'"):
        Waiver(rule="MS101", expires=date(2099, 1, 2))  # type: ignore[call-arg]
    first, second = CoverageSection(), CoverageSection()
    assert first.waivers == [] and first.waivers is not second.waivers
    assert CoverageSection(timeout=5, enabled=False).timeout == 5  # GateSection's fields, inherited
    assert Paths(exclude=["x/"]).exclude[-1] == "x/" and ".git/" in Paths(exclude=["x/"]).exclude
    with pytest.raises(ValueError, match="needs at least one"):  # __post_init__ runs
        Waiver(reason="r", expires=date(2099, 1, 2))
    assert CoverageSection.__init__ is Paths.__init__


def test_validation_applies_field_metadata() -> None:
    section = validate(CoverageSection, {"line_min": 90, "path_map": [{"from": "/ci/", "to": ""}]})
    assert section.line_min == 90
    assert section.path_map == [PathMapping(source="/ci/", target="")]
    with pytest.raises(ValidationError) as excinfo:
        validate(CoverageSection, {"line_min": 101, "lines_min": 3})
    kinds = {error["type"] for error in excinfo.value.errors()}
    assert kinds == {"less_than_equal", "unexpected_keyword_argument"}


def test_cross_field_check_names_its_field() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate(CoverageSection, {"run": ["coverage run -m pytest", "  "]})
    (error,) = excinfo.value.errors()
    problem = error["ctx"]["error"]
    assert isinstance(problem, PolicyValueError)
    assert problem.field == "run"


def test_plain_round_trip_keeps_dates_and_nesting() -> None:
    waiver = Waiver(rule="MS101", reason="legacy", expires=date(2099, 1, 2))
    policy = dataclasses.replace(
        default_policy(),
        coverage=CoverageSection(path_map=[PathMapping(source="/ci/", target="src/")], waivers=[waiver]),
    )
    data = to_plain(policy)
    assert data["coverage"]["waivers"][0]["expires"] == "2099-01-02"
    assert from_plain(Policy, data) == policy
    assert to_plain(policy, yaml_keys=True)["coverage"]["path_map"] == [{"from": "/ci/", "to": "src/"}]


def test_a_cached_policy_loads_without_pydantic_or_yaml(tmp_path: Path) -> None:
    script = (
        "import sys, pathlib\n"
        "from gates.policy.loader import parse_policy_text\n"
        "text = 'version: 1\\nfail_on: warning\\n'\n"
        "parse_policy_text(text, pathlib.Path('policy.yaml'))\n"
        "assert 'pydantic' in sys.modules and 'yaml' in sys.modules\n"
    )
    check = (
        "import sys, pathlib\n"
        "from gates.policy.loader import parse_policy_text\n"
        "loaded = parse_policy_text('version: 1\\nfail_on: warning\\n', pathlib.Path('policy.yaml'))\n"
        "assert loaded.policy.fail_on == 'warning'\n"
        "print(sorted(m for m in ('pydantic', 'yaml') if m in sys.modules))\n"
    )
    env = {"GATES_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", script], check=True, env=env)
    out = subprocess.run([sys.executable, "-c", check], check=True, env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_policy_tables_are_documented_like_dataclasses() -> None:
    # A docstring starting "Name(" is what pydantic leaves out of the JSON Schema.
    from gates.policy.sections.model_files import ModelFilesSettings

    assert (ModelFilesSettings.__doc__ or "").startswith("ModelFilesSettings(*, enabled, allowed_globals")
    assert Waiver.__doc__ and Waiver.__doc__.startswith("Accepts matching findings")
